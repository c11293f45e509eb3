using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Ironic.HelpBuilder;

/// <summary>The fields of a module manifest (.psd1) that a package needs, read without PowerShell.</summary>
public sealed record ModuleManifestData(
    string Name,
    string Version,
    string Author,
    string CompanyName,
    string Copyright,
    string Description,
    string? LicenseUri,
    string? ProjectUri,
    string? ReleaseNotes,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> CmdletsToExport)
{
    /// <summary>
    /// Reads <c>Key = 'text'</c> and <c>Key = @('a', 'b')</c> entries (single-quoted strings, as
    /// our manifest writes them; '' is a quote). Not a PowerShell parser: a manifest with
    /// expressions or double-quoted strings is refused with the key named.
    /// </summary>
    public static ModuleManifestData Parse(string name, string psd1)
    {
        ArgumentNullException.ThrowIfNull(psd1);
        return new ModuleManifestData(
            name,
            Required(psd1, "ModuleVersion"),
            Required(psd1, "Author"),
            Optional(psd1, "CompanyName") ?? Required(psd1, "Author"),
            Optional(psd1, "Copyright") ?? "",
            Required(psd1, "Description"),
            Optional(psd1, "LicenseUri"),
            Optional(psd1, "ProjectUri"),
            Optional(psd1, "ReleaseNotes"),
            List(psd1, "Tags"),
            List(psd1, "CmdletsToExport"));
    }

    private static string Required(string psd1, string key) =>
        Optional(psd1, key) ?? throw new FormatException($"The module manifest has no {key} = '...' entry; add one (a single-quoted string).");

    private static string? Optional(string psd1, string key)
    {
        var m = Regex.Match(psd1, $@"(?m)^\s*{key}\s*=\s*'((?:[^']|'')*)'");
        return m.Success ? m.Groups[1].Value.Replace("''", "'", StringComparison.Ordinal) : null;
    }

    private static List<string> List(string psd1, string key)
    {
        var m = Regex.Match(psd1, $@"(?m)^\s*{key}\s*=\s*@\(([^)]*)\)");
        if (!m.Success) return [];
        return Regex.Matches(m.Groups[1].Value, @"'((?:[^']|'')*)'").Select(x => x.Groups[1].Value.Replace("''", "'", StringComparison.Ordinal)).ToList();
    }
}

/// <summary>
/// Packs a built module folder into the .nupkg that Publish-PSResource makes and
/// Install-PSResource installs: the module's files at the root of the zip, a nuspec named after
/// the module with the manifest's metadata, the tags PSResourceGet searches by (PSModule,
/// PSCmdlet_X, PSCommand_X, PSIncludes_Cmdlet), and the OPC parts ([Content_Types].xml, _rels)
/// that NuGet clients expect. For machines without pwsh; build.ps1 -Task Package uses
/// Publish-PSResource itself.
/// </summary>
public static class ModulePackage
{
    public const string NuspecNamespace = "http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd";

    /// <summary>Files never packed: debug symbols and the build's dependency manifest.</summary>
    private static readonly string[] SkippedExtensions = [".pdb", ".deps.json"];

    /// <summary>Writes <c>Name.Version.nupkg</c> into <paramref name="outputDirectory"/> and returns its path.</summary>
    public static string Create(string moduleDirectory, string moduleName, string outputDirectory)
    {
        var psd1Path = Path.Combine(moduleDirectory, moduleName + ".psd1");
        if (!File.Exists(psd1Path)) throw new FileNotFoundException($"No module manifest {moduleName}.psd1 in {moduleDirectory}: build the module first (build.ps1 -Task Build or build/package.sh).", psd1Path);
        var manifest = ModuleManifestData.Parse(moduleName, File.ReadAllText(psd1Path));
        Directory.CreateDirectory(outputDirectory);
        var target = Path.Combine(outputDirectory, $"{moduleName}.{manifest.Version}.nupkg");
        var temp = target + ".tmp";
        File.Delete(temp);
        using (var zip = ZipFile.Open(temp, ZipArchiveMode.Create))
        {
            WriteText(zip, moduleName + ".nuspec", Nuspec(manifest).ToString());
            var extensions = new SortedSet<string>(StringComparer.OrdinalIgnoreCase) { "nuspec", "psmdcp", "rels" };
            foreach (var file in Directory.EnumerateFiles(moduleDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (SkippedExtensions.Any(e => file.EndsWith(e, StringComparison.OrdinalIgnoreCase))) continue;
                var entry = Path.GetRelativePath(moduleDirectory, file).Replace('\\', '/');
                zip.CreateEntryFromFile(file, entry, CompressionLevel.Optimal);
                if (Path.GetExtension(file) is { Length: > 1 } ext) extensions.Add(ext[1..]);
            }
            var coreProperties = $"package/services/metadata/core-properties/{Guid.NewGuid():N}.psmdcp";
            WriteText(zip, "[Content_Types].xml", ContentTypes(extensions).ToString());
            WriteText(zip, "_rels/.rels", Relationships(moduleName, coreProperties).ToString());
            WriteText(zip, coreProperties, CoreProperties(manifest).ToString());
        }
        File.Move(temp, target, overwrite: true);
        return target;
    }

    public static XDocument Nuspec(ModuleManifestData manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        XNamespace ns = NuspecNamespace;
        var tags = manifest.Tags
            .Concat(["PSModule", "PSIncludes_Cmdlet"])
            .Concat(manifest.CmdletsToExport.SelectMany(c => new[] { "PSCmdlet_" + c, "PSCommand_" + c }))
            .Distinct(StringComparer.Ordinal);
        var metadata = new XElement(ns + "metadata",
            new XElement(ns + "id", manifest.Name),
            new XElement(ns + "version", manifest.Version),
            new XElement(ns + "authors", manifest.Author),
            new XElement(ns + "owners", manifest.CompanyName),
            new XElement(ns + "requireLicenseAcceptance", "false"));
        if (manifest.LicenseUri is not null) metadata.Add(new XElement(ns + "licenseUrl", manifest.LicenseUri));
        if (manifest.ProjectUri is not null) metadata.Add(new XElement(ns + "projectUrl", manifest.ProjectUri));
        metadata.Add(new XElement(ns + "description", manifest.Description));
        if (manifest.ReleaseNotes is not null) metadata.Add(new XElement(ns + "releaseNotes", manifest.ReleaseNotes));
        metadata.Add(new XElement(ns + "copyright", manifest.Copyright));
        metadata.Add(new XElement(ns + "tags", string.Join(' ', tags)));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement(ns + "package", metadata));
    }

    private static XDocument ContentTypes(IEnumerable<string> extensions)
    {
        XNamespace ns = "http://schemas.openxmlformats.org/package/2006/content-types";
        return new XDocument(new XElement(ns + "Types",
            extensions.Select(e => new XElement(ns + "Default",
                new XAttribute("Extension", e),
                new XAttribute("ContentType", e switch
                {
                    "rels" => "application/vnd.openxmlformats-package.relationships+xml",
                    "psmdcp" => "application/vnd.openxmlformats-package.core-properties+xml",
                    _ => "application/octet",
                })))));
    }

    private static XDocument Relationships(string name, string coreProperties)
    {
        XNamespace ns = "http://schemas.openxmlformats.org/package/2006/relationships";
        return new XDocument(new XElement(ns + "Relationships",
            new XElement(ns + "Relationship", new XAttribute("Type", "http://schemas.microsoft.com/packaging/2010/07/manifest"), new XAttribute("Target", "/" + name + ".nuspec"), new XAttribute("Id", "R" + Guid.NewGuid().ToString("N")[..16])),
            new XElement(ns + "Relationship", new XAttribute("Type", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"), new XAttribute("Target", "/" + coreProperties), new XAttribute("Id", "R" + Guid.NewGuid().ToString("N")[..16]))));
    }

    private static XDocument CoreProperties(ModuleManifestData manifest)
    {
        XNamespace cp = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties";
        XNamespace dc = "http://purl.org/dc/elements/1.1/";
        return new XDocument(new XElement(cp + "coreProperties",
            new XAttribute(XNamespace.Xmlns + "dc", dc.NamespaceName),
            new XElement(dc + "creator", manifest.Author),
            new XElement(dc + "description", manifest.Description),
            new XElement(dc + "identifier", manifest.Name),
            new XElement(cp + "version", manifest.Version),
            new XElement(cp + "keywords", string.Join(' ', manifest.Tags))));
    }

    private static void WriteText(ZipArchive zip, string name, string text)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        using var writer = new StreamWriter(entry.Open(), new System.Text.UTF8Encoding(false));
        writer.Write(text);
    }
}
