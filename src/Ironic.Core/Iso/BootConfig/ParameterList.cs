namespace Ironic.Core.Iso.BootConfig;

/// <summary>One kernel argument as found in a config: its characters in the text and its value with quoting removed.</summary>
/// <param name="SeparatorStart">Start of the whitespace before the argument.</param>
/// <param name="Opaque">True when the argument holds a GRUB variable ($x): left alone by every edit.</param>
internal sealed record ParameterToken(int SeparatorStart, int Start, int End, string Value, bool Opaque)
{
    public string Key => KernelParameterEdit.KeyOf(Value);
}

/// <summary>
/// The kernel arguments of one command line (which may be spread over several text pieces, as an
/// ISOLINUX entry with inline kernel arguments and an append line) and where new ones go.
/// </summary>
/// <param name="Tokens">Arguments in order.</param>
/// <param name="InsertAt">Where new parameters are inserted: the start of "---" when present, else the end of the last argument (or of the command).</param>
/// <param name="InsertBeforeSeparator">True when <paramref name="InsertAt"/> is the start of "---": insert "a b " rather than " a b".</param>
internal sealed record ParameterList(IReadOnlyList<ParameterToken> Tokens, int InsertAt, bool InsertBeforeSeparator);

/// <summary>The edit algorithm shared by every config language: removals, in-place replacements, then insertions.</summary>
internal static class ParameterEditor
{
    /// <param name="text">The whole config text (to look at separators).</param>
    /// <param name="lists">The arguments of one boot entry; new parameters go into the first list.</param>
    /// <param name="render">Turns a parameter into config syntax (GRUB quotes words with metacharacters).</param>
    /// <param name="isProtected">Arguments that are never removed (ISOLINUX initrd=).</param>
    public static IEnumerable<TextEdit> Edit(string text, IReadOnlyList<ParameterList> lists, KernelParameterEdit edit, Func<string, string> render, Func<ParameterToken, bool> isProtected)
    {
        if (lists.Count == 0 || edit.IsEmpty)
            return [];
        var all = lists.SelectMany(l => l.Tokens).ToList();
        var removed = new HashSet<ParameterToken>();
        var replaced = new Dictionary<ParameterToken, string>();

        foreach (var remove in edit.Remove)
        {
            bool exact = remove.Contains('=', StringComparison.Ordinal);
            foreach (var token in all)
            {
                if (token.Opaque || isProtected(token))
                    continue;
                if (exact ? token.Value == remove : token.Key == remove)
                    removed.Add(token);
            }
        }

        var toInsert = new List<string>();
        foreach (var append in edit.Append)
        {
            var live = all.Where(t => !t.Opaque && !removed.Contains(t)).ToList();
            if (append.Contains('=', StringComparison.Ordinal))
            {
                string key = KernelParameterEdit.KeyOf(append);
                var same = live.Where(t => t.Key == key).ToList();
                if (same.Count == 0)
                {
                    if (!toInsert.Contains(append))
                    {
                        toInsert.RemoveAll(p => KernelParameterEdit.KeyOf(p) == key);
                        toInsert.Add(append);
                    }
                    continue;
                }
                replaced[same[0]] = append;
                foreach (var duplicate in same.Skip(1))
                    removed.Add(duplicate);
                toInsert.RemoveAll(p => KernelParameterEdit.KeyOf(p) == key);
            }
            else if (!live.Any(t => t.Value == append && !replaced.ContainsKey(t)) && !toInsert.Contains(append))
            {
                toInsert.Add(append);
            }
        }

        var edits = new List<TextEdit>();
        foreach (var list in lists)
            edits.AddRange(Removals(text, list.Tokens, removed));
        foreach (var (token, value) in replaced)
        {
            if (!removed.Contains(token))
                edits.Add(new TextEdit(token.Start, token.End, render(value)));
        }
        if (toInsert.Count > 0)
        {
            var primary = lists[0];
            string words = string.Join(' ', toInsert.Select(render));
            edits.Add(new TextEdit(primary.InsertAt, primary.InsertAt, primary.InsertBeforeSeparator ? words + " " : " " + words));
        }
        return edits;
    }

    /// <summary>Removes tokens with the whitespace before them; when there is none (ESXi's first kernelopt word) or it holds a line break (a GRUB continuation), the token and the blanks after it go instead, so no line is joined.</summary>
    private static IEnumerable<TextEdit> Removals(string text, IReadOnlyList<ParameterToken> tokens, HashSet<ParameterToken> removed)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (!removed.Contains(token))
                continue;
            var before = text.AsSpan(token.SeparatorStart, token.Start - token.SeparatorStart);
            bool keepBefore = before.IsEmpty || before.IndexOfAny('\n', '\r') >= 0;
            if (!keepBefore)
            {
                yield return new TextEdit(token.SeparatorStart, token.End, "");
                continue;
            }
            int end = token.End;
            bool nextRemoved = i + 1 < tokens.Count && removed.Contains(tokens[i + 1]);
            if (!nextRemoved)
            {
                while (end < text.Length && (text[end] == ' ' || text[end] == '\t'))
                    end++;
            }
            yield return new TextEdit(token.Start, end, "");
        }
    }
}
