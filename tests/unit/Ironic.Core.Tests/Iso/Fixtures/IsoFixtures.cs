using System.Security.Cryptography;
using System.Text;

namespace Ironic.Core.Tests.Iso.Fixtures;

/// <summary>The ISO images the ISO tests read and edit.</summary>
public enum IsoFixtureKind
{
    /// <summary>make-test-iso.sh --layout both: grub.cfg in /EFI/BOOT and inside images/efiboot.img; ISOLINUX; isohybrid MBR+GPT; RR+Joliet.</summary>
    MakeTestIsoBoth,

    /// <summary>make-test-iso.sh --layout iso: only /boot/grub/grub.cfg on the ISO (Ubuntu style).</summary>
    MakeTestIsoIso,

    /// <summary>xorriso -R without -J: Rock Ridge names, no Joliet tree.</summary>
    RockRidgeOnly,

    /// <summary>xorriso -J --norock: Joliet tree, no Rock Ridge (xorriso writes Rock Ridge unless told not to).</summary>
    JolietOnly,

    /// <summary>ISO level 1, --norock, no -J: upper-case 8.3 names only.</summary>
    Level1Names,

    /// <summary>ESXi installer shape (ISO 9660 + Joliet, upper-case names, no Rock Ridge): /BOOT.CFG and /EFI/BOOT/BOOT.CFG with kernelopt=, ISOLINUX with mboot.c32, EFI El Torito image.</summary>
    EsxiStyle,

    /// <summary>xorriso -partition_offset 16 with an isohybrid MBR/GPT: a second volume descriptor set and tree at block 16.</summary>
    PartitionOffset16,

    /// <summary>Newer Debian/Ubuntu shape: the EFI FAT image is MBR partition 2 appended after the ISO tree (not a file in it); El Torito's EFI entry points there.</summary>
    AppendedEfiPartition,

    /// <summary>
    /// UDF bridge (genisoimage -udf -R -J) of the make-test-iso.sh --layout iso tree: boots under BIOS
    /// (ISOLINUX) and UEFI; isolinux.cfg is padded so that three more parameters push it past its sector.
    /// </summary>
    UdfBridge,

    /// <summary>
    /// xorriso -iso-level 3 -R -J with /big/huge.bin of 4 GiB + 3 MiB: more than one extent holds
    /// (4 GiB - 2 KiB each), so it is recorded as a multi-extent file. The file is sparse apart from
    /// <see cref="IsoFixtures.HugeTail"/> near its end, and so is the image (built through cp --sparse).
    /// </summary>
    MultiExtent,
}

/// <summary>
/// Builds each fixture image once per run (on first use) into a cache directory keyed by the
/// inputs that shape it, so later runs reuse it. Share it with
/// <c>[Collection(IsoFixtureCollection.Name)]</c> and a constructor parameter of this type.
/// Cache: $IRONIC_TEST_CACHE, else $XDG_CACHE_HOME/ironic-test-isos, else ~/.cache/ironic-test-isos.
/// </summary>
public sealed class IsoFixtures
{
    /// <summary>Bump when the trees or options below change, so that cached images are rebuilt.</summary>
    private const string GeneratorVersion = "iso-fixtures-4";

    /// <summary>The kernel command line every GRUB and ISOLINUX entry of the xorriso-built trees carries.</summary>
    public const string CommandLine = "console=ttyS0 panic=-1 quiet";

    /// <summary>grub.cfg of the xorriso-built trees (on the ISO and inside images/efiboot.img).</summary>
    public const string GrubCfg = "set timeout=1\nmenuentry 'Fixture' {\n  linux /images/vmlinuz " + CommandLine + "\n  initrd /images/initrd.img\n}\n";

    /// <summary>isolinux.cfg of the xorriso-built trees.</summary>
    public const string IsolinuxCfg = "default linux\ntimeout 1\nprompt 0\nlabel linux\n  kernel /images/vmlinuz\n  append initrd=/images/initrd.img " + CommandLine + "\n";

    /// <summary>BOOT.CFG of the ESXi-style image (both copies), CRLF as VMware writes it.</summary>
    public const string EsxiBootCfg = "bootstate=0\r\ntitle=Loading ESXi installer\r\ntimeout=5\r\nprefix=\r\nkernel=/b.b00\r\nkernelopt=runweasel cdromBoot allowLegacyCPU=true\r\nmodules=/jumpstrt.gz --- /useropts.gz\r\nbuild=8.0.2-0.0.22380479\r\nupdated=0\r\n";

    /// <summary>A name longer than 8.3, to tell Joliet/Rock Ridge trees from the plain ISO 9660 one.</summary>
    public const string LongFileName = "docs/a-rather-long-file-name-for-the-reader.txt";

    /// <summary>The size of the UDF bridge's isolinux.cfg: a few bytes under one sector, so added parameters move it.</summary>
    public const int UdfIsolinuxPadding = 2030;

    /// <summary>Size of /big/huge.bin in the multi-extent fixture.</summary>
    public const long HugeSize = 4L * 1024 * 1024 * 1024 + 3 * 1024 * 1024;

    /// <summary>Where <see cref="HugeTail"/> sits in /big/huge.bin: inside its second extent.</summary>
    public const long HugeTailOffset = HugeSize - 1024 * 1024;

    /// <summary>The only non-zero bytes of /big/huge.bin.</summary>
    public static byte[] HugeTail { get; } = Filler(4096, 9);

    private readonly Dictionary<IsoFixtureKind, Lazy<string>> _images = [];

    public IsoFixtures()
    {
        CacheDirectory = Environment.GetEnvironmentVariable("IRONIC_TEST_CACHE") is { Length: > 0 } explicitCache
            ? explicitCache
            : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "ironic-test-isos");
        Directory.CreateDirectory(CacheDirectory);
        foreach (var kind in Enum.GetValues<IsoFixtureKind>())
            _images[kind] = new Lazy<string>(() => Build(kind), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string CacheDirectory { get; }

    /// <summary>The repository root: the first directory above the test binaries that holds Ironic.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>$IRONIC_MAKE_TEST_ISO, else ../shared/tools/make-test-iso.sh relative to the repository root; fails with where it looked.</summary>
    public static string MakeTestIsoScript
    {
        get
        {
            string script = Environment.GetEnvironmentVariable("IRONIC_MAKE_TEST_ISO") is { Length: > 0 } explicitScript
                ? explicitScript
                : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "tools", "make-test-iso.sh"));
            if (!File.Exists(script))
                throw new InvalidOperationException($"make-test-iso.sh is not at {script}: the ISO fixtures need the shared tools next to the repository (../shared/tools), or IRONIC_MAKE_TEST_ISO set to the script.");
            return script;
        }
    }

    /// <summary>The path of the fixture image, built on first use (or taken from the cache).</summary>
    public string PathOf(IsoFixtureKind kind) => _images[kind].Value;

    /// <summary>Byte offset and length of MBR partition <paramref name="number"/> (1-4) of an image (MBR partition table at byte 446, 16-byte entries, LBA of 512 bytes).</summary>
    public static (long Offset, long Length) MbrPartition(string image, int number)
    {
        using var stream = File.OpenRead(image);
        var mbr = new byte[512];
        stream.ReadExactly(mbr);
        var entry = mbr.AsSpan(446 + (number - 1) * 16, 16);
        long start = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
        long sectors = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]);
        return (start * 512, sectors * 512);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ironic.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No Ironic.sln above {AppContext.BaseDirectory}: run the tests from the repository.");
    }

    private string Build(IsoFixtureKind kind)
    {
        string key = CacheKey(kind);
        string target = Path.Combine(CacheDirectory, $"{kind}-{key}.iso");
        if (File.Exists(target))
            return target;

        string work = Directory.CreateTempSubdirectory($"ironic-iso-{kind}-").FullName;
        try
        {
            string built = Path.Combine(work, "out.iso");
            switch (kind)
            {
                case IsoFixtureKind.MakeTestIsoBoth:
                    RunMakeTestIso(built, "both");
                    break;
                case IsoFixtureKind.MakeTestIsoIso:
                    RunMakeTestIso(built, "iso");
                    break;
                case IsoFixtureKind.UdfBridge:
                {
                    string source = Path.Combine(work, "source.iso");
                    RunMakeTestIso(source, "iso");
                    string tree = Path.Combine(work, "tree");
                    ExternalTool.Run("osirrox", "-indev", source, "-extract", "/", tree);
                    ExternalTool.Run("chmod", "-R", "u+w", tree);
                    string cfg = Path.Combine(tree, "isolinux", "isolinux.cfg");
                    string text = File.ReadAllText(cfg);
                    File.WriteAllText(cfg, text.Replace("prompt 0\n", "prompt 0\n# " + new string('.', UdfIsolinuxPadding - text.Length - 3) + "\n", StringComparison.Ordinal));
                    Write(tree, "docs/readme.txt", "a file that stays as it was\n");
                    ExternalTool.Run("genisoimage", ["-quiet", "-udf", "-R", "-J", "-V", "UDF_BRIDGE",
                        "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat", "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table",
                        "-eltorito-alt-boot", "-e", "images/efiboot.img", "-no-emul-boot", "-o", built, tree]);
                    break;
                }
                case IsoFixtureKind.EsxiStyle:
                    Xorriso(built, EsxiTree(Path.Combine(work, "tree")), ["--norock", "-J", "-V", "ESXI-8.0U2-FIXTURE",
                        "-b", "ISOLINUX.BIN", "-c", "BOOT.CAT", "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table",
                        "-eltorito-alt-boot", "-e", "EFIBOOT.IMG", "-no-emul-boot"]);
                    break;
                case IsoFixtureKind.AppendedEfiPartition:
                {
                    string tree = GenericTree(Path.Combine(work, "tree"));
                    string efi = Path.Combine(work, "efiboot.img");
                    File.Move(Path.Combine(tree, "images", "efiboot.img"), efi);
                    Xorriso(built, tree, ["-iso-level", "3", "-J", "-R", "-V", "APPENDED_EFI",
                        "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat", "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table",
                        "-append_partition", "2", "0xef", efi,
                        "-eltorito-alt-boot", "-e", "--interval:appended_partition_2:all::", "-no-emul-boot",
                        "-isohybrid-mbr", "/usr/lib/ISOLINUX/isohdpfx.bin"]);
                    break;
                }
                case IsoFixtureKind.MultiExtent:
                {
                    string tree = Path.Combine(work, "tree");
                    Write(tree, "big/a.cfg", "a small file next to a huge one\n");
                    using (var huge = File.Create(Path.Combine(tree, "big", "huge.bin")))
                    {
                        huge.SetLength(HugeSize);
                        huge.Position = HugeTailOffset;
                        huge.Write(HugeTail);
                    }
                    // xorriso writes the zeros; cp --sparse turns them back into holes (seconds, not 4 GiB of disk).
                    ExternalTool.Run("bash", "-c", "set -o pipefail; xorriso -as mkisofs -quiet -iso-level 3 -R -J -V MULTI_EXTENT -o - \"$1\" | cp --sparse=always /dev/stdin \"$2\"", "bash", tree, built);
                    break;
                }
                default:
                    Xorriso(built, GenericTree(Path.Combine(work, "tree")), XorrisoOptions(kind));
                    break;
            }
            // Publish atomically: a concurrent run either sees the whole image or none.
            string staging = target + $".{Environment.ProcessId}.tmp";
            ExternalTool.Run("cp", "--sparse=always", built, staging);
            try
            {
                File.Move(staging, target, overwrite: false);
            }
            catch (IOException) when (File.Exists(target))
            {
                File.Delete(staging);
            }
            return target;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string[] XorrisoOptions(IsoFixtureKind kind)
    {
        string[] boot = ["-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat", "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table",
            "-eltorito-alt-boot", "-e", "images/efiboot.img", "-no-emul-boot"];
        return kind switch
        {
            IsoFixtureKind.RockRidgeOnly => ["-iso-level", "3", "-R", "-V", "RR_ONLY", .. boot],
            IsoFixtureKind.JolietOnly => ["-iso-level", "3", "--norock", "-J", "-joliet-long", "-V", "JOLIET_ONLY", .. boot],
            IsoFixtureKind.Level1Names => ["-iso-level", "1", "--norock", "-V", "LEVEL1", .. boot],
            IsoFixtureKind.PartitionOffset16 => ["-iso-level", "3", "-J", "-R", "-V", "PARTITION_OFFSET", "-partition_offset", "16",
                .. boot, "-isohybrid-gpt-basdat", "-isohybrid-mbr", "/usr/lib/ISOLINUX/isohdpfx.bin"],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private string CacheKey(IsoFixtureKind kind)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{GeneratorVersion}|{kind}|{string.Join(' ', kind is IsoFixtureKind.MakeTestIsoBoth or IsoFixtureKind.MakeTestIsoIso or IsoFixtureKind.EsxiStyle or IsoFixtureKind.AppendedEfiPartition or IsoFixtureKind.UdfBridge or IsoFixtureKind.MultiExtent ? [] : XorrisoOptions(kind))}|{GrubCfg}|{IsolinuxCfg}|{EsxiBootCfg}"));
        if (kind is IsoFixtureKind.MakeTestIsoBoth or IsoFixtureKind.MakeTestIsoIso or IsoFixtureKind.UdfBridge)
            hash.AppendData(File.ReadAllBytes(MakeTestIsoScript));
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }

    private static void RunMakeTestIso(string output, string layout)
    {
        ExternalTool.Run("bash", MakeTestIsoScript, output, "--layout", layout);
        if (!File.Exists(output))
            throw new InvalidOperationException($"make-test-iso.sh --layout {layout} wrote no {output}");
    }

    private static void Xorriso(string output, string tree, string[] options) =>
        ExternalTool.Run("xorriso", ["-as", "mkisofs", "-quiet", .. options, "-o", output, tree]);

    private static byte[] Filler(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static void Write(string root, string relative, byte[] content)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    private static void Write(string root, string relative, string content) => Write(root, relative, Encoding.UTF8.GetBytes(content));

    private static void CopySystemFile(string root, string relative, string systemPath)
    {
        if (!File.Exists(systemPath))
            throw new InvalidOperationException($"{systemPath} is missing: install isolinux and syslinux-common (apt-get install isolinux syslinux-common).");
        Write(root, relative, File.ReadAllBytes(systemPath));
    }

    /// <summary>A FAT EFI image with the given files, made with mkfs.vfat and mtools.</summary>
    private static void EfiImage(string path, IReadOnlyDictionary<string, byte[]> files)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ExternalTool.Run("mkfs.vfat", "-C", "-n", "EFIBOOT", path, "2048");
        ExternalTool.Run("mmd", "-i", path, "::/EFI", "::/EFI/BOOT");
        foreach (var (fatPath, content) in files)
        {
            string local = path + ".in";
            File.WriteAllBytes(local, content);
            ExternalTool.Run("mcopy", "-i", path, local, "::" + fatPath);
            File.Delete(local);
        }
    }

    /// <summary>A distribution-shaped tree: ISOLINUX, GRUB config on the ISO and in efiboot.img, small kernel and initrd stand-ins, a long name.</summary>
    private static string GenericTree(string root)
    {
        CopySystemFile(root, "isolinux/isolinux.bin", "/usr/lib/ISOLINUX/isolinux.bin");
        CopySystemFile(root, "isolinux/ldlinux.c32", "/usr/lib/syslinux/modules/bios/ldlinux.c32");
        Write(root, "isolinux/isolinux.cfg", IsolinuxCfg);
        Write(root, "images/vmlinuz", Filler(96 * 1024, 1));
        Write(root, "images/initrd.img", Filler(48 * 1024, 2));
        Write(root, "EFI/BOOT/grub.cfg", GrubCfg);
        Write(root, "EFI/BOOT/BOOTX64.EFI", Filler(20 * 1024, 3));
        Write(root, LongFileName, "a file whose name only Joliet and Rock Ridge keep\n");
        EfiImage(Path.Combine(root, "images", "efiboot.img"), new Dictionary<string, byte[]>
        {
            ["/EFI/BOOT/BOOTX64.EFI"] = Filler(20 * 1024, 3),
            ["/EFI/BOOT/grub.cfg"] = Encoding.UTF8.GetBytes(GrubCfg),
        });
        return root;
    }

    /// <summary>An ESXi-installer-shaped tree: upper-case names, mboot.c32 + BOOT.CFG, a second BOOT.CFG under EFI/BOOT.</summary>
    private static string EsxiTree(string root)
    {
        CopySystemFile(root, "ISOLINUX.BIN", "/usr/lib/ISOLINUX/isolinux.bin");
        CopySystemFile(root, "LDLINUX.C32", "/usr/lib/syslinux/modules/bios/ldlinux.c32");
        CopySystemFile(root, "MBOOT.C32", "/usr/lib/syslinux/modules/bios/mboot.c32");
        CopySystemFile(root, "MENU.C32", "/usr/lib/syslinux/modules/bios/menu.c32");
        Write(root, "ISOLINUX.CFG", "DEFAULT menu.c32\r\nMENU TITLE ESXi Fixture Boot Menu\r\nNOHALT 1\r\nPROMPT 0\r\nTIMEOUT 80\r\nLABEL install\r\n  KERNEL mboot.c32\r\n  APPEND -c boot.cfg\r\n  MENU LABEL ESXi ^Installer\r\nLABEL hddboot\r\n  LOCALBOOT 0x80\r\n  MENU LABEL ^Boot from local disk\r\n");
        Write(root, "BOOT.CFG", EsxiBootCfg);
        Write(root, "EFI/BOOT/BOOT.CFG", EsxiBootCfg);
        Write(root, "EFI/BOOT/BOOTX64.EFI", Filler(16 * 1024, 4));
        Write(root, "B.B00", Filler(64 * 1024, 5));
        Write(root, "JUMPSTRT.GZ", Filler(8 * 1024, 6));
        Write(root, "USEROPTS.GZ", Filler(1024, 7));
        EfiImage(Path.Combine(root, "EFIBOOT.IMG"), new Dictionary<string, byte[]>
        {
            ["/EFI/BOOT/BOOTX64.EFI"] = Filler(16 * 1024, 4),
        });
        return root;
    }
}

/// <summary>The xunit collection that shares one <see cref="IsoFixtures"/> per run.</summary>
[CollectionDefinition(Name)]
public sealed class IsoFixtureCollection : ICollectionFixture<IsoFixtures>
{
    public const string Name = "IsoFixtures";
}
