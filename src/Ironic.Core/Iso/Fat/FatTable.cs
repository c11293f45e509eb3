using System.Buffers.Binary;

namespace Ironic.Core.Iso.Fat;

/// <summary>
/// The file allocation table in memory (only the entries for existing clusters), with reads
/// that validate every link and writes that remember which bytes changed.
/// Layout: Microsoft FAT specification, "FAT Data Structure" (12-, 16- and 28-bit entries).
/// </summary>
internal sealed class FatTable
{
    private readonly byte[] _bytes;
    private readonly FatType _type;
    private readonly uint _maxCluster;
    private readonly SortedSet<long> _dirtyBytes = [];

    public FatTable(byte[] bytes, FatType type, uint maxCluster)
    {
        _bytes = bytes;
        _type = type;
        _maxCluster = maxCluster;
    }

    public FatTable Clone() => new((byte[])_bytes.Clone(), _type, _maxCluster);

    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Byte offsets (within one FAT) that changed since this table was made.</summary>
    public IReadOnlyCollection<long> DirtyBytes => _dirtyBytes;

    public uint EndOfChainMark => _type switch
    {
        FatType.Fat12 => 0xFFF,
        FatType.Fat16 => 0xFFFF,
        _ => 0x0FFFFFFF,
    };

    private uint BadClusterMark => _type switch
    {
        FatType.Fat12 => 0xFF7,
        FatType.Fat16 => 0xFFF7,
        _ => 0x0FFFFFF7,
    };

    public uint Get(uint cluster)
    {
        switch (_type)
        {
            case FatType.Fat12:
            {
                int offset = (int)(cluster + cluster / 2);
                ushort pair = BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(offset));
                return (cluster & 1) == 0 ? (uint)(pair & 0x0FFF) : (uint)(pair >> 4);
            }
            case FatType.Fat16:
                return BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan((int)cluster * 2));
            default:
                // FAT32 entries are 28 bits; the top 4 are reserved and must be preserved.
                return BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan((int)cluster * 4)) & 0x0FFFFFFF;
        }
    }

    public void Set(uint cluster, uint value)
    {
        switch (_type)
        {
            case FatType.Fat12:
            {
                int offset = (int)(cluster + cluster / 2);
                var span = _bytes.AsSpan(offset, 2);
                ushort pair = BinaryPrimitives.ReadUInt16LittleEndian(span);
                pair = (cluster & 1) == 0
                    ? (ushort)(((uint)pair & 0xF000u) | (value & 0x0FFFu))
                    : (ushort)(((uint)pair & 0x000Fu) | ((value & 0x0FFFu) << 4));
                BinaryPrimitives.WriteUInt16LittleEndian(span, pair);
                _dirtyBytes.Add(offset);
                _dirtyBytes.Add(offset + 1);
                break;
            }
            case FatType.Fat16:
                BinaryPrimitives.WriteUInt16LittleEndian(_bytes.AsSpan((int)cluster * 2), (ushort)value);
                _dirtyBytes.Add(cluster * 2L);
                break;
            default:
            {
                var span = _bytes.AsSpan((int)cluster * 4, 4);
                uint old = BinaryPrimitives.ReadUInt32LittleEndian(span);
                BinaryPrimitives.WriteUInt32LittleEndian(span, (old & 0xF0000000) | (value & 0x0FFFFFFF));
                _dirtyBytes.Add(cluster * 4L);
                break;
            }
        }
    }

    public bool IsFree(uint cluster) => Get(cluster) == 0;

    public bool IsEndOfChain(uint value) => value >= BadClusterMark + 1;

    public int CountFree()
    {
        int free = 0;
        for (uint c = 2; c <= _maxCluster; c++)
        {
            if (Get(c) == 0)
                free++;
        }
        return free;
    }

    /// <summary>
    /// The clusters of the chain that starts at <paramref name="first"/>, checked link by link:
    /// every link is a valid cluster, the chain ends with an end-of-chain mark and never revisits
    /// a cluster (a loop), and it is no longer than <paramref name="maxClusters"/>.
    /// </summary>
    public List<uint> Chain(uint first, long maxClusters, string owner)
    {
        var chain = new List<uint>();
        var seen = new System.Collections.BitArray((int)_maxCluster + 1); // at most 2 MiB, for 16 M clusters
        uint cluster = first;
        while (true)
        {
            if (cluster < 2 || cluster > _maxCluster)
                throw new IsoFormatException($"FAT: the cluster chain of {owner} reaches cluster {cluster}, outside the valid clusters 2..{_maxCluster}. The FAT image is corrupt; run fsck.fat on it or use the original ISO.");
            if (seen[(int)cluster])
                throw new IsoFormatException($"FAT: the cluster chain of {owner} loops back to cluster {cluster} after {chain.Count} clusters. The FAT image is corrupt; run fsck.fat on it or use the original ISO.");
            seen[(int)cluster] = true;
            chain.Add(cluster);
            if (chain.Count > maxClusters)
                throw new IsoFormatException($"FAT: the cluster chain of {owner} is longer than the {maxClusters} clusters its size allows. The FAT image is corrupt; run fsck.fat on it or use the original ISO.");
            uint next = Get(cluster);
            if (IsEndOfChain(next))
                return chain;
            if (next == BadClusterMark)
                throw new IsoFormatException($"FAT: the cluster chain of {owner} runs into cluster {cluster} marked bad. The FAT image is damaged; use the original ISO.");
            if (next == 0)
                throw new IsoFormatException($"FAT: the cluster chain of {owner} runs into cluster {cluster}, which is marked free. The FAT image is corrupt; run fsck.fat on it or use the original ISO.");
            cluster = next;
        }
    }
}
