using Ironic.HelpBuilder;

// ironic-help-builder --assembly Ironic.PowerShell.dll --automation System.Management.Automation.dll --docs docs/cmdlets --out en-US/Ironic.PowerShell.dll-Help.xml
// ironic-help-builder pack --module out/Ironic/0.1.0 --name Ironic --out out/packages
if (args.Length > 0 && args[0] == "pack")
{
    var pack = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 1; i + 1 < args.Length; i += 2) pack[args[i]] = args[i + 1];
    if (!pack.TryGetValue("--module", out var moduleDirectory) || !pack.TryGetValue("--out", out var packages))
    {
        Console.Error.WriteLine("usage: Ironic.HelpBuilder pack --module MODULE_DIR [--name Ironic] --out PACKAGE_DIR");
        return 2;
    }
    try
    {
        Console.WriteLine(ModulePackage.Create(moduleDirectory, pack.GetValueOrDefault("--name", "Ironic"), packages));
        return 0;
    }
    catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"pack: {e.Message}");
        return 1;
    }
}

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
