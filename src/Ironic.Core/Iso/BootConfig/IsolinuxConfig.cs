namespace Ironic.Core.Iso.BootConfig;

/// <summary>
/// ISOLINUX/SYSLINUX configuration (syslinux wiki, "Config"): one directive per line, keywords
/// case-insensitive, arguments split on blanks without quoting. An entry starts at LABEL; its
/// kernel is KERNEL or LINUX (arguments may follow the path), its arguments APPEND; an APPEND
/// before the first LABEL is the default for entries that have none.
/// </summary>
internal static class IsolinuxConfig
{
    /// <summary>A physical line without its line ending, split into keyword and blank-separated words.</summary>
    internal sealed record Line(int Start, int End, string Keyword, IReadOnlyList<ParameterToken> Words, int KeywordEnd);

    internal sealed class Entry
    {
        public string Label = "";
        public string? MenuLabel;
        public Line? Kernel;
        public Line? Append;
        public string? InitrdDirective;
        public bool LocalBoot;
    }

    /// <summary>COM32 modules that are menus or tools, not kernel loaders: their entries are left alone.</summary>
    private static readonly HashSet<string> NonKernelModules = new(StringComparer.OrdinalIgnoreCase)
    {
        "menu.c32", "vesamenu.c32", "chain.c32", "hdt.c32", "reboot.c32", "poweroff.c32", "cmd.c32",
        "config.c32", "ifcpu64.c32", "ifcpu.c32", "whichsys.c32", "pxechn.c32", "memdisk", "ldlinux.c32",
    };

    public static List<Line> Lines(string text)
    {
        var lines = new List<Line>();
        int position = 0;
        while (position < text.Length)
        {
            int newline = text.IndexOf('\n', position);
            int end = newline < 0 ? text.Length : newline;
            int contentEnd = end > position && text[end - 1] == '\r' ? end - 1 : end;
            lines.Add(Split(text, position, contentEnd));
            position = newline < 0 ? text.Length : newline + 1;
        }
        return lines;
    }

    private static Line Split(string text, int start, int end)
    {
        var words = new List<ParameterToken>();
        int i = start;
        while (i < end)
        {
            int separator = i;
            while (i < end && text[i] is ' ' or '\t')
                i++;
            if (i >= end)
                break;
            int wordStart = i;
            while (i < end && text[i] is not (' ' or '\t'))
                i++;
            words.Add(new ParameterToken(separator, wordStart, i, text[wordStart..i], Opaque: false));
        }
        if (words.Count == 0 || words[0].Value.StartsWith('#'))
            return new Line(start, end, "", [], start);
        return new Line(start, end, words[0].Value.ToLowerInvariant(), words.Skip(1).ToArray(), words[0].End);
    }

    public static (Line? GlobalAppend, List<Entry> Entries) Parse(string text)
    {
        Line? globalAppend = null;
        var entries = new List<Entry>();
        Entry? current = null;
        foreach (var line in Lines(text))
        {
            switch (line.Keyword)
            {
                case "label":
                    current = new Entry { Label = string.Join(' ', line.Words.Select(w => w.Value)) };
                    entries.Add(current);
                    break;
                case "menu" when current is not null && line.Words.Count > 1 && line.Words[0].Value.Equals("label", StringComparison.OrdinalIgnoreCase):
                    current.MenuLabel = string.Join(' ', line.Words.Skip(1).Select(w => w.Value)).Replace("^", "", StringComparison.Ordinal);
                    break;
                case "kernel" or "linux" when current is not null:
                    current.Kernel = line;
                    break;
                case "append" when current is not null:
                    current.Append = line;
                    break;
                case "append":
                    globalAppend = line;
                    break;
                case "initrd" when current is not null && line.Words.Count > 0:
                    current.InitrdDirective = line.Words[0].Value;
                    break;
                case "localboot" when current is not null:
                    current.LocalBoot = true;
                    break;
            }
        }
        return (globalAppend, entries);
    }

    private static bool BootsAKernel(Entry entry) =>
        !entry.LocalBoot && entry.Kernel is { Words.Count: > 0 } kernel && !NonKernelModules.Contains(Path.GetFileName(kernel.Words[0].Value));

    private static ParameterList Arguments(Line line, IReadOnlyList<ParameterToken> words)
    {
        var separator = words.FirstOrDefault(w => w.Value == "---");
        if (separator is not null)
            return new ParameterList(words, separator.Start, InsertBeforeSeparator: true);
        int end = line.Words.Count > 0 ? line.Words[^1].End : line.KeywordEnd;
        return new ParameterList(words, end, InsertBeforeSeparator: false);
    }

    /// <summary>initrd= names the ramdisk the entry needs: removing it would break the boot.</summary>
    private static bool IsProtected(ParameterToken token) => token.Key.Equals("initrd", StringComparison.OrdinalIgnoreCase);

    public static IEnumerable<TextEdit> Edit(string text, KernelParameterEdit edit)
    {
        var (globalAppend, entries) = Parse(text);
        var edits = new List<TextEdit>();
        bool anyEntryUsesGlobal = false;
        foreach (var entry in entries.Where(BootsAKernel))
        {
            var kernel = entry.Kernel!;
            var lists = new List<ParameterList>();
            if (entry.Append is not null)
                lists.Add(Arguments(entry.Append, entry.Append.Words));
            if (kernel.Words.Count > 1)
                lists.Add(Arguments(kernel, kernel.Words.Skip(1).ToArray()));
            if (lists.Count == 0)
            {
                if (globalAppend is not null)
                {
                    anyEntryUsesGlobal = true;
                    continue; // the default APPEND applies to this entry and is edited below
                }
                lists.Add(new ParameterList([], kernel.Words[0].End, InsertBeforeSeparator: false));
            }
            edits.AddRange(ParameterEditor.Edit(text, lists, edit, p => p, IsProtected));
        }
        if (globalAppend is not null && (anyEntryUsesGlobal || entries.Count == 0))
            edits.AddRange(ParameterEditor.Edit(text, [Arguments(globalAppend, globalAppend.Words)], edit, p => p, IsProtected));
        return edits;
    }

    public static IReadOnlyList<BootEntry> Entries(string text)
    {
        var (globalAppend, entries) = Parse(text);
        var result = new List<BootEntry>();
        foreach (var entry in entries.Where(BootsAKernel))
        {
            var kernel = entry.Kernel!;
            var words = kernel.Words.Skip(1).Select(w => w.Value).ToList();
            var append = entry.Append ?? (kernel.Words.Count == 1 ? globalAppend : null);
            if (append is not null)
                words.AddRange(append.Words.Select(w => w.Value));
            string? initrd = entry.InitrdDirective
                ?? words.Where(w => w.StartsWith("initrd=", StringComparison.OrdinalIgnoreCase)).Select(w => w["initrd=".Length..]).FirstOrDefault();
            result.Add(new BootEntry(entry.MenuLabel?.Trim() ?? entry.Label, kernel.Words[0].Value, string.Join(' ', words), initrd));
        }
        return result;
    }
}
