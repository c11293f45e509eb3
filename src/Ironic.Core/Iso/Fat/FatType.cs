namespace Ironic.Core.Iso.Fat;

/// <summary>The FAT variant, decided by the count of data clusters (Microsoft FAT specification, "FAT Type Determination").</summary>
public enum FatType
{
    Fat12,
    Fat16,
    Fat32,
}
