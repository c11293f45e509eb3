using System.Text;

namespace Ironic.Core.Iso.BootConfig;

/// <summary>
/// Edits kernel command lines in boot-loader configurations, text to text: only the parameters
/// change; every other character (comments, indentation, CRLF or LF line endings) stays as it was.
/// <list type="bullet">
/// <item>GRUB2: every linux, linuxefi and linux16 command, in every menuentry and nested submenu;
/// new parameters go before "---", words with $variables are left alone.</item>
/// <item>ISOLINUX/SYSLINUX: APPEND lines and inline KERNEL/LINUX arguments of entries that boot a
/// kernel; LOCALBOOT entries and menu modules untouched; initrd= is never removed.</item>
/// <item>ESXi boot.cfg: the kernelopt= line (added after kernel= when missing).</item>
/// </list>
/// </summary>
public static class BootConfigEditor
{
    /// <summary>Returns <paramref name="text"/> with <paramref name="edit"/> applied to every kernel command line.</summary>
    public static string Apply(BootConfigKind kind, string text, KernelParameterEdit edit)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(edit);
        if (edit.IsEmpty)
            return text;
        IEnumerable<TextEdit> edits = kind switch
        {
            BootConfigKind.Grub => GrubScript.Edit(text, edit),
            BootConfigKind.Isolinux => IsolinuxConfig.Edit(text, edit),
            BootConfigKind.EsxiBootCfg => EsxiBootCfg.Edit(text, edit),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown boot configuration kind"),
        };
        return TextEdit.Apply(text, edits.ToList());
    }

    /// <summary>
    /// Byte-exact form of <see cref="Apply(BootConfigKind, string, KernelParameterEdit)"/> for file content:
    /// the bytes are read as Latin-1 (one character per byte, so any encoding, UTF-8 titles included,
    /// round-trips unchanged) and new parameters are written as UTF-8.
    /// </summary>
    public static byte[] Apply(BootConfigKind kind, ReadOnlySpan<byte> content, KernelParameterEdit edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var text = Encoding.Latin1.GetString(content);
        static string AsLatin1(string parameter) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(parameter));
        return Encoding.Latin1.GetBytes(Apply(kind, text, edit.Map(AsLatin1)));
    }

    /// <summary>The boot entries of a configuration with their kernels and command lines, in file order.</summary>
    public static IReadOnlyList<BootEntry> ReadEntries(BootConfigKind kind, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return kind switch
        {
            BootConfigKind.Grub => GrubScript.Entries(text),
            BootConfigKind.Isolinux => IsolinuxConfig.Entries(text),
            BootConfigKind.EsxiBootCfg => EsxiBootCfg.Entries(text),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown boot configuration kind"),
        };
    }
}
