using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Ironic.Core.Iso;
using Ironic.Core.Iso.BootConfig;
using Ironic.Core.Tests.Iso.Fixtures;

namespace Ironic.Core.Tests.Iso.Overlay;

/// <summary>
/// UDF bridge images (genisoimage -udf): injection rewrites the UDF file entries too, so UDF
/// readers (pycdlib's udf_path, 7-Zip's UDF handler, udfinfo) see what ISO 9660 readers see;
/// adding files is refused with what to do; UDF-only and hostile UDF images end in IsoFormatException.
/// </summary>
[Collection(IsoFixtureCollection.Name)]
public class UdfBridgeTests(IsoFixtures fixtures)
{
    private static readonly object Gate = new();
    private static InjectedIsos.Injected? s_injected;

    /// <summary>The UDF bridge fixture with <see cref="InjectedIsos.Appended"/> added and panic removed, materialized once.</summary>
    internal static InjectedIsos.Injected Injected(IsoFixtures fixtures)
    {
        lock (Gate) return s_injected ??= InjectedIsos.Inject(fixtures.PathOf(IsoFixtureKind.UdfBridge), "udf");
    }

    private InjectedIsos.Injected Result => Injected(fixtures);

    [Theory]
    [InlineData("/isolinux/isolinux.cfg")]
    [InlineData("/boot/grub/grub.cfg")]
    public void Inject_UdfReadersSeeTheSameNewConfigAsIso9660Readers(string path)
    {
        var iso9660 = IsoChecks.IsoInfoRead(Result.Output, "-R", path);
        KernelParameterInjectionTests.AssertEdited(Encoding.UTF8.GetString(iso9660));
        Assert.Equal(iso9660, IsoChecks.PycdlibReadUdf(Result.Output, path));
        Assert.Equal(iso9660, IsoChecks.SevenZipReadUdf(Result.Output, path));
    }

    [Fact]
    public void Inject_ChangesBothConfigs_OneInPlaceAndOneMovedPastTheOldEnd()
    {
        Assert.Equal(["/boot/grub/grub.cfg", "/isolinux/isolinux.cfg"], Result.Changed.Select(c => c.Location).Order(StringComparer.Ordinal));
        using var before = File.OpenRead(Result.Base);
        using var after = File.OpenRead(Result.Output);
        var old = IsoImage.Open(before);
        var edited = IsoImage.Open(after);
        Assert.NotNull(edited.Udf);
        Assert.Null(edited.Udf.Unsupported);
        var baseSectors = old.Length / 2048;

        var grub = edited.Udf.Find("/boot/grub/grub.cfg")!;
        Assert.Equal(old.Udf!.Find("/boot/grub/grub.cfg")!.FirstSector, grub.FirstSector);
        Assert.Equal(edited.Find("/boot/grub/grub.cfg")!.Size, grub.Size);

        // isolinux.cfg was a few bytes under one sector: it moved past the old end, and the UDF
        // entry, the ISO 9660 records and the partition all followed it.
        var isolinux = edited.Udf.Find("/isolinux/isolinux.cfg")!;
        Assert.True(isolinux.FirstSector >= baseSectors, $"isolinux.cfg at sector {isolinux.FirstSector}, the base had {baseSectors}");
        Assert.Equal(edited.Find("/isolinux/isolinux.cfg")!.FirstSector, isolinux.FirstSector);
        Assert.True(edited.Udf.PartitionStart + edited.Udf.PartitionLength > isolinux.FirstSector);
        Assert.True(edited.Length > old.Length);
    }

    [Fact]
    public void Inject_UdfinfoReadsAClosedVolumeWithAnAnchorAtTheNewEnd()
    {
        var r = ExternalTool.RunChecked("udfinfo", "udftools", Result.Output);
        var lastSector = new FileInfo(Result.Output).Length / 2048 - 1;
        Assert.Contains("integrity=closed", r.Output, StringComparison.Ordinal);
        Assert.Contains($"start={lastSector}, blocks=1, type=ANCHOR", r.Output, StringComparison.Ordinal);
        Assert.Contains("start=256, blocks=1, type=ANCHOR", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Inject_KeepsTheElToritoEntries() =>
        Assert.Equal(IsoChecks.ElToritoReport(Result.Base), IsoChecks.ElToritoReport(Result.Output));

    [Theory]
    [InlineData("iso9660")]
    [InlineData("udf")]
    public void Inject_EveryOtherFileIsByteIdentical(string view)
    {
        var dir = TestIsos.ScratchDirectory();
        Func<string, string, Dictionary<string, string>> extract = view == "udf" ? IsoChecks.ExtractAllUdf : IsoChecks.ExtractAll;
        var before = extract(Result.Base, Path.Combine(dir, "before"));
        var after = extract(Result.Output, Path.Combine(dir, "after"));
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        var edited = Result.Changed.Select(c => c.Path).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(2, edited.Count(before.ContainsKey));
        foreach (var (path, hash) in before)
        {
            if (edited.Contains(path)) KernelParameterInjectionTests.AssertEdited(File.ReadAllText(Path.Combine(dir, "after", path.TrimStart('/'))));
            else Assert.True(hash == after[path], $"{path} changed in the {view} view");
        }
    }

    [Fact]
    public void PutFile_ReplacingAFileWithLongerContent_UpdatesTheUdfEntry()
    {
        var content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("a replaced line that spans a few sectors\n", 200)));
        var output = Path.Combine(TestIsos.ScratchDirectory(), "replaced.iso");
        using (var stream = File.OpenRead(fixtures.PathOf(IsoFixtureKind.UdfBridge)))
        {
            var builder = new BootIsoBuilder(IsoImage.Open(stream));
            builder.PutFile("/docs/readme.txt", content);
            using var overlay = IsoOverlay.Open(stream, builder.Build());
            overlay.WriteTo(output);
        }
        Assert.Equal(content, IsoChecks.SevenZipReadUdf(output, "/docs/readme.txt"));
        Assert.Equal(content, IsoChecks.PycdlibReadUdf(output, "/docs/readme.txt"));
        Assert.Equal(content, IsoChecks.IsoInfoRead(output, "-J", "/docs/readme.txt"));
    }

    [Fact]
    public void PutFile_AddingANewFile_IsRefusedWithWhatToDo()
    {
        using var stream = File.OpenRead(fixtures.PathOf(IsoFixtureKind.UdfBridge));
        var builder = new BootIsoBuilder(IsoImage.Open(stream));
        var e = Assert.Throws<IsoFormatException>(() => builder.PutFile("/etc/ironic.conf", "x=1\n"u8));
        Assert.Contains("Cannot add '/etc/ironic.conf'", e.Message, StringComparison.Ordinal);
        Assert.Contains("UDF bridge", e.Message, StringComparison.Ordinal);
        Assert.Contains("replace an existing file instead", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UdfOnlyImage_MadeByMkudffs_IsRefusedWithAdvice()
    {
        var image = Path.Combine(TestIsos.ScratchDirectory(), "udf-only.img");
        using (var f = File.Create(image)) f.SetLength(16 * 1024 * 1024);
        ExternalTool.RunChecked("mkudffs", "udftools", "--media-type=hd", "--blocksize=2048", "--label=UDFONLY", image);
        using var stream = File.OpenRead(image);
        var e = Assert.Throws<IsoFormatException>(() => IsoImage.Open(stream));
        Assert.Contains("UDF-only", e.Message, StringComparison.Ordinal);
        Assert.Contains("genisoimage -udf", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileEntryWithABadCrc_IsRefusedQuickly()
    {
        var image = Pristine(out var udf);
        var entry = udf.Find("/isolinux/isolinux.cfg")!;
        image[entry.EntrySector * 2048 + 60] ^= 0x01; // the information length, under the CRC
        var e = AssertRefusedQuickly(image);
        Assert.Contains("wrong descriptor CRC", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DirectoryThatContainsItsAncestor_IsACycle()
    {
        var image = Pristine(out var udf);
        var boot = udf.Find("/boot")!;
        var grub = udf.Find("/boot/grub")!;
        var root = udf.Find("/")!;
        // Point /boot's identifier of "grub" at the root's file entry, and seal it so only the loop is wrong.
        var fid = FindIdentifier(image, boot, grub.EntrySector - udf.PartitionStart);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(fid + 24), (uint)(root.EntrySector - udf.PartitionStart));
        Reseal(image, fid, BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(fid + 10)));
        var e = AssertRefusedQuickly(image);
        Assert.Contains("cycle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllocationDescriptorPastTheEnd_IsRefusedQuickly()
    {
        var image = Pristine(out var udf);
        var entry = udf.Find("/images/vmlinuz")!;
        var at = (int)entry.EntrySector * 2048;
        var ads = at + 176 + (int)BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(at + 168));
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(ads + 4), 0x7FFFFFF0);
        Reseal(image, at, BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(at + 10)));
        var e = AssertRefusedQuickly(image);
        Assert.Contains("past the end", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UdfLayoutThatCannotBeUpdated_IsReadButEditsAreRefusedWithTheReason()
    {
        var image = Pristine(out _);
        // Turn the main sequence's logical volume descriptor's partition map into a type 2 map (UDF 2.50 metadata partition).
        var lvd = Enumerable.Range(32, 16).Select(s => s * 2048).First(o => BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(o)) == 6);
        image[lvd + 440] = 2;
        Reseal(image, lvd, BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(lvd + 10)));
        var parsed = IsoImage.Open(new MemoryStream(image, writable: false));
        Assert.Contains("partition map is of type 2", parsed.Udf!.Unsupported, StringComparison.Ordinal);
        var builder = new BootIsoBuilder(parsed);
        var e = Assert.Throws<IsoFormatException>(() => builder.EditKernelParameters(new KernelParameterEdit(["a=b"], [])));
        Assert.Contains("cannot update", e.Message, StringComparison.Ordinal);
        Assert.Contains("partition map is of type 2", e.Message, StringComparison.Ordinal);
    }

    private byte[] Pristine(out UdfVolume udf)
    {
        var image = File.ReadAllBytes(fixtures.PathOf(IsoFixtureKind.UdfBridge));
        udf = IsoImage.Open(new MemoryStream(image, writable: false)).Udf!;
        return image;
    }

    private static IsoFormatException AssertRefusedQuickly(byte[] image)
    {
        // A hang guard, not a speed target: a parse that loops would take far longer.
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<IsoFormatException>(() => IsoImage.Open(new MemoryStream(image, writable: false)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the refusal took {clock.Elapsed}");
        Assert.Contains("UDF", e.Message, StringComparison.Ordinal);
        return e;
    }

    /// <summary>The byte offset of the File Identifier Descriptor in <paramref name="directory"/> whose ICB is block <paramref name="block"/>.</summary>
    private static int FindIdentifier(byte[] image, UdfFile directory, long block)
    {
        var start = (int)(directory.Extents[0].Sector * 2048);
        for (var pos = start; pos < start + directory.Size;)
        {
            // ECMA-167 4/14.4: 38 fixed bytes, implementation use, identifier, padded to 4.
            var length = (38 + BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(pos + 36)) + image[pos + 19] + 3) & ~3;
            if (BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(pos + 24)) == block) return pos;
            pos += length;
        }
        throw new InvalidOperationException($"no identifier for block {block} in {directory.Path}");
    }

    private static void Reseal(byte[] image, int at, int crcLength) => UdfTag.Seal(image.AsSpan(at, 16 + crcLength), crcLength);
}

/// <summary>The injected UDF bridge still boots: ISOLINUX reads the moved isolinux.cfg through ISO 9660.</summary>
[Collection("Qemu")]
public class UdfBridgeBootTests
{
    [Fact]
    public void Boot_UnderBios_KernelSeesInjectedParameters()
    {
        var injected = UdfBridgeTests.Injected(new IsoFixtures());
        var args = new List<string> { TestIsos.BootScript, injected.Output, "--firmware", "bios", "--timeout", "240" };
        foreach (var p in InjectedIsos.Appended) args.AddRange(["--expect", p]);
        var r = ExternalTool.Run("bash", "qemu-system-x86 ovmf", args, TimeSpan.FromMinutes(5));
        Assert.True(r.ExitCode == 0, $"boot-iso.sh exited {r.ExitCode}: {r.Output}{r.Error}");
        Assert.DoesNotContain("panic=", r.Output.Split('\n').First(l => l.Contains("IRONIC-CMDLINE", StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
