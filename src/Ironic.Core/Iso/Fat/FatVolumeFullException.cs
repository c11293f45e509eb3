namespace Ironic.Core.Iso.Fat;

/// <summary>The FAT volume has too few free clusters for the new content.</summary>
public sealed class FatVolumeFullException : IsoFormatException
{
    public FatVolumeFullException(string message) : base(message) { }

    public FatVolumeFullException(string message, Exception inner) : base(message, inner) { }
}
