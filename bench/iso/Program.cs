// Injects 3 kernel parameters into a large bootable ISO and prints, measured in this run:
//   delta creation (median of 21) vs xorriso -boot_image any replay -update (the full rewrite),
//   delta size, memory (allocated per delta and peak working set, small vs large ISO),
//   materializing the ISO vs cp,
//   opening base + delta (what the boot server does per range request) vs parsing every tree.
// usage: dotnet run -c Release --project bench/iso -- [--filler-mib 1024] [--work DIR]
using System.Diagnostics;
using System.Globalization;
using Ironic.Core.Iso;
using Ironic.Core.Iso.BootConfig;

var fillerMib = 1024;
var work = Path.Combine(Path.GetTempPath(), "ironic-iso-bench");
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--filler-mib") fillerMib = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--work") work = args[++i];
}
Directory.CreateDirectory(work);
var script = FindScript();
var small = MakeIso(script, work, 0);
var large = MakeIso(script, work, fillerMib);
var edit = new KernelParameterEdit(["ironic.node=bench-node-0001", "ipa-api-url=http://10.0.0.1:6385", "nomodeset"], []);

// Delta creation, small and large ISO (warm-up first, as a server would be).
var (smallMedian, smallAlloc, _) = MeasureDelta(small, edit);
var (largeMedian, largeAlloc, delta) = MeasureDelta(large, edit);
var deltaBytes = delta.ToBytes().Length;

// The reference: xorriso rewriting the whole image with the edited isolinux.cfg and grub.cfg.
var edited = Path.Combine(work, "edited");
Directory.CreateDirectory(edited);
using (var s = File.OpenRead(large))
{
    var image = IsoImage.Open(s);
    foreach (var p in new[] { "/isolinux/isolinux.cfg", "/EFI/BOOT/grub.cfg" })
    {
        var e = image.Find(p)!;
        var text = System.Text.Encoding.UTF8.GetString(image.ReadFile(e));
        var kind = BootConfigFiles.Detect(p, text)!.Value;
        File.WriteAllText(Path.Combine(edited, Path.GetFileName(p)), BootConfigEditor.Apply(kind, text, edit));
    }
}
var xorrisoOut = Path.Combine(work, "xorriso-out.iso");
File.Delete(xorrisoOut);
var xorriso = Time(() => Run("xorriso", "-indev", large, "-outdev", xorrisoOut, "-boot_image", "any", "replay",
    "-update", Path.Combine(edited, "isolinux.cfg"), "/isolinux/isolinux.cfg",
    "-update", Path.Combine(edited, "grub.cfg"), "/EFI/BOOT/grub.cfg"));
File.Delete(xorrisoOut);

// Materializing vs cp: median of 7 each, alternating which goes first, with dirty pages
// flushed (sync, untimed) before each run so one run's writeback does not slow the next.
var ours = new List<double>();
var cp = new List<double>();
var output = Path.Combine(work, "node.iso");
void TimeCp()
{
    File.Delete(output);
    Run("sync");
    cp.Add(Time(() => Run("cp", large, output)));
}
void TimeOurs()
{
    File.Delete(output);
    Run("sync");
    ours.Add(Time(() =>
    {
        using var s = File.OpenRead(large);
        using var overlay = IsoOverlay.Open(s, delta);
        overlay.WriteTo(output);
    }));
}
for (var i = 0; i < 7; i++)
{
    if (i % 2 == 0) { TimeCp(); TimeOurs(); }
    else { TimeOurs(); TimeCp(); }
}
File.Delete(output);

// What the boot server pays per HTTP range request of a node's ISO: opening base + delta, whose
// base check reads the descriptors only, against parsing the whole image (every tree), on an
// ISO with a distribution's number of files (8,000, like a RHEL DVD's packages).
var tree = MakeManyFileIso(work, 8000);
IsoDelta treeDelta;
using (var s = File.OpenRead(tree))
{
    var editor = new IsoEditor(IsoImage.Open(s));
    editor.ReplaceFile("/pool/p000/package-0-0_1.0-1_amd64.deb", "edited\n"u8);
    treeDelta = editor.Build();
}
var overlayOpens = new List<double>();
var fullParses = new List<double>();
int treeEntries;
using (var s = new FileStream(tree, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess))
{
    treeEntries = IsoImage.Open(s).Entries.Count;
    for (var i = 0; i < 21; i++)
    {
        overlayOpens.Add(Time(() => IsoOverlay.Open(s, treeDelta).Dispose()));
        fullParses.Add(Time(() => IsoImage.Open(s)));
    }
}
var peak = Process.GetCurrentProcess().PeakWorkingSet64;

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ISO                        {new FileInfo(large).Length / 1048576} MiB (small reference: {new FileInfo(small).Length / 1048576} MiB)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"delta creation (median 21) {largeMedian:F2} ms   target <= 20 ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"xorriso replay -update     {xorriso:F0} ms   ratio xorriso/delta = {xorriso / largeMedian:F0}x"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"delta size                 {deltaBytes} bytes ({deltaBytes / 1024.0:F1} KiB)   target <= 64 KiB"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allocated per delta        {largeAlloc / 1024.0:F0} KiB on the large ISO vs {smallAlloc / 1024.0:F0} KiB on the small one (ratio {(double)largeAlloc / smallAlloc:F2})"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak working set           {peak / 1048576.0:F0} MiB (whole process, including the materializing runs)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"materialize (median 7)     {Median(ours):F0} ms vs cp {Median(cp):F0} ms   ratio {Median(ours) / Median(cp):F2}   target <= 1.2"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  runs, in order (ms)      ours {string.Join(' ', ours.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))}; cp {string.Join(' ', cp.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"open base+delta per range request (median 21, {treeEntries} entries) {Median(overlayOpens):F3} ms vs parsing every tree {Median(fullParses):F1} ms   ratio {Median(fullParses) / Median(overlayOpens):F0}x"));
return 0;

static (double MedianMs, long AllocatedBytes, IsoDelta Delta) MeasureDelta(string iso, KernelParameterEdit edit)
{
    IsoDelta MakeDelta()
    {
        using var s = new FileStream(iso, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);
        var builder = new BootIsoBuilder(IsoImage.Open(s));
        builder.EditKernelParameters(edit);
        return builder.Build();
    }
    var delta = MakeDelta();
    var before = GC.GetAllocatedBytesForCurrentThread();
    MakeDelta();
    var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
    var times = new List<double>();
    for (var i = 0; i < 21; i++) times.Add(Time(() => MakeDelta()));
    return (Median(times), allocated, delta);
}

static double Time(Action action)
{
    var sw = Stopwatch.StartNew();
    action();
    return sw.Elapsed.TotalMilliseconds;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}

static void Run(string tool, params string[] arguments)
{
    var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments) info.ArgumentList.Add(a);
    using var p = Process.Start(info)!;
    var stderr = p.StandardError.ReadToEndAsync();
    p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} exited {p.ExitCode}: {stderr.Result}");
}

static string MakeIso(string script, string work, int fillerMib)
{
    var path = Path.Combine(work, $"bench-{fillerMib}.iso");
    if (File.Exists(path)) return path;
    Console.Error.WriteLine($"building {path} (filler {fillerMib} MiB)...");
    Run("bash", script, path + ".tmp", "--layout", "both", "--filler-mib", fillerMib.ToString(CultureInfo.InvariantCulture));
    File.Move(path + ".tmp", path);
    return path;
}

static string MakeManyFileIso(string work, int files)
{
    var path = Path.Combine(work, $"tree-{files}.iso");
    if (File.Exists(path)) return path;
    var tree = Path.Combine(work, "tree");
    if (Directory.Exists(tree)) Directory.Delete(tree, recursive: true);
    for (var i = 0; i < files; i++)
    {
        var folder = Path.Combine(tree, "pool", $"p{i / 40:000}");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, $"package-{i / 40}-{i % 40}_1.0-1_amd64.deb"), "x");
    }
    Run("xorriso", "-as", "mkisofs", "-R", "-J", "-o", path + ".tmp", tree);
    File.Move(path + ".tmp", path);
    Directory.Delete(tree, recursive: true);
    return path;
}

static string FindScript()
{
    for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
    {
        var candidate = Path.Combine(dir, "..", "shared", "tools", "make-test-iso.sh");
        if (File.Exists(candidate)) return Path.GetFullPath(candidate);
    }
    return Environment.GetEnvironmentVariable("IRONIC_MAKE_TEST_ISO") ?? throw new InvalidOperationException("make-test-iso.sh not found; set IRONIC_MAKE_TEST_ISO.");
}
