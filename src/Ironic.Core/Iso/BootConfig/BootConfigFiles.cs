namespace Ironic.Core.Iso.BootConfig;

/// <summary>
/// Finds boot-loader configurations among the files of an image: a candidate is any *.cfg or
/// *.conf file (or one of the usual names), and its content decides the language, so that
/// renamed configurations are found and unrelated .cfg files (kickstarts, preseeds) are not.
/// </summary>
public static class BootConfigFiles
{
    /// <summary>Larger files are not boot configurations (and are not read whole to find out).</summary>
    public const int MaxConfigBytes = 1024 * 1024;

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
        return UsualNames.ContainsKey(name)
            || name.EndsWith(".cfg", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".conf", StringComparison.OrdinalIgnoreCase);
    }

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

    private sealed class Signals
    {
        public int GrubMenuEntries, GrubLinuxLines, GrubSyntax;
        public int IsolinuxLabels, IsolinuxKernelLines, IsolinuxAppendLines, IsolinuxLocalBoot, IsolinuxSyntax;
        public int EsxiKernelOpt, EsxiKernel, EsxiModules;

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
