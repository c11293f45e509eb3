using System.Text;

namespace Ironic.Core.Iso.BootConfig;

/// <summary>Replace the characters [Start, End) of a text with <see cref="Replacement"/>.</summary>
internal readonly record struct TextEdit(int Start, int End, string Replacement)
{
    /// <summary>Applies non-overlapping edits; every character outside them is kept as it was.</summary>
    public static string Apply(string text, IEnumerable<TextEdit> edits)
    {
        var ordered = edits.OrderBy(e => e.Start).ThenBy(e => e.End).ToList();
        if (ordered.Count == 0)
            return text;
        var result = new StringBuilder(text.Length + 64);
        int position = 0;
        foreach (var edit in ordered)
        {
            if (edit.Start < position)
                throw new InvalidOperationException($"overlapping boot-config edits at character {edit.Start}");
            result.Append(text, position, edit.Start - position).Append(edit.Replacement);
            position = edit.End;
        }
        return result.Append(text, position, text.Length - position).ToString();
    }
}
