using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Ironic.Core.Boot;

/// <summary>
/// Consistent hashing with the same mapping as OpenStack's (tooz's HashRing, which Ironic's
/// conductors use): each host gets 2^exponent points, point r (from 0) being the MD5 of the host
/// name's UTF-8 bytes repeated r+2 times, read as a 128-bit big-endian number; a key belongs to the
/// host of the first point strictly above MD5(key), wrapping to the lowest point. So the same
/// conductor names own the same node UUIDs here as in Ironic, and a host joining or leaving
/// moves only the keys that fall on its own points. Immutable and thread-safe.
/// </summary>
public sealed class HashRing
{
    /// <summary>Ironic's default [DEFAULT]hash_partition_exponent.</summary>
    public const int DefaultPartitionExponent = 5;

    /// <summary>The largest exponent accepted: 65,536 points per host is already far more than balance needs.</summary>
    public const int MaxPartitionExponent = 16;

    private readonly UInt128[] _points;
    private readonly string[] _owners;

    public HashRing(IEnumerable<string> hosts, int partitionExponent = DefaultPartitionExponent)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        if (partitionExponent is < 0 or > MaxPartitionExponent)
        {
            throw new ArgumentOutOfRangeException(nameof(partitionExponent), partitionExponent, $"The partition exponent is 0 to {MaxPartitionExponent} (2^exponent points per host; Ironic's default is {DefaultPartitionExponent}).");
        }
        PartitionExponent = partitionExponent;
        var unique = hosts.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (unique.Any(string.IsNullOrEmpty)) throw new ArgumentException("A host name on the ring is empty.", nameof(hosts));
        Hosts = unique;

        var pointsPerHost = 1 << partitionExponent;
        var ring = new SortedDictionary<UInt128, string>();
        Span<byte> digest = stackalloc byte[MD5.HashSizeInBytes];
        foreach (var host in unique)
        {
            var bytes = Encoding.UTF8.GetBytes(host);
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            // tooz seeds the running MD5 with the name, then adds the name again before each point.
            md5.AppendData(bytes);
            for (var r = 0; r < pointsPerHost; r++)
            {
                md5.AppendData(bytes);
                md5.GetCurrentHash(digest);
                // A 128-bit collision between two hosts is not a practical concern; the later host wins, as in tooz.
                ring[BinaryPrimitives.ReadUInt128BigEndian(digest)] = host;
            }
        }
        _points = [.. ring.Keys];
        _owners = [.. ring.Values];
    }

    public int PartitionExponent { get; }

    /// <summary>The hosts on the ring, sorted (ordinal).</summary>
    public IReadOnlyList<string> Hosts { get; }

    /// <summary>How many points the ring has (hosts × 2^exponent).</summary>
    public int PointCount => _points.Length;

    public bool IsEmpty => _points.Length == 0;

    /// <summary>The owner of a node, keyed as Ironic keys it: the UUID's lower-case hyphenated text.</summary>
    public string GetOwner(Guid nodeUuid) => GetOwner(nodeUuid.ToString("D"));

    /// <summary>The owner of a text key (its UTF-8 bytes).</summary>
    public string GetOwner(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> buffer = key.Length <= 128 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(key.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(key.Length)];
        var length = Encoding.UTF8.GetBytes(key, buffer);
        return GetOwner(buffer[..length]);
    }

    /// <summary>The owner of a key given as bytes; InvalidOperationException when the ring has no host.</summary>
    public string GetOwner(ReadOnlySpan<byte> key) => _owners[PartitionOf(key)];

    /// <summary>Like <see cref="GetOwner(Guid)"/>, false on an empty ring.</summary>
    public bool TryGetOwner(Guid nodeUuid, out string owner)
    {
        if (IsEmpty) { owner = ""; return false; }
        owner = GetOwner(nodeUuid);
        return true;
    }

    /// <summary>
    /// Up to <paramref name="replicas"/> distinct hosts for a key, the owner first, walking the
    /// ring clockwise and skipping <paramref name="ignore"/> (tooz's get_nodes with ignore_nodes).
    /// </summary>
    public IReadOnlyList<string> GetOwners(Guid nodeUuid, int replicas, IReadOnlyCollection<string>? ignore = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        var skip = ignore ?? [];
        var wanted = Math.Min(replicas, Hosts.Count(h => !skip.Contains(h)));
        var result = new List<string>(wanted);
        if (wanted == 0) return result;
        var partition = PartitionOf(Encoding.UTF8.GetBytes(nodeUuid.ToString("D")));
        while (result.Count < wanted)
        {
            var host = _owners[partition];
            if (!skip.Contains(host) && !result.Contains(host, StringComparer.Ordinal)) result.Add(host);
            partition = partition + 1 < _points.Length ? partition + 1 : 0;
        }
        return result;
    }

    private int PartitionOf(ReadOnlySpan<byte> key)
    {
        if (IsEmpty) throw new InvalidOperationException("The hash ring has no host: no conductor is alive. Start a boot server (ironic serve) or check the heartbeat timeout.");
        Span<byte> digest = stackalloc byte[MD5.HashSizeInBytes];
        MD5.HashData(key, digest);
        var hash = BinaryPrimitives.ReadUInt128BigEndian(digest);
        // bisect_right: the first point strictly greater than the hash, wrapping past the end.
        int low = 0, high = _points.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (_points[mid] <= hash) low = mid + 1;
            else high = mid;
        }
        return low < _points.Length ? low : 0;
    }
}
