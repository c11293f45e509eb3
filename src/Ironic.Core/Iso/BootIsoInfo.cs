using System.Text;
using Ironic.Core.Iso.BootConfig;

namespace Ironic.Core.Iso;

/// <summary>One boot entry of one configuration file, with where that file lives.</summary>
public sealed record BootIsoEntry(string ConfigLocation, BootConfigKind Kind, string Title, string Kernel, string CommandLine, string? Initrd);

/// <summary>What Get-BootIso and <c>ironic iso show</c> report about an image.</summary>
public sealed record BootIsoInfo(
    string Label,
    long Size,
    IReadOnlyList<string> Trees,
    IReadOnlyList<ElToritoEntry> ElTorito,
    string? BootCatalog,
    string Hybrid,
    IReadOnlyList<MbrPartition> MbrPartitions,
    IReadOnlyList<GptPartition> GptPartitions,
    bool Udf,
    bool ImplantedMd5,
    IReadOnlyList<BootIsoEntry> BootEntries)
{
    /// <summary>Reads an image and every boot entry of every configuration in its tree and its El Torito FAT images.</summary>
    public static BootIsoInfo Inspect(Stream stream)
    {
        var image = IsoImage.Open(stream);
        var entries = new List<BootIsoEntry>();
        var reader = new BootIsoBuilder(image);
        // An edit that records and never changes anything walks the same files the injection edits.
        reader.EditTextFiles(BootConfigFiles.IsCandidate, (file, text) =>
        {
            if (BootConfigFiles.Detect(file.Path, text) is { } kind)
            {
                foreach (var e in BootConfigEditor.ReadEntries(kind, text)) entries.Add(new BootIsoEntry(file.Location, kind, e.Title, e.Kernel, e.CommandLine, e.Initrd));
            }
            return null;
        });
        var trees = image.Volumes.Select(v => Describe(v)).ToList();
        return new BootIsoInfo(image.Label, image.Length, trees, image.ElTorito?.Entries ?? [], image.ElTorito?.CatalogPath, image.Hybrid.Describe(),
            image.Hybrid.Mbr, image.Hybrid.Gpt?.Partitions ?? [], image.HasUdf, image.HasImplantedMd5, entries);
    }

    private static string Describe(IsoVolumeDescriptor v)
    {
        var sb = new StringBuilder(v.Kind.ToString());
        if (v.RockRidge) sb.Append("+RockRidge");
        if (v.IsSecondSet) sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"@{v.BaseSector}");
        return sb.ToString();
    }
}
