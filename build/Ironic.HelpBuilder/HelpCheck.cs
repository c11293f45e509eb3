namespace Ironic.HelpBuilder;

/// <summary>Holds the help files against the compiled cmdlets; every mismatch is one readable problem.</summary>
public static class HelpCheck
{
    public const int MinimumExamples = 2;

    public static IReadOnlyList<string> Problems(IReadOnlyList<CmdletSignature> cmdlets, IReadOnlyDictionary<string, CmdletHelp> help)
    {
        var problems = new List<string>();
        foreach (var cmdlet in cmdlets)
        {
            if (!help.TryGetValue(cmdlet.Name, out var doc))
            {
                problems.Add($"{cmdlet.Name}: no help file; write docs/cmdlets/{cmdlet.Name}.md");
                continue;
            }
            if (!string.Equals(doc.Name, cmdlet.Name, StringComparison.Ordinal)) problems.Add($"{cmdlet.Name}: the help file's title is '{doc.Name}'");
            if (string.IsNullOrWhiteSpace(doc.Synopsis)) problems.Add($"{cmdlet.Name}: help has no SYNOPSIS");
            if (doc.Description.Count == 0) problems.Add($"{cmdlet.Name}: help has no DESCRIPTION");
            if (doc.Examples.Count < MinimumExamples) problems.Add($"{cmdlet.Name}: help has {doc.Examples.Count} example(s); write at least {MinimumExamples}");
            foreach (var example in doc.Examples.Where(e => e.Code.Length == 0)) problems.Add($"{cmdlet.Name}: example '{example.Title}' has no ```powershell code block");
            foreach (var parameter in cmdlet.Parameters.Where(p => !p.IsAddedByPowerShell))
            {
                if (!doc.Parameters.TryGetValue(parameter.Name, out var text) || text.Count == 0) problems.Add($"{cmdlet.Name}: parameter -{parameter.Name} is not described (### -{parameter.Name})");
            }
            // -WhatIf and -Confirm come with SupportsShouldProcess (PowerShell adds them); help may describe them, as platyPS does.
            bool IsCommon(string name) => cmdlet.SupportsShouldProcess && (name.Equals("WhatIf", StringComparison.OrdinalIgnoreCase) || name.Equals("Confirm", StringComparison.OrdinalIgnoreCase));
            foreach (var documented in doc.Parameters.Keys.Where(k => !IsCommon(k) && !cmdlet.Parameters.Any(p => p.Name.Equals(k, StringComparison.OrdinalIgnoreCase))))
            {
                problems.Add($"{cmdlet.Name}: help describes -{documented}, which the cmdlet does not have");
            }
        }
        foreach (var orphan in help.Keys.Where(k => !cmdlets.Any(c => c.Name == k)))
        {
            problems.Add($"{orphan}: help file without a cmdlet");
        }
        return problems;
    }

    public static Dictionary<string, CmdletHelp> LoadDirectory(string directory) =>
        Directory.GetFiles(directory, "*.md")
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => HelpMarkdown.Parse(File.ReadAllText(f)), StringComparer.Ordinal);
}
