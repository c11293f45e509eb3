using System.Reflection;
using System.Xml.Linq;
using Ironic.HelpBuilder;

namespace Ironic.PowerShell.Tests;

/// <summary>The built Ironic.PowerShell.dll, read with MetadataLoadContext, against module/Ironic.psd1 and the help.</summary>
public sealed class ModuleManifestTests : IDisposable
{
    private static readonly string Root = Metadata("RepositoryRoot");
    private static readonly string ModuleDirectory = Metadata("ModuleOutputDirectory");
    private readonly CmdletCatalog _catalog = new(Path.Combine(ModuleDirectory, "Ironic.PowerShell.dll"), Metadata("AutomationReferencePath"));
    private readonly string _psd1 = File.ReadAllText(Path.Combine(Root, "module", "Ironic.psd1"));

    [Fact]
    public void Manifest_AndAssembly_Agree()
    {
        var problems = ModuleChecker.Problems(ModuleManifest.Parse(_psd1), _catalog.Cmdlets(), _catalog.ApprovedVerbs());
        Assert.Empty(problems);
        Assert.NotEmpty(_catalog.Cmdlets());
    }

    [Fact]
    public void Checker_CatchesAManifestThatListsAMissingCmdlet()
    {
        var broken = _psd1.Replace("CmdletsToExport      = @(", "CmdletsToExport      = @(\n        'Get-NoSuchThing',", StringComparison.Ordinal);
        var problems = ModuleChecker.Problems(ModuleManifest.Parse(broken), _catalog.Cmdlets(), _catalog.ApprovedVerbs());
        Assert.Contains(problems, p => p.Contains("Get-NoSuchThing", StringComparison.Ordinal) && p.Contains("no [Cmdlet] class", StringComparison.Ordinal));
    }

    [Fact]
    public void Checker_CatchesACmdletTheManifestForgot()
    {
        var first = _catalog.Cmdlets()[0].Name;
        var broken = _psd1.Replace($"'{first}'", "", StringComparison.Ordinal);
        var problems = ModuleChecker.Problems(ModuleManifest.Parse(broken), _catalog.Cmdlets(), _catalog.ApprovedVerbs());
        Assert.Contains(problems, p => p.StartsWith(first, StringComparison.Ordinal) && p.Contains("not in CmdletsToExport", StringComparison.Ordinal));
    }

    [Fact]
    public void Checker_CatchesAnUnapprovedVerb_AndMissingShouldProcess()
    {
        var fake = new CmdletSignature("Frobnicate", "IronicNode", "X", false, "Medium", null, ["System.String"], []);
        var setter = new CmdletSignature("Set", "IronicThing", "Y", false, "Medium", null, ["System.String"], []);
        var manifest = new ModuleManifest("0.1.0", "Ironic.PowerShell.dll", ["Frobnicate-IronicNode", "Set-IronicThing"], []);
        var problems = ModuleChecker.Problems(manifest, [fake, setter], _catalog.ApprovedVerbs());
        Assert.Contains(problems, p => p.Contains("'Frobnicate' is not an approved verb", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Set-IronicThing: changes state", StringComparison.Ordinal));
    }

    [Fact]
    public void ApprovedVerbs_ComeFromPowerShell()
    {
        var verbs = _catalog.ApprovedVerbs();
        Assert.Contains("Get", verbs);
        Assert.Contains("Start", verbs);
        Assert.DoesNotContain("Frobnicate", verbs);
    }

    [Fact]
    public void Help_DescribesEveryCmdletAndParameter_AndIsBuiltBesideTheModule()
    {
        var help = HelpCheck.LoadDirectory(Path.Combine(Root, "docs", "cmdlets"));
        Assert.Empty(HelpCheck.Problems(_catalog.Cmdlets(), help));

        var maml = XDocument.Load(Path.Combine(ModuleDirectory, "en-US", "Ironic.PowerShell.dll-Help.xml"));
        var documented = maml.Descendants().Where(e => e.Name.LocalName == "name" && e.Parent?.Name.LocalName == "details").Select(e => e.Value).ToList();
        Assert.Equal(_catalog.Cmdlets().Select(c => c.Name).Order(), documented.Order());
    }

    [Fact]
    public void HelpCheck_CatchesAParameterTheHelpForgets()
    {
        var cmdlet = _catalog.Cmdlets().First(c => c.Parameters.Any(p => !p.IsAddedByPowerShell));
        var help = HelpCheck.LoadDirectory(Path.Combine(Root, "docs", "cmdlets"));
        var without = help[cmdlet.Name] with { Parameters = new Dictionary<string, IReadOnlyList<string>>() };
        var problems = HelpCheck.Problems([cmdlet], new Dictionary<string, CmdletHelp> { [cmdlet.Name] = without });
        Assert.Contains(problems, p => p.Contains($"parameter -{cmdlet.Parameters.First(x => !x.IsAddedByPowerShell).Name} is not described", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("-WhatIf", StringComparison.Ordinal));
    }

    [Fact]
    public void ModuleFolder_HoldsWhatTheManifestNames_AtTheAssemblysVersion()
    {
        var manifest = ModuleManifest.Parse(_psd1);
        Assert.True(File.Exists(Path.Combine(ModuleDirectory, manifest.RootModule)));
        foreach (var format in manifest.FormatsToProcess)
        {
            var path = Path.Combine(ModuleDirectory, format);
            Assert.True(File.Exists(path), $"{format} is not beside the module");
            Assert.Equal("Configuration", XDocument.Load(path).Root!.Name.LocalName);
        }
        Assert.StartsWith(manifest.ModuleVersion, _catalog.Module.GetName().Version!.ToString(), StringComparison.Ordinal);
    }

    private static string Metadata(string key) =>
        typeof(ModuleManifestTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public void Dispose() => _catalog.Dispose();
}
