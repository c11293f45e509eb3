// Deploy benchmark. `DeployBench [--nodes 50] [--filler-mib 100]` builds a test ISO, then runs each
// mode once in its own child process (so peak memory is the mode's own) and prints the figures
// and the ratios copy/overlay. Both modes do the same job end to end: deploy every node at once,
// publish each node's ISO, and have it read once in full over HTTP through the boot server's
// image endpoint, as the node's BMC would (the hardware is fake, so that GET stands in for it):
//   overlay  what RamdiskDeploy does: one cached base, one delta per node, the ISO composed per read
//   copy     a rebuild-per-node conductor: the node's full ISO written to disk once, then served as a file
// A child run is `DeployBench --child MODE ISO NODES`; it prints one line of key=value figures.
using System.Diagnostics;
using System.Globalization;
using Ironic.Core.Deploy;
using Ironic.Core.Inventory;
using Ironic.Core.Iso;
using Ironic.Server;

var inv = CultureInfo.InvariantCulture;
if (args.Length == 4 && args[0] == "--child") return await Child.RunAsync(args[1], args[2], int.Parse(args[3], inv));

var nodes = 50;
var fillerMib = 100;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    if (args[i] == "--nodes") nodes = int.Parse(args[i + 1], inv);
    else if (args[i] == "--filler-mib") fillerMib = int.Parse(args[i + 1], inv);
}
var script = FindTool("make-test-iso.sh");
var iso = Path.Combine(Path.GetTempPath(), $"deploy-bench-{fillerMib}.iso");
if (!File.Exists(iso))
{
    Console.Error.WriteLine($"building {iso} (make-test-iso.sh --filler-mib {fillerMib}) …");
    using var build = Process.Start("bash", [script, iso + ".tmp", "--filler-mib", fillerMib.ToString(inv)]);
    await build.WaitForExitAsync();
    if (build.ExitCode != 0) { Console.Error.WriteLine("make-test-iso.sh failed"); return 1; }
    File.Move(iso + ".tmp", iso, overwrite: true);
}
Console.WriteLine($"base ISO {new FileInfo(iso).Length / 1048576.0:0.0} MiB, {nodes} nodes deployed at once (fake hardware; base over HTTP from a boot server), each node's ISO published and read once in full over HTTP, one run per mode");
var results = new Dictionary<string, Dictionary<string, double>>();
foreach (var mode in new[] { "overlay", "copy" })
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
    foreach (var a in new[] { typeof(Child).Assembly.Location, "--child", mode, iso, nodes.ToString(inv) }) start.ArgumentList.Add(a);
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) != "dotnet") start.ArgumentList.RemoveAt(0);
    using var child = Process.Start(start)!;
    var line = (await child.StandardOutput.ReadToEndAsync()).Trim().Split('\n')[^1];
    await child.WaitForExitAsync();
    if (child.ExitCode != 0) { Console.Error.WriteLine($"{mode} run failed: {line}"); return 1; }
    results[mode] = line.Split(' ').Select(p => p.Split('=')).ToDictionary(p => p[0], p => double.Parse(p[1], inv));
}
Console.WriteLine();
Console.WriteLine($"{"figure",-28}{"overlay",14}{"full copy",14}{"copy/overlay",14}");
foreach (var (key, label, scale, unit) in new[]
{
    ("wall_ms", "wall time", 1.0, "ms"),
    ("peak_rss", "peak memory (RSS)", 1.0 / 1048576, "MiB"),
    ("allocated", "managed bytes allocated", 1.0 / 1048576, "MiB"),
    ("disk", "disk used after the run", 1.0 / 1048576, "MiB"),
    ("per_node", "per-node storage", 1.0 / 1024, "KiB"),
    ("read", "ISO bytes read by clients", 1.0 / 1048576, "MiB"),
})
{
    var o = results["overlay"][key] * scale;
    var c = results["copy"][key] * scale;
    Console.WriteLine($"{label + " (" + unit + ")",-28}{o,14:0.0}{c,14:0.0}{(o > 0 ? c / o : double.NaN),14:0.00}");
}
return 0;

static string FindTool(string name)
{
    for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
    {
        foreach (var candidate in new[] { Path.Combine(dir, "shared", "tools", name), Path.Combine(dir, "..", "shared", "tools", name) })
        {
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        }
    }
    throw new FileNotFoundException($"{name} not found next to the repository (../shared/tools).");
}

internal static class Child
{
    /// <summary>GETs the whole image as a BMC reading it would, and returns how many bytes came.</summary>
    private static async Task<long> ReadWholeAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, cancellationToken)) > 0) total += n;
        return total;
    }

    public static async Task<int> RunAsync(string mode, string iso, int count)
    {
        var root = Path.Combine(Path.GetTempPath(), $"deploy-bench-{mode}-{Environment.ProcessId}");
        Directory.CreateDirectory(Path.Combine(root, "images", "base"));
        File.Copy(iso, Path.Combine(root, "images", "base", "base.iso"));
        try
        {
            await using var store = await InventoryStores.OpenAsync(StoreLocation.Sqlite(Path.Combine(root, "inventory.db")), CancellationToken.None);
            using var cache = ImageCache.Open(new ImageCacheOptions { Directory = Path.Combine(root, "cache") });
            await using var server = BootServer.Create(new BootServerOptions { Listen = "127.0.0.1:0", Name = "bench", ImagesDirectory = Path.Combine(root, "images") }, _ => { }, store, cache);
            await server.StartAsync(CancellationToken.None);
            var names = new List<string>();
            for (var i = 0; i < count; i++)
            {
                names.Add((await store.CreateNodeAsync(new Node { Name = $"bench-{i:00}" }, CancellationToken.None)).Name);
            }
            var deploy = new RamdiskDeploy(store, cache, DeployHardware.CreateFactory(), new RamdiskDeployOptions { Conductor = "bench", VirtualMediaKernelParameters = ["ironic_node={node_name}"] });
            var request = new DeployRequest { BootIso = new Uri(server.Address!, "/v1/images/base/base.iso"), KernelParameters = ["ipa-debug=1"] };
            // The copies live in the boot server's images directory, so it serves them like the overlays.
            var copies = Path.Combine(root, "images", "copies");
            Directory.CreateDirectory(copies);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = count }) { Timeout = TimeSpan.FromMinutes(30) };
            long read = 0;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            var outcomes = await DeployBatch.RunAsync(names, count, async (name, ct) =>
            {
                var node = await deploy.DeployAsync(name, request, null, ct);
                Uri published;
                if (mode == "copy")
                {
                    // What a rebuild-per-node conductor keeps and serves: the node's whole ISO as a file.
                    var stored = (await NodeIsoArtifacts.LoadAsync(store, node.Uuid, ct))!.Value;
                    await using (var baseStream = cache.TryGetBySha256(stored.Base.Sha256)!.OpenRead())
                    await using (var composed = IsoOverlay.Open(baseStream, stored.Delta))
                    await using (var file = new FileStream(Path.Combine(copies, $"{node.Uuid:D}.iso"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous))
                    {
                        await composed.CopyToAsync(file, 1 << 20, ct);
                        await file.FlushAsync(ct);
                        file.Flush(flushToDisk: true);
                    }
                    published = new Uri(server.Address!, $"/v1/images/copies/{node.Uuid:D}.iso");
                }
                else
                {
                    published = await deploy.ImageUrlAsync(node, ct);
                }
                Interlocked.Add(ref read, await ReadWholeAsync(http, published, ct));
                return DeployStatus.FromNode(node);
            }, null, CancellationToken.None);
            clock.Stop();
            var failed = outcomes.Where(o => !o.Succeeded).ToList();
            if (failed.Count > 0) throw new InvalidOperationException($"{failed.Count} deploys failed; first: {failed[0].Error!.Message}");
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            long deltas = 0, isoBytes = 0;
            foreach (var node in await store.ListNodesAsync(CancellationToken.None))
            {
                deltas += (await store.GetArtifactAsync(node.Uuid, NodeIsoArtifacts.DeltaArtifact, CancellationToken.None))?.Length ?? 0;
                isoBytes += (await NodeIsoArtifacts.LoadAsync(store, node.Uuid, CancellationToken.None))!.Value.Delta.NewLength;
            }
            long Size(string dir) => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            var disk = Size(Path.Combine(root, "cache")) + Size(copies) + deltas;
            var perNode = mode == "copy" ? Size(copies) / (double)count : deltas / (double)count;
            if (read != isoBytes) throw new InvalidOperationException($"the clients read {read} bytes, not the {isoBytes} bytes of the {count} nodes' ISOs");
            using var self = Process.GetCurrentProcess();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wall_ms={clock.Elapsed.TotalMilliseconds:0} peak_rss={self.PeakWorkingSet64} allocated={allocated} disk={disk} per_node={perNode:0} read={read}"));
            return 0;
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
