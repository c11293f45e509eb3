using System.Globalization;
using Ironic.Core.Iso.BootConfig;

namespace Ironic.Core.Iso;

/// <summary>What making a node-specific ISO produced: the delta, the files it changed, the sizes.</summary>
public sealed record BootIsoResult(string BasePath, IsoDelta Delta, IReadOnlyList<ChangedFile> Changed)
{
    public long BaseSize => Delta.BaseLength;
    public long Size => Delta.NewLength;
    public long DeltaBytes => Delta.ToBytes().LongLength;
}

/// <summary>What New-BootIso and <c>ironic iso inject</c> report: where the result went and what changed.</summary>
public sealed record BootIsoOutput(string Path, string Kind, long BaseSize, long Size, long DeltaBytes, IReadOnlyList<string> ChangedFiles);

/// <summary>
/// The file-level operations the fronts share: make a delta from a base ISO and edits, write it as
/// a delta file or a whole ISO, apply a delta file to its base.
/// </summary>
public static class BootIsoService
{
    /// <summary>Largest local file that may be injected (the content travels in the delta).</summary>
    public const long MaxInjectedFileBytes = 512L * 1024 * 1024;

    /// <summary>Parses "ISO_PATH=LOCAL" pairs as the command line passes them.</summary>
    public static KeyValuePair<string, string> ParseInjectFile(string pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var eq = pair.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == pair.Length - 1)
        {
            throw new ArgumentException($"'{pair}' is not ISO_PATH=LOCAL_FILE (for example /etc/node.conf=./node.conf).", nameof(pair));
        }
        return new(pair[..eq], pair[(eq + 1)..]);
    }

    /// <summary>
    /// Reads the local files of ISO_PATH → LOCAL pairs (New-BootIso, Start-IronicDeploy -InjectFile,
    /// --inject-file), in order; a later pair for the same ISO path wins. Each is at most
    /// <see cref="MaxInjectedFileBytes"/>: it travels in the delta.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, byte[]>> ReadInjectFilesAsync(IEnumerable<KeyValuePair<string, string>> injectFiles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(injectFiles);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (isoPath, local) in injectFiles)
        {
            if (string.IsNullOrWhiteSpace(isoPath)) throw new ArgumentException($"The file {local} has no ISO path to go to; write it as ISO_PATH=LOCAL (for example /etc/node.conf=./node.conf).");
            var info = new FileInfo(local);
            if (!info.Exists) throw new FileNotFoundException($"The file to inject as '{isoPath}' does not exist: {local}.", local);
            if (info.Length > MaxInjectedFileBytes)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{local} is {info.Length} bytes; injected files are limited to {MaxInjectedFileBytes} bytes because they travel in the delta."));
            }
            files[isoPath] = await File.ReadAllBytesAsync(local, cancellationToken).ConfigureAwait(false);
        }
        return files;
    }

    /// <summary>Makes the delta: kernel parameters edited everywhere, then the files injected (replaced or added).</summary>
    public static Task<BootIsoResult> CreateAsync(string basePath, KernelParameterEdit kernelParameters, IEnumerable<KeyValuePair<string, string>> injectFiles, CancellationToken cancellationToken = default) =>
        CreateAsync(basePath, kernelParameters, injectFiles, implantMd5: false, cancellationToken);

    /// <summary>As above; <paramref name="implantMd5"/> re-implants the media-check MD5 (reads the whole image once).</summary>
    public static async Task<BootIsoResult> CreateAsync(string basePath, KernelParameterEdit kernelParameters, IEnumerable<KeyValuePair<string, string>> injectFiles, bool implantMd5, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(basePath);
        ArgumentNullException.ThrowIfNull(kernelParameters);
        ArgumentNullException.ThrowIfNull(injectFiles);
        var files = await ReadInjectFilesAsync(injectFiles, cancellationToken).ConfigureAwait(false);
        await using var stream = OpenBase(basePath);
        var builder = new BootIsoBuilder(IsoImage.Open(stream));
        builder.EditKernelParameters(kernelParameters);
        foreach (var (isoPath, content) in files) builder.PutFile(isoPath, content);
        var delta = implantMd5 ? await Task.Run(() => builder.Build(implantMd5: true), cancellationToken).ConfigureAwait(false) : builder.Build();
        return new BootIsoResult(basePath, delta, builder.Changed);
    }

    /// <summary>Writes the result as a whole ISO (base copied, patches written over it).</summary>
    public static async Task WriteIsoAsync(string basePath, IsoDelta delta, string outputPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (string.Equals(Path.GetFullPath(basePath), Path.GetFullPath(outputPath), StringComparison.Ordinal))
        {
            throw new ArgumentException($"The output {outputPath} is the base ISO itself; write the node's ISO to another file.");
        }
        await using var stream = OpenBase(basePath);
        await using var overlay = IsoOverlay.Open(stream, delta);
        var temp = outputPath + ".partial";
        try
        {
            await overlay.WriteToAsync(temp, cancellationToken).ConfigureAwait(false);
            File.Move(temp, outputPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static Task WriteDeltaAsync(IsoDelta delta, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delta);
        return File.WriteAllBytesAsync(path, delta.ToBytes(), cancellationToken);
    }

    public static async Task<IsoDelta> ReadDeltaAsync(string path, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"The delta file {path} does not exist.", path);
        if (info.Length > MaxInjectedFileBytes * 2) throw new IsoFormatException($"{path} is too large to be an ISO delta.");
        return IsoDelta.FromBytes(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Reads the image report (label, El Torito, hybrid layout, boot entries).</summary>
    public static BootIsoInfo Inspect(string path)
    {
        using var stream = OpenBase(path);
        return BootIsoInfo.Inspect(stream);
    }

    public static BootIsoOutput Describe(BootIsoResult result, string path, string kind) =>
        new(path, kind, result.BaseSize, result.Size, result.DeltaBytes, result.Changed.Select(c => c.Location).ToList());

    private static FileStream OpenBase(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The ISO {path} does not exist.", path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);
    }
}
