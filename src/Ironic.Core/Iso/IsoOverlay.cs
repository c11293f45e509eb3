using System.Globalization;

namespace Ironic.Core.Iso;

/// <summary>
/// The result of base + <see cref="IsoDelta"/> as a seekable read-only stream (for HTTP Range
/// serving), and as a file when materialized. The base is only read; nothing is copied up front.
/// </summary>
public sealed class IsoOverlay : Stream
{
    private readonly Stream _base;
    private readonly IsoDelta _delta;
    private readonly bool _ownsBase;
    private readonly long[] _starts;
    private long _position;

    private IsoOverlay(Stream baseStream, IsoDelta delta, bool ownsBase)
    {
        _base = baseStream;
        _delta = delta;
        _ownsBase = ownsBase;
        _starts = delta.Patches.Select(p => p.Offset).ToArray();
    }

    /// <summary>
    /// Opens the composed image after checking that <paramref name="baseStream"/> is the delta's
    /// base (its length and descriptors: a few sector reads, whatever the number of files, since
    /// the boot server opens one of these per HTTP range request).
    /// </summary>
    public static IsoOverlay Open(Stream baseStream, IsoDelta delta, bool leaveOpen = true)
    {
        ArgumentNullException.ThrowIfNull(baseStream);
        ArgumentNullException.ThrowIfNull(delta);
        var fingerprint = IsoImage.ReadFingerprint(baseStream);
        delta.EnsureBase(baseStream.Length, fingerprint);
        return new IsoOverlay(baseStream, delta, !leaveOpen);
    }

    /// <summary>The composed view without the base check (the editor's own working view).</summary>
    internal static IsoOverlay OpenUnchecked(Stream baseStream, IsoDelta delta) => new(baseStream, delta, ownsBase: false);

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _delta.NewLength;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = ReadAt(_position, buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Reads the composed bytes at <paramref name="position"/>: patch bytes, else base bytes, else zeros.</summary>
    public int ReadAt(long position, Span<byte> buffer)
    {
        if (position >= Length) return 0;
        var total = (int)Math.Min(buffer.Length, Length - position);
        var done = 0;
        var index = Array.BinarySearch(_starts, position);
        if (index < 0) index = Math.Max(0, ~index - 1);
        while (done < total)
        {
            var at = position + done;
            while (index < _starts.Length && _delta.Patches[index].End <= at) index++;
            var patch = index < _starts.Length ? _delta.Patches[index] : null;
            int n;
            if (patch is not null && patch.Offset <= at)
            {
                n = (int)Math.Min(total - done, patch.End - at);
                patch.Bytes.AsSpan((int)(at - patch.Offset), n).CopyTo(buffer[done..]);
            }
            else
            {
                var limit = patch is null ? Length : patch.Offset;
                n = (int)Math.Min(total - done, limit - at);
                var fromBase = (int)Math.Clamp(_delta.BaseLength - at, 0, n);
                if (fromBase > 0) ReadBase(at, buffer.Slice(done, fromBase));
                buffer.Slice(done + fromBase, n - fromBase).Clear();
            }
            done += n;
        }
        return total;
    }

    private void ReadBase(long at, Span<byte> target)
    {
        lock (_base)
        {
            _base.Position = at;
            var got = 0;
            while (got < target.Length)
            {
                var n = _base.Read(target[got..]);
                if (n == 0) throw new IsoFormatException(string.Create(CultureInfo.InvariantCulture, $"The base image ended at byte {at + got}; it changed since the delta was made."));
                got += n;
            }
        }
    }

    /// <summary>
    /// Materializes the result: the base is copied with the platform's file copy (copy_file_range or
    /// reflink where the file system has it) when it is a file, then the patches are written over it
    /// through the same handle (one positioned write each), and the length set only if they did not reach it.
    /// </summary>
    public async Task WriteToAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (_base is FileStream fs && !string.Equals(Path.GetFullPath(fs.Name), full, StringComparison.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var handle = FileCopy.CopyToNew(fs.Name, full);
            foreach (var patch in _delta.Patches)
            {
                cancellationToken.ThrowIfCancellationRequested();
                RandomAccess.Write(handle, patch.Bytes, patch.Offset);
            }
            if (RandomAccess.GetLength(handle) != _delta.NewLength)
            {
                using var resize = new FileStream(handle, FileAccess.Write, 1);
                resize.SetLength(_delta.NewLength);
            }
            return;
        }
        File.Delete(full); // a new file, not a truncated one (see FileCopy)
        await using (var output = new FileStream(full, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
        {
            var buffer = new byte[1024 * 1024];
            for (long at = 0; at < Length; at += buffer.Length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var n = ReadAt(at, buffer);
                await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void WriteTo(string path) => WriteToAsync(path).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException("The composed ISO is read-only.");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The composed ISO is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsBase) _base.Dispose();
        base.Dispose(disposing);
    }
}
