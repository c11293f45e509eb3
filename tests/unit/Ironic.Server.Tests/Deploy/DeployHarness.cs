using System.Diagnostics;
using System.Security.Cryptography;
using Ironic.Core.Deploy;
using Ironic.Core.Hardware;
using Ironic.Core.Inventory;
using Ironic.Core.Iso;
using Ironic.Core.Tests.Deploy;

namespace Ironic.Server.Tests.Deploy;

/// <summary>
/// One deploy world for a test: a SQLite inventory, an image cache, a file server with the base
/// ISO, a boot server (conductor "c1") publishing overlays, and a RamdiskDeploy over them.
/// </summary>
internal sealed class DeployHarness : IAsyncDisposable
{
    public const string Conductor = "c1";

    private readonly BootServerOptions _serverOptions;

    private DeployHarness(string root, IInventoryStore store, ImageCache cache, TestFileServer files, BootServer server, BootServerOptions serverOptions, NodeHardwareFactory hardware, RamdiskDeployOptions options)
    {
        _serverOptions = serverOptions;
        Root = root;
        Store = store;
        Cache = cache;
        Files = files;
        Server = server;
        Hardware = hardware;
        Deploy = new RamdiskDeploy(store, cache, hardware, options);
    }

    public string Root { get; }
    public IInventoryStore Store { get; }
    public ImageCache Cache { get; }
    public TestFileServer Files { get; }
    public BootServer Server { get; private set; }
    public NodeHardwareFactory Hardware { get; }
    public RamdiskDeploy Deploy { get; }

    public static async Task<DeployHarness> StartAsync(NodeHardwareFactory? hardware = null, Func<RamdiskDeployOptions, RamdiskDeployOptions>? adjust = null, Func<BootServerOptions, BootServerOptions>? server = null)
    {
        hardware ??= DeployHardware.CreateFactory();
        var root = Path.Combine(Path.GetTempPath(), "ironic-deploy-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var store = InventoryStores.Open(StoreLocation.Sqlite(Path.Combine(root, "inventory.db")));
        await store.MigrateAsync(CancellationToken.None);
        var cache = ImageCache.Open(new ImageCacheOptions { Directory = Path.Combine(root, "cache"), RetryDelay = TimeSpan.FromMilliseconds(20), MaxAttempts = 3 });
        var files = await TestFileServer.StartAsync();
        var serverOptions = new BootServerOptions { Listen = "127.0.0.1:0", Name = Conductor, HeartbeatInterval = TimeSpan.FromSeconds(1) };
        if (server is not null) serverOptions = server(serverOptions);
        // The server drives the same (fake) machines as the deploys: it ejects one-shot ISOs.
        var bootServer = BootServer.Create(serverOptions, _ => { }, store, cache, hardware);
        await bootServer.StartAsync(CancellationToken.None);
        var options = new RamdiskDeployOptions { Conductor = Conductor, VirtualMediaKernelParameters = ["ironic_node={node_name}"], IpxeKernelParameters = ["ironic_node={node_name}"] };
        if (adjust is not null) options = adjust(options);
        return new DeployHarness(root, store, cache, files, bootServer, serverOptions, hardware, options);
    }

    /// <summary>
    /// Stops the boot server and starts it again on the same address, with what it remembered in
    /// memory gone (as after a crash or an upgrade); <paramref name="adjust"/> changes its options.
    /// </summary>
    public async Task RestartServerAsync(Func<BootServerOptions, BootServerOptions>? adjust = null)
    {
        var port = Server.Address!.Port;
        await Server.DisposeAsync();
        var options = _serverOptions with { Listen = $"127.0.0.1:{port}" };
        if (adjust is not null) options = adjust(options);
        Server = BootServer.Create(options, _ => { }, Store, Cache, Hardware);
        await Server.StartAsync(CancellationToken.None);
    }

    /// <summary>The bootable base ISO (make-test-iso.sh, GRUB in the tree and in efiboot.img), built once per machine.</summary>
    public static string BaseIso => LazyBaseIso.Value;

    private static readonly Lazy<string> LazyBaseIso = new(() => BuildTestIso("both"));

    public Uri ServeBaseIso(string path = "base.iso", FileBehaviour? behaviour = null) => Files.Add(path, File.ReadAllBytes(BaseIso), behaviour);

    public static string BaseSha256 => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(BaseIso))).ToLowerInvariant();

    public async Task<Node> AddNodeAsync(string name, string driver = "fake", IReadOnlyDictionary<string, string>? driverInfo = null, string? mac = null)
    {
        var node = await Store.CreateNodeAsync(new Node { Name = name, Driver = driver, DriverInfo = driverInfo ?? new Dictionary<string, string>() }, CancellationToken.None);
        if (mac is not null) await Store.CreatePortAsync(new Port(mac, node.Uuid), CancellationToken.None);
        return node;
    }

    public FakeHardware Fake(Node node) => Hardware.Lab.For(node);

    /// <summary>The node's ISO as the overlay composes it from the cached base and the stored delta.</summary>
    public async Task<byte[]> ComposedIsoAsync(Guid nodeUuid)
    {
        var stored = await NodeIsoArtifacts.LoadAsync(Store, nodeUuid, CancellationToken.None) ?? throw new InvalidOperationException("The node has no stored overlay.");
        await using var baseStream = Cache.TryGetBySha256(stored.Base.Sha256)!.OpenRead();
        await using var overlay = IsoOverlay.Open(baseStream, stored.Delta);
        using var copy = new MemoryStream();
        await overlay.CopyToAsync(copy);
        return copy.ToArray();
    }

    public static string FindSharedTool(string name)
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            foreach (var candidate in new[] { Path.Combine(dir, "shared", "tools", name), Path.Combine(dir, "..", "shared", "tools", name) })
            {
                if (File.Exists(candidate)) return Path.GetFullPath(candidate);
            }
        }
        throw new InvalidOperationException($"{name} not found: check out ../shared/tools next to the repository.");
    }

    private static string BuildTestIso(string layout)
    {
        var script = FindSharedTool("make-test-iso.sh");
        var key = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(script))).ToLowerInvariant()[..16];
        var dir = Path.Combine(Environment.GetEnvironmentVariable("IRONIC_TEST_CACHE") ?? Path.Combine(Path.GetTempPath(), "ironic-test-isos"), key);
        var target = Path.Combine(dir, $"deploy-{layout}.iso");
        if (File.Exists(target)) return target;
        Directory.CreateDirectory(dir);
        var temp = target + $".{Environment.ProcessId}.tmp";
        var result = Run("bash", [script, temp, "--layout", layout], TimeSpan.FromMinutes(10));
        if (result.ExitCode != 0 || !File.Exists(temp))
        {
            throw new InvalidOperationException($"make-test-iso.sh failed ({result.ExitCode}): {result.Output}. It needs xorriso isolinux syslinux-common grub-efi-amd64-bin mtools dosfstools busybox-static cpio (install them).");
        }
        File.Move(temp, target, overwrite: true);
        return target;
    }

    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}.");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Files.DisposeAsync();
        Cache.Dispose();
        await Store.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
