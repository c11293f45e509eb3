namespace Ironic.Core.Iso.Fat;

/// <summary>
/// Bytes to write at <paramref name="Offset"/>, relative to the start of the region (the FAT image)
/// the plan was made for. Writes of one plan never overlap, so they may be applied in any order.
/// </summary>
public readonly record struct RegionWrite(long Offset, byte[] Bytes)
{
    /// <summary>Applies <paramref name="writes"/> to <paramref name="target"/>, whose region starts at <paramref name="regionOffset"/>.</summary>
    public static void ApplyAll(Stream target, long regionOffset, IEnumerable<RegionWrite> writes)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(writes);
        foreach (var write in writes)
        {
            target.Position = regionOffset + write.Offset;
            target.Write(write.Bytes);
        }
    }
}
