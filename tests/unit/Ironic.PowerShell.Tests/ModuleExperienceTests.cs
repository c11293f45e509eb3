using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Ironic.HelpBuilder;

namespace Ironic.PowerShell.Tests;

/// <summary>What a user of the built module meets besides the cmdlets: about_Ironic, table views, completers.</summary>
public sealed partial class ModuleExperienceTests : IDisposable
{
    private static readonly string ModuleDirectory = Metadata("ModuleOutputDirectory");
    private readonly CmdletCatalog _catalog = new(Path.Combine(ModuleDirectory, "Ironic.PowerShell.dll"), Metadata("AutomationReferencePath"));

    [Fact]
    public void AboutTopic_IsBesideTheModule_AndNamesOnlyCmdletsThatExist()
    {
        var path = Path.Combine(ModuleDirectory, "en-US", "about_Ironic.help.txt");
        Assert.True(File.Exists(path), "about_Ironic.help.txt is not copied to en-US beside the module");
        var lines = File.ReadAllLines(path);

        Assert.Equal("TOPIC", lines[0]);
        Assert.Equal("about_Ironic", lines[1].Trim());
        Assert.Contains("SHORT DESCRIPTION", lines);
        Assert.Contains("LONG DESCRIPTION", lines);
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"about_Ironic line longer than 80 columns: {l}"));
        var cmdlets = _catalog.Cmdlets().Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var named = CmdletName().Matches(string.Join('\n', lines)).Select(m => m.Value).Distinct().ToList();
        Assert.NotEmpty(named);
        Assert.All(named, n => Assert.True(cmdlets.Contains(n), $"about_Ironic names {n}, which the module does not have"));
    }

    [Theory]
    [InlineData("Ironic.Core.Inventory.Node")]
    [InlineData("Ironic.Core.Inventory.Port")]
    [InlineData("Ironic.Core.Boot.ConductorOwnership")]
    [InlineData("Ironic.Core.Redfish.VirtualMediaSlot")]
    [InlineData("Ironic.Core.Iso.BootIsoInfo")]
    [InlineData("Ironic.Core.Deploy.DeployProgress")]
    [InlineData("Ironic.Core.Deploy.DeployStatus")]
    public void Formats_HaveATableView_ForWhatOperatorsList(string typeName)
    {
        var view = Views().SingleOrDefault(v => v.Type == typeName);
        Assert.True(view.Type is not null, $"no table view for {typeName} in Ironic.Format.ps1xml");
        Assert.True(view.Columns.Count >= 3, $"the view of {typeName} has {view.Columns.Count} columns");
    }

    [Fact]
    public void Formats_HaveATableView_ForEveryIronicTypeACmdletWrites_WithRealProperties()
    {
        var views = Views().ToDictionary(v => v.Type, v => v.Columns, StringComparer.Ordinal);
        foreach (var output in _catalog.Cmdlets().SelectMany(c => c.OutputTypes).Where(t => t.StartsWith("Ironic.", StringComparison.Ordinal)).Distinct())
        {
            Assert.True(views.ContainsKey(output), $"a cmdlet writes {output}, which has no table view in Ironic.Format.ps1xml");
        }
        foreach (var (type, columns) in views)
        {
            var clr = CoreType(type);
            if (clr is null) continue; // a type of another assembly (the PowerShell module's own)
            foreach (var property in columns)
            {
                Assert.True(clr.GetProperty(property) is not null, $"the view of {type} shows {property}, which {type} does not have");
            }
        }
    }

    [Theory]
    [InlineData("NodeNameCompleter")]
    [InlineData("ConductorNameCompleter")]
    [InlineData("MacAddressCompleter")]
    public void Completers_AreArgumentCompleters_UsedByCmdlets(string completer)
    {
        var type = _catalog.Module.GetType("Ironic.PowerShell.Cmdlets." + completer);
        Assert.NotNull(type);
        Assert.Contains(type!.GetInterfaces().Concat(type.BaseType!.GetInterfaces()), i => i.FullName == "System.Management.Automation.IArgumentCompleter");
        var users = _catalog.Module.GetTypes()
            .SelectMany(t => t.GetProperties())
            .Where(p => p.GetCustomAttributesData().Any(a => a.AttributeType.FullName == "System.Management.Automation.ArgumentCompleterAttribute"
                && a.ConstructorArguments.Any(arg => arg.Value is Type t && t.Name == completer)))
            .ToList();
        Assert.NotEmpty(users);
    }

    private static Type? CoreType(string name) => typeof(Ironic.Core.IronicInfo).Assembly.GetType(name);

    private static IEnumerable<(string Type, IReadOnlyList<string> Columns)> Views()
    {
        var doc = XDocument.Load(Path.Combine(ModuleDirectory, "Ironic.Format.ps1xml"));
        foreach (var view in doc.Descendants("View").Where(v => v.Element("TableControl") is not null))
        {
            var type = view.Element("ViewSelectedBy")!.Element("TypeName")!.Value;
            var columns = view.Descendants("PropertyName").Select(p => p.Value).ToList();
            yield return (type, columns);
        }
    }

    [GeneratedRegex(@"\b(?:Get|Set|New|Remove|Start|Stop|Test|Mount|Dismount|Wait)-(?:Ironic|Bmc|Boot|Virtual)[A-Za-z]+\b")]
    private static partial Regex CmdletName();

    private static string Metadata(string key) =>
        typeof(ModuleExperienceTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public void Dispose() => _catalog.Dispose();
}
