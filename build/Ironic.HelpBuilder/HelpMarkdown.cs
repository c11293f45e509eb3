using System.Text;

namespace Ironic.HelpBuilder;

/// <summary>One cmdlet's help as written in docs/cmdlets/&lt;Verb-Noun&gt;.md (platyPS layout).</summary>
public sealed record CmdletHelp(
    string Name,
    string Synopsis,
    IReadOnlyList<string> Description,
    IReadOnlyList<HelpExample> Examples,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Parameters,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyList<string> Notes,
    IReadOnlyList<(string Text, string? Uri)> Links);

public sealed record HelpExample(string Title, string Code, IReadOnlyList<string> Remarks);

/// <summary>Parses the markdown help format: ## sections, ### examples and ### -Parameters, fenced code.</summary>
public static class HelpMarkdown
{
    public static CmdletHelp Parse(string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var index = 0;
        if (lines.Length > 0 && lines[0].Trim() == "---")
        {
            index = 1;
            while (index < lines.Length && lines[index].Trim() != "---") index++;
            index++;
        }
        string name = "";
        var sections = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        List<string>? current = null;
        for (; index < lines.Length; index++)
        {
            var line = lines[index];
            if (line.StartsWith("# ", StringComparison.Ordinal)) { name = line[2..].Trim(); continue; }
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                current = [];
                sections[line[3..].Trim()] = current;
                continue;
            }
            current?.Add(line);
        }
        List<string> Section(string key) => sections.TryGetValue(key, out var s) ? s : [];

        return new CmdletHelp(
            name,
            string.Join(" ", Paragraphs(Section("SYNOPSIS"))),
            Paragraphs(Section("DESCRIPTION")),
            Subsections(Section("EXAMPLES")).Select(ToExample).ToList(),
            Subsections(Section("PARAMETERS"))
                .Where(s => s.Title.StartsWith('-'))
                .ToDictionary(s => s.Title[1..].Trim(), s => (IReadOnlyList<string>)Paragraphs(WithoutCode(s.Body)), StringComparer.OrdinalIgnoreCase),
            Subsections(Section("INPUTS")).Select(s => s.Title).ToList(),
            Subsections(Section("OUTPUTS")).Select(s => s.Title).ToList(),
            Paragraphs(Section("NOTES")),
            Section("RELATED LINKS").Select(l => l.Trim()).Where(l => l.Length > 0).Select(ParseLink).ToList());
    }

    private static HelpExample ToExample((string Title, List<string> Body) section)
    {
        var code = new StringBuilder();
        var rest = new List<string>();
        var inCode = false;
        foreach (var line in section.Body)
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { inCode = !inCode; continue; }
            if (inCode) code.AppendLine(line);
            else rest.Add(line);
        }
        return new HelpExample(section.Title, code.ToString().TrimEnd(), Paragraphs(rest));
    }

    private static (string Text, string? Uri) ParseLink(string line)
    {
        if (line.StartsWith('[') && line.IndexOf("](", StringComparison.Ordinal) is var mid and > 0 && line.EndsWith(')'))
        {
            var uri = line[(mid + 2)..^1];
            return (line[1..mid], uri.Length == 0 ? null : uri);
        }
        return (line, null);
    }

    private static List<(string Title, List<string> Body)> Subsections(List<string> lines)
    {
        var result = new List<(string, List<string>)>();
        foreach (var line in lines)
        {
            if (line.StartsWith("### ", StringComparison.Ordinal)) result.Add((line[4..].Trim(), []));
            else if (result.Count > 0) result[^1].Item2.Add(line);
        }
        return result;
    }

    private static List<string> WithoutCode(List<string> lines)
    {
        var result = new List<string>();
        var inCode = false;
        foreach (var line in lines)
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { inCode = !inCode; continue; }
            if (!inCode) result.Add(line);
        }
        return result;
    }

    /// <summary>Joins wrapped lines into paragraphs separated by blank lines.</summary>
    private static List<string> Paragraphs(List<string> lines)
    {
        var result = new List<string>();
        var paragraph = new StringBuilder();
        foreach (var line in lines.Append(""))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                if (paragraph.Length > 0) result.Add(paragraph.ToString());
                paragraph.Clear();
            }
            else
            {
                if (paragraph.Length > 0) paragraph.Append(' ');
                paragraph.Append(line.Trim());
            }
        }
        return result;
    }
}
