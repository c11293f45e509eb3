using Ironic.HelpBuilder;

// ironic-help-builder --assembly Ironic.PowerShell.dll --automation System.Management.Automation.dll --docs docs/cmdlets --out en-US/Ironic.PowerShell.dll-Help.xml
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2) options[args[i]] = args[i + 1];
if (!options.TryGetValue("--assembly", out var assembly) || !options.TryGetValue("--automation", out var automation) ||
    !options.TryGetValue("--docs", out var docs) || !options.TryGetValue("--out", out var output))
{
    Console.Error.WriteLine("usage: Ironic.HelpBuilder --assembly MODULE.dll --automation System.Management.Automation.dll --docs DIR --out HELP.xml");
    return 2;
}

using var catalog = new CmdletCatalog(assembly, automation);
var cmdlets = catalog.Cmdlets();
var help = HelpCheck.LoadDirectory(docs);
var problems = HelpCheck.Problems(cmdlets, help);
foreach (var problem in problems) Console.Error.WriteLine($"{docs}: error HELP001: {problem}");
if (problems.Count > 0) return 1;

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
MamlWriter.Write(cmdlets, help).Save(output);
Console.WriteLine($"help for {cmdlets.Count} cmdlet(s) -> {output}");
return 0;
