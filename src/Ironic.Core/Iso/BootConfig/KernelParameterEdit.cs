namespace Ironic.Core.Iso.BootConfig;

/// <summary>
/// What to do to every kernel command line of a boot configuration.
/// <list type="bullet">
/// <item><see cref="Append"/>: <c>key=value</c> replaces every existing <c>key=...</c> (the first one in place,
/// the others removed: no duplicates); a bare word (<c>nomodeset</c>) is added once.</item>
/// <item><see cref="Remove"/>: a key (<c>quiet</c>, <c>console</c>) removes every parameter with that key
/// (<c>console=tty0 console=ttyS0</c>); <c>key=value</c> removes only that exact parameter.</item>
/// </list>
/// Removals apply before appends. Parameters are validated on construction.
/// </summary>
public sealed record KernelParameterEdit
{
    public KernelParameterEdit(IReadOnlyList<string> Append, IReadOnlyList<string> Remove)
    {
        ArgumentNullException.ThrowIfNull(Append);
        ArgumentNullException.ThrowIfNull(Remove);
        this.Append = Append.Select(p => Validate(p, "append")).ToArray();
        this.Remove = Remove.Select(p => Validate(p, "remove")).ToArray();
    }

    /// <summary>Already validated parameters re-encoded for byte-exact editing (UTF-8 bytes as Latin-1 characters).</summary>
    private KernelParameterEdit(IReadOnlyList<string> append, IReadOnlyList<string> remove, bool validated)
    {
        _ = validated;
        Append = append;
        Remove = remove;
    }

    internal KernelParameterEdit Map(Func<string, string> map) =>
        new(Append.Select(map).ToArray(), Remove.Select(map).ToArray(), validated: true);

    public IReadOnlyList<string> Append { get; }
    public IReadOnlyList<string> Remove { get; }

    public bool IsEmpty => Append.Count == 0 && Remove.Count == 0;

    public static KernelParameterEdit None { get; } = new([], []);

    /// <summary>The key of a parameter: the text before the first '=', or the whole word.</summary>
    public static string KeyOf(string parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        int equals = parameter.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? parameter : parameter[..equals];
    }

    private static string Validate(string? parameter, string operation)
    {
        if (string.IsNullOrEmpty(parameter))
            throw new ArgumentException($"Cannot {operation} an empty kernel parameter; give key=value or a bare word such as 'nomodeset'.");
        foreach (char c in parameter)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
                throw new ArgumentException($"Cannot {operation} kernel parameter '{Printable(parameter)}': it contains whitespace or a control character. Give each parameter separately (key=value), without spaces or newlines.");
            if (c is '"' or '\'' or '\\' or '`')
                throw new ArgumentException($"Cannot {operation} kernel parameter '{parameter}': quotes and backslashes are not allowed, because boot loaders treat them differently. Give the value without quotes (and without spaces).");
        }
        if (parameter == "---" || parameter == "--")
            throw new ArgumentException($"Cannot {operation} '{parameter}': it separates installer from target parameters and is kept where it is.");
        if (parameter[0] == '=')
            throw new ArgumentException($"Cannot {operation} kernel parameter '{parameter}': the key before '=' is empty. Use key=value.");
        if (parameter[0] == '#')
            throw new ArgumentException($"Cannot {operation} kernel parameter '{parameter}': a word starting with '#' is a comment to GRUB.");
        return parameter;
    }

    private static string Printable(string s) => s.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
}
