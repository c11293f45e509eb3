using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using Ironic.HelpBuilder;

namespace Ironic.PowerShell.Tests;

/// <summary>The .nupkg the PS-free packer (build/package.sh) makes from the built module, opened and read back.</summary>
public sealed class ModulePackageTests : IDisposable
{
    private static readonly string Root = Metadata("RepositoryRoot");
    private static readonly string ModuleDirectory = Metadata("ModuleOutputDirectory");
    private readonly DirectoryInfo _out = Directory.CreateTempSubdirectory("ironic-nupkg-");

    [Fact]
    public void Package_CarriesTheManifestsMetadata_InItsNuspec()
    {
        var psd1 = ModuleManifestData.Parse("Ironic", File.ReadAllText(Path.Combine(Root, "module", "Ironic.psd1")));

        var path = ModulePackage.Create(ModuleDirectory, "Ironic", _out.FullName);

        Assert.Equal($"Ironic.{psd1.Version}.nupkg", Path.GetFileName(path));
        using var zip = ZipFile.OpenRead(path);
        var nuspecEntry = zip.GetEntry("Ironic.nuspec");
        Assert.NotNull(nuspecEntry);
        using var stream = nuspecEntry!.Open();
        var nuspec = XDocument.Load(stream);
        XNamespace ns = ModulePackage.NuspecNamespace;
        var metadata = nuspec.Root!.Element(ns + "metadata")!;
        string Field(string name) => metadata.Element(ns + name)?.Value ?? throw new Xunit.Sdk.XunitException($"the nuspec has no <{name}>");
        Assert.Equal("Ironic", Field("id"));
        Assert.Equal(psd1.Version, Field("version"));
        Assert.Equal(psd1.Author, Field("authors"));
        Assert.Equal(psd1.Description, Field("description"));
        Assert.Equal("https://www.apache.org/licenses/LICENSE-2.0", Field("licenseUrl"));
        Assert.Equal(psd1.ProjectUri, Field("projectUrl"));
        Assert.StartsWith("First release", Field("releaseNotes"), StringComparison.Ordinal);
        Assert.Contains("Apache-2.0", Field("copyright"), StringComparison.Ordinal);
        var tags = Field("tags").Split(' ');
        Assert.Contains("PSModule", tags);
        Assert.Contains("PSEdition_Core", tags);
        Assert.Contains("Redfish", tags);
        Assert.Contains("PSCmdlet_New-BootIso", tags);
        Assert.Contains("PSCommand_Start-IronicBootServer", tags);
        Assert.All(psd1.CmdletsToExport, c => Assert.Contains("PSCmdlet_" + c, tags));
    }

    [Fact]
    public void Package_HoldsTheModuleFilesAtItsRoot_WithoutSymbols()
    {
        var path = ModulePackage.Create(ModuleDirectory, "Ironic", _out.FullName);

        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        foreach (var expected in new[]
        {
            "Ironic.psd1", "Ironic.PowerShell.dll", "Ironic.Core.dll", "Ironic.Format.ps1xml",
            "en-US/Ironic.PowerShell.dll-Help.xml", "en-US/about_Ironic.help.txt",
            "[Content_Types].xml", "_rels/.rels",
        })
        {
            Assert.Contains(expected, names);
        }
        Assert.Single(names, n => n.StartsWith("package/services/metadata/core-properties/", StringComparison.Ordinal) && n.EndsWith(".psmdcp", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.EndsWith(".pdb", StringComparison.Ordinal) || n.EndsWith(".deps.json", StringComparison.Ordinal) || n.Contains('\\', StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.Contains("System.Management.Automation", StringComparison.Ordinal));
        using var psd1 = new StreamReader(zip.GetEntry("Ironic.psd1")!.Open());
        Assert.Equal(File.ReadAllText(Path.Combine(Root, "module", "Ironic.psd1")), psd1.ReadToEnd());
        using var rels = zip.GetEntry("_rels/.rels")!.Open();
        Assert.Contains(XDocument.Load(rels).Descendants().Select(e => (string?)e.Attribute("Target")), t => t == "/Ironic.nuspec");
    }

    [Fact]
    public void Manifest_WithoutAVersion_IsRefusedWithTheKeyNamed()
    {
        var error = Assert.Throws<FormatException>(() => ModuleManifestData.Parse("Ironic", "@{ Author = 'x'; Description = 'y' }"));
        Assert.Contains("ModuleVersion", error.Message, StringComparison.Ordinal);
    }

    private static string Metadata(string key) =>
        typeof(ModulePackageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public void Dispose() => _out.Delete(recursive: true);
}
