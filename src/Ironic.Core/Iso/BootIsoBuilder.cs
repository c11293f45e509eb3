using System.Globalization;
using System.Text;
using Ironic.Core.Iso.BootConfig;
using Ironic.Core.Iso.Fat;

namespace Ironic.Core.Iso;

/// <summary>Where a text file lives: in the ISO tree, or inside an El Torito FAT image (<see cref="BootImage"/>).</summary>
public sealed record TextFileLocation(string Path, string? BootImage)
{
    public string Location => BootImage is null ? Path : $"{BootImage}:{Path}";
}

/// <summary>A file that an edit changed, with its old and new sizes (old -1 for an added file).</summary>
public sealed record ChangedFile(string Path, string? BootImage, long OldSize, long NewSize)
{
    public string Location => BootImage is null ? Path : $"{BootImage}:{Path}";
}

/// <summary>
/// Makes a node-specific variant of a boot ISO as an <see cref="IsoDelta"/>: text files edited in
/// the ISO tree and inside every El Torito FAT image (efiboot.img as a file, or an appended
/// partition outside the tree), files replaced or added. The base stream is only read.
/// </summary>
public sealed class BootIsoBuilder
{
    private readonly IsoEditor _editor;
    private readonly IsoDirectoryWriter _directories;
    private readonly List<ChangedFile> _changed = [];
    private readonly HashSet<string> _touched = [];

    public BootIsoBuilder(IsoImage image)
    {
        _editor = new IsoEditor(image);
        _directories = new IsoDirectoryWriter(_editor);
    }

    public IsoImage Image => _editor.Image;

    public IReadOnlyList<ChangedFile> Changed => _changed;

    /// <summary>
    /// Applies a kernel parameter edit to every GRUB, ISOLINUX/SYSLINUX and ESXi boot.cfg
    /// configuration found (by name and content) in the ISO tree and inside the El Torito FAT images.
    /// Byte-exact: only the parameters change, whatever the file's encoding.
    /// </summary>
    public IReadOnlyList<ChangedFile> EditKernelParameters(KernelParameterEdit edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        if (edit.IsEmpty) return [];
        return EditFiles(BootConfigFiles.IsCandidate, (file, bytes) =>
            BootConfigFiles.Detect(file.Path, Encoding.Latin1.GetString(bytes)) is { } kind ? BootConfigEditor.Apply(kind, bytes, edit) : null);
    }

    /// <summary>
    /// Offers every text file that <paramref name="isCandidate"/> (path, size) accepts, in the ISO
    /// tree and in each El Torito FAT image, to <paramref name="edit"/> (where, text) → new text, or
    /// null to leave it; writes the changes. The text is the file decoded as UTF-8 when it is valid
    /// UTF-8, else as Latin-1 (one character a byte), and is written back the same way, so the bytes
    /// an edit leaves alone stay as they were.
    /// </summary>
    public IReadOnlyList<ChangedFile> EditTextFiles(Func<string, long, bool> isCandidate, Func<TextFileLocation, string, string?> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        return EditFiles(isCandidate, (file, bytes) =>
        {
            var encoding = IsUtf8(bytes) ? StrictUtf8 : Encoding.Latin1;
            var text = encoding.GetString(bytes);
            return edit(file, text) is { } updated && !string.Equals(updated, text, StringComparison.Ordinal) ? encoding.GetBytes(updated) : null;
        });
    }

    /// <summary>
    /// Offers the bytes of every text file that <paramref name="isCandidate"/> (path, size) accepts, in
    /// the ISO tree and in each El Torito FAT image, to <paramref name="edit"/> (where, bytes) → new
    /// bytes, or null to leave it; writes the changes.
    /// </summary>
    public IReadOnlyList<ChangedFile> EditFiles(Func<string, long, bool> isCandidate, Func<TextFileLocation, byte[], byte[]?> edit)
    {
        ArgumentNullException.ThrowIfNull(isCandidate);
        ArgumentNullException.ThrowIfNull(edit);
        _touched.Clear();
        var bootSectors = Image.ElTorito?.Entries.Select(e => e.LoadSector).ToHashSet() ?? [];
        foreach (var entry in Image.EntriesOf(Image.PreferredVolume).ToList())
        {
            if (entry.IsDirectory || entry.Size == 0 || entry.SymlinkTarget is not null || entry.Extents.Count != 1) continue;
            if (bootSectors.Contains(entry.FirstSector) || !isCandidate(entry.Path, entry.Size)) continue;
            var bytes = _editor.ReadCurrent(entry, BootConfigFiles.MaxConfigBytes);
            if (!LooksLikeText(bytes)) continue;
            if (edit(new TextFileLocation(entry.Path, null), bytes) is not { } content || content.AsSpan().SequenceEqual(bytes)) continue;
            _editor.ReplaceFile(entry, content);
            Record(new ChangedFile(entry.Path, null, entry.Size, content.Length));
        }
        foreach (var boot in FatBootImages())
        {
            EditFat(boot, isCandidate, edit);
        }
        return _changed.Where(c => _touched.Contains(c.Location)).ToList();
    }

    /// <summary>Replaces an existing file or adds a new one (creating directories as needed).</summary>
    public void PutFile(string isoPath, ReadOnlySpan<byte> content)
    {
        var path = IsoImage.NormalizePath(isoPath);
        var existing = Image.Find(path);
        if (existing is { IsDirectory: true }) throw new IsoFormatException($"Cannot write the file '{path}': a directory of that name exists in the image.");
        if (existing is not null)
        {
            _editor.ReplaceFile(existing, content);
            Record(new ChangedFile(path, null, existing.Size, content.Length));
        }
        else
        {
            _editor.RefuseAddingToUdf(path);
            _directories.AddFile(path, content);
            Record(new ChangedFile(path, null, -1, content.Length));
        }
    }

    /// <summary>The delta; <paramref name="implantMd5"/> re-implants the media-check sum (reads the whole image).</summary>
    public IsoDelta Build(bool blankImplantedMd5 = true, bool implantMd5 = false)
    {
        _directories.Flush();
        return _editor.Build(blankImplantedMd5, implantMd5);
    }

    /// <summary>Notes a change; a file changed twice is listed once, with its original size.</summary>
    private void Record(ChangedFile change)
    {
        _touched.Add(change.Location);
        var index = _changed.FindIndex(c => string.Equals(c.Location, change.Location, StringComparison.Ordinal));
        if (index < 0) _changed.Add(change);
        else _changed[index] = change with { OldSize = _changed[index].OldSize };
    }

    private IEnumerable<ElToritoEntry> FatBootImages()
    {
        if (Image.ElTorito is not { } catalog) yield break;
        var seen = new HashSet<long>();
        foreach (var entry in catalog.Entries)
        {
            if (!seen.Add(entry.LoadSector) || entry.ImageLength < 512) continue;
            var bpb = _editor.ReadBytes(entry.LoadSector * IsoSource.SectorSize, 512);
            // A FAT boot sector ends in 55 AA and names a jump instruction; BIOS loaders (isolinux.bin) do not.
            if (bpb[510] != 0x55 || bpb[511] != 0xAA || bpb[0] is not (0xEB or 0xE9)) continue;
            yield return entry;
        }
    }

    private void EditFat(ElToritoEntry boot, Func<string, long, bool> isCandidate, Func<TextFileLocation, byte[], byte[]?> edit)
    {
        var regionOffset = boot.LoadSector * IsoSource.SectorSize;
        var name = boot.ImagePath ?? string.Create(CultureInfo.InvariantCulture, $"[El Torito image {boot.Index} at sector {boot.LoadSector}]");
        using var view = _editor.CurrentView();
        FatVolume fat;
        try
        {
            fat = FatVolume.Open(view, regionOffset, boot.ImageLength);
        }
        catch (IsoFormatException e)
        {
            throw new IsoFormatException($"The El Torito boot image {name} looks like FAT but cannot be read: {e.Message}", e);
        }
        var replacements = new List<FatReplacement>();
        foreach (var file in fat.ListFiles())
        {
            if (file.Size == 0 || !isCandidate(file.Path, file.Size)) continue;
            var bytes = fat.ReadFile(file);
            if (!LooksLikeText(bytes)) continue;
            if (edit(new TextFileLocation(file.Path, name), bytes) is not { } content || content.AsSpan().SequenceEqual(bytes)) continue;
            replacements.Add(new FatReplacement(file, content));
            Record(new ChangedFile(file.Path, name, file.Size, content.Length));
        }
        if (replacements.Count == 0) return;
        // Keep the files' own time stamp so the same edit of the same base gives the same bytes.
        var stamp = replacements.Select(r => r.Entry.LastWriteTime).FirstOrDefault(t => t is not null) ?? new DateTime(1980, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
        foreach (var write in fat.PlanReplace(replacements, stamp))
        {
            if (write.Offset < 0 || write.Offset + write.Bytes.Length > boot.ImageLength)
            {
                throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"A FAT write at {write.Offset} falls outside the boot image {name} ({boot.ImageLength} bytes)."));
            }
            _editor.WriteBytes(regionOffset + write.Offset, write.Bytes);
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static bool IsUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    private static bool LooksLikeText(ReadOnlySpan<byte> bytes) => bytes[..Math.Min(bytes.Length, 8192)].IndexOf((byte)0) < 0;
}
