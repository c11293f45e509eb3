using System.Text;
using Ironic.Core.Inventory;

namespace Ironic.Core.Boot;

/// <summary>How boot configurations are handed out: Ironic's option names in brackets.</summary>
public sealed record BootConfigOptions
{
    /// <summary>[api]restrict_boot_config: only nodes in a <c>* wait</c> state get a configuration.</summary>
    public bool RestrictBootConfig { get; init; } = true;

    /// <summary>[pxe]ipxe_use_boot_config_api: when false the API and the catch-all script answer nothing.</summary>
    public bool UseBootConfigApi { get; init; } = true;

    /// <summary>[pxe]ipxe_config_api_root_url: absolute base the catch-all chains to; null for relative links.</summary>
    public Uri? ApiRootUrl { get; init; }
}

/// <summary>A rendered boot configuration: what a node receives for one NAME.</summary>
public sealed record BootConfig(Guid NodeUuid, string Name, string ContentType, byte[] Content)
{
    public string Text => Encoding.UTF8.GetString(Content);
}

/// <summary>What <see cref="BootConfigService.ExplainAsync"/> found: the configuration, or the reason there is none.</summary>
public sealed record BootConfigLookup(string MacAddress, string Name, Node? Node, BootConfig? Config, string? Reason)
{
    public bool Found => Config is not null;
    public string? NodeName => Node?.Name;
    public string? ProvisionState => Node?.ProvisionState;
    public string? Content => Config?.Text;
}

/// <summary>A parsed <c>/v1/boot/{mac}/{name}</c> request; <see cref="IsValid"/> is false for malformed input.</summary>
public readonly record struct BootConfigRequest(string MacAddress, string Name, bool IsValid);

/// <summary>
/// Answers "what does the node with this MAC boot?" for the boot configuration API. Every
/// failure — unknown MAC, node not waiting, unknown NAME, malformed input — is one result
/// (null), and each of them costs the same store lookup, so that neither the answer nor its
/// timing tells a prober which one it was. NAME is matched against a fixed list and never
/// reaches a file path.
/// </summary>
public sealed class BootConfigService(IInventoryStore store, BootConfigOptions options)
{
    /// <summary>The configuration names a node may ask for.</summary>
    public static readonly IReadOnlyList<string> KnownNames = [IpxeScripts.BootScriptName];

    /// <summary>A well-formed MAC that no port ever has (multicast bit set), looked up for malformed requests.</summary>
    private const string DecoyMac = "ff:ff:ff:ff:ff:fe";

    /// <summary>Longer input than this is malformed without being parsed.</summary>
    private const int MaxInputLength = 64;

    public BootConfigOptions Options => options;

    /// <summary>
    /// Parses the MAC (colons, dashes, bare hex, percent-encoded colons, any case) and the NAME.
    /// Never throws; malformed input gives IsValid = false.
    /// </summary>
    public static BootConfigRequest ParseRequest(string? mac, string? name)
    {
        var normalized = NormalizeMac(mac);
        var validName = name is not null && KnownNames.Contains(name, StringComparer.Ordinal);
        return new BootConfigRequest(normalized ?? DecoyMac, validName ? name! : IpxeScripts.BootScriptName, normalized is not null && validName);
    }

    /// <summary>Lower-case, colon-separated form of a MAC in any usual notation; null when it is not one.</summary>
    public static string? NormalizeMac(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxInputLength) return null;
        Span<char> hex = stackalloc char[12];
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                // %3A / %3a is a colon percent-encoded (Debian's iPXE sends it that way); %2D a dash.
                if (i + 2 >= text.Length) return null;
                var escaped = text.AsSpan(i + 1, 2);
                if (!escaped.Equals("3A", StringComparison.OrdinalIgnoreCase) && !escaped.Equals("2D", StringComparison.OrdinalIgnoreCase)) return null;
                i += 2;
                continue;
            }
            if (c is ':' or '-' or '.') continue;
            if (!char.IsAsciiHexDigit(c) || count == 12) return null;
            hex[count++] = char.ToLowerInvariant(c);
        }
        if (count != 12) return null;
        Span<char> colons = stackalloc char[17];
        for (var b = 0; b < 6; b++)
        {
            colons[b * 3] = hex[b * 2];
            colons[b * 3 + 1] = hex[b * 2 + 1];
            if (b < 5) colons[b * 3 + 2] = ':';
        }
        return new string(colons);
    }

    /// <summary>The node a request refers to, when the request is well formed; null otherwise.</summary>
    public async Task<Node?> FindNodeAsync(BootConfigRequest request, CancellationToken cancellationToken)
    {
        var node = await store.FindNodeByMacAsync(request.MacAddress, cancellationToken).ConfigureAwait(false);
        return request.IsValid ? node : null;
    }

    /// <summary>The configuration for a raw MAC and NAME as they came in a URL; null for every kind of failure.</summary>
    public async Task<BootConfig?> GetAsync(string? mac, string? name, CancellationToken cancellationToken)
    {
        var request = ParseRequest(mac, name);
        var node = await FindNodeAsync(request, cancellationToken).ConfigureAwait(false);
        return node is null ? null : await RenderAsync(node, request.Name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What a node with this MAC would get, and why not when it gets nothing: for operators
    /// (Get-IronicBootConfig, `ironic boot-config show`), never for the HTTP API.
    /// </summary>
    public async Task<BootConfigLookup> ExplainAsync(string mac, string name, CancellationToken cancellationToken)
    {
        var normalized = NormalizeMac(mac);
        if (normalized is null)
        {
            return new BootConfigLookup(mac, name, null, null, $"'{mac}' is not a MAC address; give six hexadecimal octets as 52:54:00:12:34:56, 52-54-00-12-34-56 or 525400123456.");
        }
        if (!KnownNames.Contains(name, StringComparer.Ordinal))
        {
            return new BootConfigLookup(normalized, name, null, null, $"'{name}' is not a boot configuration name; known: {string.Join(", ", KnownNames)}.");
        }
        var node = await store.FindNodeByMacAsync(normalized, cancellationToken).ConfigureAwait(false);
        if (node is null) return new BootConfigLookup(normalized, name, null, null, $"No port has the MAC {normalized}; add one to the node (ironic port create / New-IronicPort).");
        var config = await RenderAsync(node, name, cancellationToken).ConfigureAwait(false);
        if (config is not null) return new BootConfigLookup(normalized, name, node, config, null);
        string reason;
        if (!options.UseBootConfigApi) reason = "[pxe]ipxe_use_boot_config_api is false: the API hands out nothing.";
        else if (options.RestrictBootConfig && !ProvisionStates.IsWaitState(node.ProvisionState))
            reason = $"Node {node.Name} is '{node.ProvisionState}', not in a '* wait' state; with [api]restrict_boot_config = true only waiting nodes get a configuration.";
        else reason = $"Node {node.Name} has neither instance_info kernel + ramdisk nor boot_iso, and no stored {name}.";
        return new BootConfigLookup(normalized, name, node, null, reason);
    }

    /// <summary>
    /// Renders NAME for a node, or null when the node may not have it (state gate) or has
    /// nothing to boot. A script the deploy stored as the node's <c>boot.ipxe</c> artifact wins
    /// over one rendered from instance_info.
    /// </summary>
    public async Task<BootConfig?> RenderAsync(Node node, string name, CancellationToken cancellationToken)
    {
        if (!options.UseBootConfigApi) return null;
        if (options.RestrictBootConfig && !ProvisionStates.IsWaitState(node.ProvisionState)) return null;
        if (!KnownNames.Contains(name, StringComparer.Ordinal)) return null;

        var stored = await store.GetArtifactAsync(node.Uuid, name, cancellationToken).ConfigureAwait(false);
        if (stored is { Length: > 0 }) return new BootConfig(node.Uuid, name, IpxeScripts.ContentType, stored);

        var script = IpxeScripts.RenderNodeScript(node);
        return script is null ? null : new BootConfig(node.Uuid, name, IpxeScripts.ContentType, Encoding.UTF8.GetBytes(script));
    }
}
