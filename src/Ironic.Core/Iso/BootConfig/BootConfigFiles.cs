namespace Ironic.Core.Iso.BootConfig;

/// <summary>
/// Finds boot-loader configurations among the files of an image: a candidate is any *.cfg or
/// *.conf file (or one of the usual names), and any other small text file; its content decides
/// the language, so that renamed configurations are found and unrelated .cfg files (kickstarts,
/// preseeds) are not. A file with another name must be a configuration through and through:
/// plain text whose lines are nearly all directives of one language, so that a README quoting a
/// menu entry is left alone.
/// </summary>
public static class BootConfigFiles
{
    /// <summary>Larger files are not boot configurations (and are not read whole to find out).</summary>
    public const int MaxConfigBytes = 1024 * 1024;

    /// <summary>Files with other names are read to look for a configuration only up to this size.</summary>
    public const int MaxOtherNameBytes = 64 * 1024;

    /// <summary>The share of a file's lines (not blank, not comments) that must be directives when its name does not say it is a config.</summary>
    private const double OtherNameDirectiveShare = 0.8;

    /// <summary>Names that are never text configurations, not worth reading (boot loaders, images, archives, packages, fonts).</summary>
    private static readonly HashSet<string> BinaryExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".bin", ".c32", ".efi", ".img", ".iso", ".gz", ".xz", ".bz2", ".zst", ".lz4", ".lzma", ".cpio", ".squashfs", ".sfs",
        ".deb", ".udeb", ".rpm", ".mod", ".pf2", ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".sig", ".gpg", ".exe", ".dll", ".sys", ".mo", ".ttf", ".otf",
    };

    private static readonly Dictionary<string, BootConfigKind> UsualNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["grub.cfg"] = BootConfigKind.Grub,
        ["loopback.cfg"] = BootConfigKind.Grub,
        ["isolinux.cfg"] = BootConfigKind.Isolinux,
        ["syslinux.cfg"] = BootConfigKind.Isolinux,
        ["txt.cfg"] = BootConfigKind.Isolinux,
        ["gtk.cfg"] = BootConfigKind.Isolinux,
        ["adtxt.cfg"] = BootConfigKind.Isolinux,
        ["menu.cfg"] = BootConfigKind.Isolinux,
        ["boot.cfg"] = BootConfigKind.EsxiBootCfg,
    };

    /// <summary>True when a file of this name may be a boot configuration and is worth reading.</summary>
    public static bool IsCandidate(string path, long size)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (size > MaxConfigBytes)
            return false;
        string name = Path.GetFileName(path.Replace('\\', '/'));
        return HasConfigName(name) || (size <= MaxOtherNameBytes && !BinaryExtensions.Contains(Path.GetExtension(name)));
    }

    private static bool HasConfigName(string name) =>
        UsualNames.ContainsKey(name)
        || name.EndsWith(".cfg", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".conf", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The configuration language of <paramref name="text"/> found at <paramref name="path"/>, or null
    /// when it is not a boot configuration we edit. Content decides; the usual name only settles
    /// files whose content fits it without kernel lines (an isolinux.cfg that only includes others).
    /// </summary>
    public static BootConfigKind? Detect(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(text);
        if (!IsCandidate(path, text.Length) || text.Contains('\0', StringComparison.Ordinal))
            return null;

        var signals = Signals.Of(text);
        string name = Path.GetFileName(path.Replace('\\', '/'));
        BootConfigKind? usual = UsualNames.TryGetValue(name, out var k) ? k : null;

        var strong = new List<BootConfigKind>();
        if (signals.GrubMenuEntries > 0 || signals.GrubLinuxLines > 0 && signals.IsolinuxLabels == 0)
            strong.Add(BootConfigKind.Grub);
        if (signals.IsolinuxLabels > 0 && (signals.IsolinuxKernelLines > 0 || signals.IsolinuxAppendLines > 0 || signals.IsolinuxLocalBoot > 0)
            || signals.IsolinuxAppendLines > 0 && signals.IsolinuxKernelLines > 0)
            strong.Add(BootConfigKind.Isolinux);
        if (signals.EsxiKernelOpt > 0 || signals.EsxiKernel > 0 && signals.EsxiModules > 0)
            strong.Add(BootConfigKind.EsxiBootCfg);

        if (!HasConfigName(name))
        {
            // Another name: only plain text that is one language's directives nearly line by line.
            return strong.Count == 1 && IsPlainText(text) && signals.DirectiveShare(strong[0]) >= OtherNameDirectiveShare ? strong[0] : null;
        }
        if (strong.Count == 1)
            return strong[0];
        if (strong.Count > 1)
            return usual is { } u && strong.Contains(u) ? u : strong[0];

        // No kernel lines: only a usual name with some syntax of its language counts.
        return usual switch
        {
            BootConfigKind.Grub when signals.GrubSyntax > 0 => BootConfigKind.Grub,
            BootConfigKind.Isolinux when signals.IsolinuxSyntax > 0 => BootConfigKind.Isolinux,
            _ => null,
        };
    }

    /// <summary>Text as configs are written: no control characters but tab, CR, LF and form feed.</summary>
    private static bool IsPlainText(string text)
    {
        foreach (char c in text)
        {
            if (c < ' ' && c is not ('\t' or '\r' or '\n' or '\f') || c == '\u007F' || c == '\uFFFD')
                return false;
        }
        return true;
    }

    private sealed class Signals
    {
        public int GrubMenuEntries, GrubLinuxLines, GrubSyntax;
        public int IsolinuxLabels, IsolinuxKernelLines, IsolinuxAppendLines, IsolinuxLocalBoot, IsolinuxSyntax;
        public int EsxiKernelOpt, EsxiKernel, EsxiModules;
        public int Lines, GrubDirectives, IsolinuxDirectives, EsxiDirectives;

        public double DirectiveShare(BootConfigKind kind) => Lines == 0 ? 0 : (double)(kind switch
        {
            BootConfigKind.Grub => GrubDirectives,
            BootConfigKind.Isolinux => IsolinuxDirectives,
            _ => EsxiDirectives,
        }) / Lines;

        private static readonly HashSet<string> GrubCommands = new(StringComparer.Ordinal)
        {
            "menuentry", "submenu", "linux", "linuxefi", "linux16", "initrd", "initrdefi", "initrd16", "set", "unset", "insmod", "search",
            "configfile", "source", "if", "then", "else", "elif", "fi", "for", "do", "done", "while", "function", "terminal_output",
            "terminal_input", "loadfont", "export", "echo", "chainloader", "boot", "load_env", "save_env", "probe", "serial", "sleep",
            "play", "background_image", "true", "false", "return", "halt", "reboot", "fwsetup", "exit", "{", "}", "font", "theme",
        };

        private static readonly HashSet<string> IsolinuxCommands = new(StringComparer.Ordinal)
        {
            "label", "kernel", "linux", "append", "initrd", "default", "prompt", "timeout", "include", "ui", "menu", "path", "display",
            "say", "implicit", "serial", "totaltimeout", "ontimeout", "onerror", "localboot", "config", "text", "endtext", "ipappend",
            "sysappend", "allowoptions", "noescape", "nocomplete", "nohalt", "font", "kbdmap", "console", "boot", "bss", "pxe", "fdimage",
            "comboot", "com32", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12",
        };

        public static Signals Of(string text)
        {
            var s = new Signals();
            foreach (var raw in text.Split('\n'))
            {
                string line = raw.Trim().TrimStart('\uFEFF');
                if (line.Length == 0 || line[0] == '#')
                    continue;
                string first = line.Split([' ', '\t'], 2)[0];
                string lower = first.ToLowerInvariant();
                s.Lines++;
                if (GrubCommands.Contains(first) || line.EndsWith('{') || first.Contains('=', StringComparison.Ordinal) && !first.StartsWith('='))
                    s.GrubDirectives++;
                if (IsolinuxCommands.Contains(lower))
                    s.IsolinuxDirectives++;
                if (line.IndexOf('=', StringComparison.Ordinal) > 0 && !line[..line.IndexOf('=', StringComparison.Ordinal)].Contains(' ', StringComparison.Ordinal))
                    s.EsxiDirectives++;
                switch (first)
                {
                    case "menuentry" or "submenu" when line.EndsWith('{'):
                        s.GrubMenuEntries++;
                        break;
                    case "linux" or "linuxefi" or "linux16" when line.Length > first.Length:
                        s.GrubLinuxLines++;
                        break;
                    case "set" or "insmod" or "search" or "configfile" or "source" or "if" or "fi" or "terminal_output" or "loadfont" or "export":
                        s.GrubSyntax++;
                        break;
                }
                switch (lower)
                {
                    case "label":
                        s.IsolinuxLabels++;
                        break;
                    case "kernel" or "linux" when line.Length > first.Length:
                        s.IsolinuxKernelLines++;
                        break;
                    case "append":
                        s.IsolinuxAppendLines++;
                        break;
                    case "localboot":
                        s.IsolinuxLocalBoot++;
                        break;
                    case "default" or "prompt" or "timeout" or "include" or "ui" or "menu" or "path" or "display" or "say" or "implicit" or "serial" or "totaltimeout" or "ontimeout":
                        s.IsolinuxSyntax++;
                        break;
                }
                if (line.StartsWith("kernelopt=", StringComparison.OrdinalIgnoreCase))
                    s.EsxiKernelOpt++;
                else if (line.StartsWith("kernel=", StringComparison.OrdinalIgnoreCase))
                    s.EsxiKernel++;
                else if (line.StartsWith("modules=", StringComparison.OrdinalIgnoreCase))
                    s.EsxiModules++;
            }
            return s;
        }
    }
}
