using System.Globalization;

namespace Ironic.Core.Iso;

/// <summary>
/// Finds a file's record in another tree when its content cannot tell (an empty file has no
/// data sector of its own): the parent directory is located through a non-empty file below it,
/// whose data every tree shares; then the name is matched as ISO 9660 mangles names (upper case,
/// '_' for other characters, stem and extension shortened), so that a Joliet or Rock Ridge name
/// finds its plain ISO 9660 twin as well as an identical name.
/// </summary>
internal static class IsoTreeMatch
{
    /// <summary>
    /// The record of <paramref name="entry"/> in <paramref name="other"/>, or null when that tree has
    /// no such file (it may be hidden from it). Throws when several records fit equally well.
    /// </summary>
    public static IsoEntry? Counterpart(IsoImage image, IsoEntry entry, IsoVolumeDescriptor other)
    {
        var parent = CorrespondingDirectory(image, entry.Volume, ParentOf(entry.Path), other, 0);
        if (parent is null) return null;
        var candidates = image.EntriesOf(other).Where(e => e.IsDirectory == entry.IsDirectory && e.Path != "/" && ParentOf(e.Path) == parent).ToList();
        return BestByName(entry, candidates, other);
    }

    private static string? CorrespondingDirectory(IsoImage image, IsoVolumeDescriptor volume, string path, IsoVolumeDescriptor other, int depth)
    {
        if (path == "/") return "/";
        if (depth > 128) return null;
        // A non-empty file below the directory shares its data sector with its twin in the other tree.
        var prefix = path + "/";
        foreach (var below in image.EntriesOf(volume).Where(e => !e.IsDirectory && e.Size > 0 && e.Path.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(e => Depth(e.Path)))
        {
            var twins = image.EntriesAt(below.FirstSector).Where(e => ReferenceEquals(e.Volume, other) && e.Size > 0).Take(2).ToList();
            if (twins.Count != 1) continue; // shared content (hard links, deduplicated files) says nothing about the place
            var twin = twins[0].Path;
            for (var up = Depth(below.Path) - Depth(path); up > 0; up--) twin = ParentOf(twin);
            return twin;
        }
        // Nothing with content below it: find it by name under its parent's twin.
        var parent = CorrespondingDirectory(image, volume, ParentOf(path), other, depth + 1);
        if (parent is null) return null;
        var self = image.EntriesOf(volume).FirstOrDefault(e => e.IsDirectory && e.Path == path);
        if (self is null) return null;
        var candidates = image.EntriesOf(other).Where(e => e.IsDirectory && e.Path != "/" && ParentOf(e.Path) == parent).ToList();
        return BestByName(self, candidates, other)?.Path;
    }

    private static IsoEntry? BestByName(IsoEntry entry, List<IsoEntry> candidates, IsoVolumeDescriptor other)
    {
        var exact = candidates.Where(c => string.Equals(c.Name, entry.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (exact.Count == 1) return exact[0];
        var (stem, ext) = Mangled(entry.Name);
        var scored = candidates.Select(c =>
        {
            var (s, e) = Mangled(c.Name);
            var score = CommonPrefix(stem, s) * 2 + (e.Length > 0 && (ext.StartsWith(e, StringComparison.Ordinal) || e.StartsWith(ext, StringComparison.Ordinal)) || e.Length == 0 && ext.Length == 0 ? 1 : 0);
            return (Entry: c, Score: score);
        }).Where(x => x.Score >= 2).OrderByDescending(x => x.Score).ToList();
        if (scored.Count == 0) return null;
        if (scored.Count > 1 && scored[0].Score == scored[1].Score)
        {
            throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture,
                $"Cannot tell which record of the {other.Kind} tree is '{entry.Path}': '{scored[0].Entry.Path}' and '{scored[1].Entry.Path}' fit its name equally well and it has no content to compare. Give the file some content in the base image, or replace it by the path of that tree."));
        }
        return scored[0].Entry;
    }

    /// <summary>A name as ISO 9660 would spell it, without its ";1" version: see <see cref="IsoDirectoryWriter.MangledName"/>.</summary>
    private static (string Stem, string Extension) Mangled(string name)
    {
        var semi = name.IndexOf(';', StringComparison.Ordinal);
        return IsoDirectoryWriter.MangledName(semi >= 0 ? name[..semi] : name, isDirectory: false);
    }

    private static int CommonPrefix(string a, string b)
    {
        var n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n]) n++;
        return n;
    }

    private static int Depth(string path) => path.Count(c => c == '/');

    private static string ParentOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }
}
