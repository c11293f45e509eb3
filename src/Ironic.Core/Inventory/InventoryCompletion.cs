namespace Ironic.Core.Inventory;

/// <summary>One tab-completion answer: the text inserted, the text listed, and a tool tip.</summary>
public sealed record CompletionCandidate(string CompletionText, string ListItemText, string ToolTip);

/// <summary>
/// What tab completion offers for node names, conductor names and MACs, read from an
/// inventory. PowerShell-free, so the matching is tested here and the cmdlets' argument
/// completers only adapt it. The word typed may carry quotes, a wildcard (<c>rack1-*n0</c>), and
/// for a MAC any separator or none (<c>52-54-00</c>, <c>525400</c>): all match the stored form.
/// </summary>
public static class InventoryCompletion
{
    /// <summary>The most candidates offered; a list longer than this is no help at a prompt.</summary>
    public const int MaxCandidates = 500;

    public static async Task<IReadOnlyList<CompletionCandidate>> NodeNamesAsync(IInventoryStore store, string? word, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var nodes = await store.ListNodesAsync(cancellationToken).ConfigureAwait(false);
        return Match(nodes.Select(n => (n.Name, $"{n.Name} ({n.Driver}, {n.ProvisionState})")), word);
    }

    public static async Task<IReadOnlyList<CompletionCandidate>> ConductorNamesAsync(IInventoryStore store, string? word, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var conductors = await store.ListConductorsAsync(cancellationToken).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        return Match(conductors.Select(c => (c.Name, $"{c.Name} at {c.InternalUrl} (heartbeat {(int)Math.Max(0, (now - c.HeartbeatAt).TotalSeconds)} s ago)")), word);
    }

    /// <summary>MACs of the ports, each with the node it belongs to in the tool tip.</summary>
    public static async Task<IReadOnlyList<CompletionCandidate>> MacAddressesAsync(IInventoryStore store, string? word, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var nodes = (await store.ListNodesAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(n => n.Uuid, n => n.Name);
        var ports = await store.ListPortsAsync(null, cancellationToken).ConfigureAwait(false);
        return MatchMacs(ports.Select(p => (p.Address, $"{p.Address} ({nodes.GetValueOrDefault(p.NodeUuid, p.NodeUuid.ToString("D"))})")), word);
    }

    /// <summary>
    /// The values that start with the typed word (case-insensitive), or match it as a wildcard
    /// pattern when it has <c>*</c> or <c>?</c>; sorted, at most <see cref="MaxCandidates"/>,
    /// quoted when they hold a character PowerShell would split on.
    /// </summary>
    public static IReadOnlyList<CompletionCandidate> Match(IEnumerable<(string Value, string ToolTip)> values, string? word)
    {
        ArgumentNullException.ThrowIfNull(values);
        var typed = Unquote(word);
        Func<string, bool> matches = typed.IndexOfAny(['*', '?']) >= 0
            ? WildcardRegex(typed.EndsWith('*') ? typed : typed + "*").IsMatch
            : v => v.StartsWith(typed, StringComparison.OrdinalIgnoreCase);
        return values
            .Where(v => !string.IsNullOrEmpty(v.Value) && matches(v.Value))
            .DistinctBy(v => v.Value, StringComparer.Ordinal)
            .OrderBy(v => v.Value, StringComparer.OrdinalIgnoreCase)
            .Take(MaxCandidates)
            .Select(v => new CompletionCandidate(Quote(v.Value), v.Value, v.ToolTip))
            .ToList();
    }

    /// <summary>MACs whose hex digits start with the typed hex digits, whatever separators either side uses.</summary>
    public static IReadOnlyList<CompletionCandidate> MatchMacs(IEnumerable<(string Mac, string ToolTip)> macs, string? word)
    {
        ArgumentNullException.ThrowIfNull(macs);
        var typed = HexDigits(Unquote(word));
        return macs
            .Where(m => HexDigits(m.Mac).StartsWith(typed, StringComparison.Ordinal))
            .DistinctBy(m => m.Mac, StringComparer.OrdinalIgnoreCase)
            .OrderBy(m => m.Mac, StringComparer.OrdinalIgnoreCase)
            .Take(MaxCandidates)
            .Select(m => new CompletionCandidate(m.Mac, m.Mac, m.ToolTip))
            .ToList();
    }

    private static string HexDigits(string text) =>
        new(text.Where(char.IsAsciiHexDigit).Select(char.ToLowerInvariant).ToArray());

    private static string Unquote(string? word) => (word ?? "").Trim().Trim('\'', '"');

    /// <summary>Single-quotes a value PowerShell would otherwise split or expand (spaces, $, quotes …).</summary>
    public static string Quote(string value) =>
        value.Any(c => char.IsWhiteSpace(c) || c is '$' or '\'' or '"' or '`' or ';' or ',' or '(' or ')' or '{' or '}' or '&' or '|' or '@' or '#')
            ? "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'"
            : value;

    private static System.Text.RegularExpressions.Regex WildcardRegex(string pattern) =>
        new("^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
}
