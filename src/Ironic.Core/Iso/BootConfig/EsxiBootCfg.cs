namespace Ironic.Core.Iso.BootConfig;

/// <summary>
/// VMware ESXi boot.cfg: key=value lines read by mboot (title=, kernel=, kernelopt=, modules=).
/// The kernel command line is the value of kernelopt=.
/// </summary>
internal static class EsxiBootCfg
{
    private sealed record Setting(int Start, int ValueStart, int End, string Key, string Value);

    private static List<Setting> Settings(string text)
    {
        var settings = new List<Setting>();
        int position = 0;
        while (position < text.Length)
        {
            int newline = text.IndexOf('\n', position);
            int end = newline < 0 ? text.Length : newline;
            int contentEnd = end > position && text[end - 1] == '\r' ? end - 1 : end;
            int equals = text.IndexOf('=', position, contentEnd - position);
            if (equals > position && text[position] != '#')
            {
                string key = text[position..equals].Trim();
                settings.Add(new Setting(position, equals + 1, contentEnd, key.ToLowerInvariant(), text[(equals + 1)..contentEnd]));
            }
            position = newline < 0 ? text.Length : newline + 1;
        }
        return settings;
    }

    private static string LineEnding(string text) => text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";

    public static IEnumerable<TextEdit> Edit(string text, KernelParameterEdit edit)
    {
        var settings = Settings(text);
        var kernelopt = settings.FirstOrDefault(s => s.Key == "kernelopt");
        if (kernelopt is null)
        {
            // No kernelopt= line: add one after kernel= when there is something to append.
            var kernel = settings.FirstOrDefault(s => s.Key == "kernel");
            if (kernel is null || edit.Append.Count == 0)
                return [];
            var insertion = ParameterEditor.Edit(text, [new ParameterList([], 0, InsertBeforeSeparator: false)], edit, p => p, _ => false).ToList();
            if (insertion.Count == 0)
                return [];
            string line = "kernelopt=" + insertion[0].Replacement.TrimStart();
            int kernelLineEnd = text.IndexOf('\n', kernel.End);
            return kernelLineEnd < 0
                ? [new TextEdit(text.Length, text.Length, LineEnding(text) + line)]
                : [new TextEdit(kernelLineEnd + 1, kernelLineEnd + 1, line + LineEnding(text))];
        }
        var words = new List<ParameterToken>();
        int i = kernelopt.ValueStart;
        while (i < kernelopt.End)
        {
            int separator = i;
            while (i < kernelopt.End && text[i] is ' ' or '\t')
                i++;
            if (i >= kernelopt.End)
                break;
            int start = i;
            while (i < kernelopt.End && text[i] is not (' ' or '\t'))
                i++;
            words.Add(new ParameterToken(separator, start, i, text[start..i], Opaque: false));
        }
        // The first word follows "=" directly: inserting after nothing needs no leading blank.
        var list = new ParameterList(words, words.Count > 0 ? words[^1].End : kernelopt.ValueStart, InsertBeforeSeparator: false);
        var edits = ParameterEditor.Edit(text, [list], edit, p => p, _ => false).ToList();
        if (words.Count == 0)
            edits = edits.Select(e => e.Start == kernelopt.ValueStart && e.End == e.Start ? e with { Replacement = e.Replacement.TrimStart() } : e).ToList();
        return edits;
    }

    public static IReadOnlyList<BootEntry> Entries(string text)
    {
        var settings = Settings(text);
        string? Get(string key) => settings.FirstOrDefault(s => s.Key == key)?.Value.Trim();
        var kernel = Get("kernel");
        if (kernel is null)
            return [];
        var options = string.Join(' ', (Get("kernelopt") ?? "").Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return [new BootEntry(Get("title") ?? "ESXi", kernel, options, Get("modules"))];
    }
}
