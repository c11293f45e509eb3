using Ironic.HelpBuilder;

namespace Ironic.PowerShell.Tests;

/// <summary>
/// Holds the built module assembly against the manifest: what PowerShell users rely on and no
/// compiler checks. Returns problems instead of asserting so that a test can also show that a
/// broken manifest is caught.
/// </summary>
public static class ModuleChecker
{
    /// <summary>Verbs that change a server, a node or a file: their cmdlets must support -WhatIf/-Confirm.</summary>
    public static readonly IReadOnlySet<string> StateChangingVerbs = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "New", "Set", "Start", "Stop", "Remove", "Mount", "Dismount", "Add", "Clear", "Reset", "Restart",
        "Register", "Unregister", "Install", "Uninstall", "Enable", "Disable", "Move", "Rename", "Update", "Publish", "Unpublish",
    };

    public static IReadOnlyList<string> Problems(ModuleManifest manifest, IReadOnlyList<CmdletSignature> cmdlets, IReadOnlySet<string> approvedVerbs)
    {
        var problems = new List<string>();
        var byName = cmdlets.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var exported in manifest.CmdletsToExport.Where(e => !byName.ContainsKey(e)))
        {
            problems.Add($"CmdletsToExport lists {exported}, but the module assembly has no [Cmdlet] class for it");
        }
        foreach (var cmdlet in cmdlets)
        {
            if (!manifest.CmdletsToExport.Contains(cmdlet.Name, StringComparer.OrdinalIgnoreCase)) problems.Add($"{cmdlet.Name} ({cmdlet.TypeName}) is not in CmdletsToExport");
            if (!approvedVerbs.Contains(cmdlet.Verb)) problems.Add($"{cmdlet.Name}: '{cmdlet.Verb}' is not an approved verb");
            if (cmdlet.OutputTypes.Count == 0) problems.Add($"{cmdlet.Name}: no [OutputType]");
            if (StateChangingVerbs.Contains(cmdlet.Verb) && !cmdlet.SupportsShouldProcess) problems.Add($"{cmdlet.Name}: changes state but does not declare SupportsShouldProcess");
        }
        if (manifest.CmdletsToExport.Count != manifest.CmdletsToExport.Distinct(StringComparer.OrdinalIgnoreCase).Count()) problems.Add("CmdletsToExport lists a cmdlet twice");
        return problems;
    }
}
