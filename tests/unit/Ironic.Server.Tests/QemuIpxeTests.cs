using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Ironic.Core.Inventory;
using Microsoft.Extensions.Logging;

namespace Ironic.Server.Tests;

[CollectionDefinition("Qemu", DisableParallelization = true)]
public sealed class QemuCollection;

/// <summary>
/// A real iPXE client: qemu with Debian's iPXE ROM on user-mode networking, whose DHCP boot file
/// is the catch-all http://10.0.2.2:PORT/boot.ipxe (10.0.2.2 is the host's 127.0.0.1). It must chain
/// to /v1/boot/&lt;its MAC&gt;/boot.ipxe, fetch the kernel and initrd of a make-test-iso.sh image from
/// /v1/images, and boot them with the node's parameters. Two servers share the inventory; the
/// VM boots once against each, so one of the two boots goes through forwarding.
/// </summary>
[Collection("Qemu")]
public sealed class QemuIpxeTests : IAsyncLifetime
{
    private const string Mac = "52:54:00:4e:0b:07";
    private readonly string _work = Directory.CreateTempSubdirectory("ironic-qemu-").FullName;
    private readonly RequestLog _log = new();
    private readonly List<BootServer> _servers = [];
    private IInventoryStore _store = null!;
    private Node _node = null!;
    private readonly string _marker = "ironic_marker=" + Guid.NewGuid().ToString("N")[..12];

    public async Task InitializeAsync()
    {
        foreach (var tool in new[] { "qemu-system-x86_64", "osirrox", "xorriso" })
        {
            if (!OnPath(tool)) throw new InvalidOperationException($"{tool} is missing: install Debian's qemu-system-x86, xorriso and ipxe-qemu (see .ci/packages.txt).");
        }
        if (!File.Exists("/usr/lib/ipxe/qemu/pxe-e1000.rom")) throw new InvalidOperationException("/usr/lib/ipxe/qemu/pxe-e1000.rom is missing: install Debian's ipxe-qemu.");

        var iso = Path.Combine(_work, "test.iso");
        await RunAsync("bash", [Path.Combine(RepoRoot(), "..", "shared", "tools", "make-test-iso.sh"), iso], TimeSpan.FromMinutes(3));
        var nodeName = "qemu-" + Guid.NewGuid().ToString("N")[..8];
        var images = Path.Combine(_work, "images");
        Directory.CreateDirectory(Path.Combine(images, nodeName));
        foreach (var file in new[] { "vmlinuz", "initrd.img" })
        {
            await RunAsync("osirrox", ["-indev", iso, "-extract", "/images/" + file, Path.Combine(images, nodeName, file)], TimeSpan.FromMinutes(1));
        }

        _store = InventoryStores.Open(StoreLocation.Sqlite(Path.Combine(_work, "ironic.db")));
        await _store.MigrateAsync(CancellationToken.None);
        _node = await _store.CreateNodeAsync(new Node
        {
            Name = nodeName,
            ProvisionState = ProvisionStates.WaitCallback,
            InstanceInfo = new Dictionary<string, string>
            {
                // Relative to the server the VM asked: the same node boots from either server.
                ["kernel"] = $"/v1/images/{nodeName}/vmlinuz",
                ["ramdisk"] = $"/v1/images/{nodeName}/initrd.img",
                ["ramdisk_kernel_arguments"] = "console=ttyS0 panic=-1 " + _marker,
            },
        }, CancellationToken.None);
        await _store.CreatePortAsync(new Port(Mac, _node.Uuid), CancellationToken.None);

        foreach (var name in new[] { "qa", "qb" })
        {
            var server = BootServer.Create(new BootServerOptions
            {
                Listen = "127.0.0.1:0",
                Name = name,
                SharedSecret = "qemu-secret",
                ImagesDirectory = images,
                HeartbeatInterval = TimeSpan.FromSeconds(1),
                HeartbeatTimeout = TimeSpan.FromSeconds(30),
            }, logging => logging.AddProvider(_log).SetMinimumLevel(LogLevel.Information), _store);
            await server.StartAsync(CancellationToken.None);
            _servers.Add(server);
        }
        while (_servers.Any(s => s.Ring!.LiveConductors.Count != 2)) await Task.Delay(100);
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _servers) await s.DisposeAsync();
        await _store.DisposeAsync();
        Directory.Delete(_work, true);
    }

    [Fact]
    public async Task Ipxe_ChainsFromTheCatchAll_ToItsKernel_ThroughEitherServer()
    {
        var owner = _servers[0].Ring!.GetOwner(_node)!.Name;
        foreach (var server in _servers)
        {
            _log.Clear();
            var serial = await BootAsync(server.Address!.Port);

            // The initramfs prints its line twice; a kernel message may split one copy, so one intact copy must hold it all.
            var lines = serial.Split('\n').Select(l => l.Trim('\r')).Where(l => l.StartsWith("IRONIC-CMDLINE:", StringComparison.Ordinal)).ToList();
            Assert.True(lines.Count > 0, $"no IRONIC-CMDLINE from the VM booted via {server.Options.Name}; serial output:\n{Tail(serial)}\nrequests:\n{_log}");
            Assert.True(lines.Any(l => l.Contains(_marker, StringComparison.Ordinal) && l.Contains("console=ttyS0", StringComparison.Ordinal)),
                $"no IRONIC-CMDLINE line holds {_marker} and console=ttyS0:\n{string.Join("\n", lines)}");

            // In the order a booting machine asks: the catch-all first, then its own script, then the kernel, then the initrd.
            var requests = _log.Requests(server.Address.Port);
            var catchAll = FirstIndex(requests, "GET http://10.0.2.2:" + server.Address.Port + "/boot.ipxe");
            var script = FirstIndex(requests, "/v1/boot/52-54-00-4e-0b-07/boot.ipxe");
            var kernel = FirstIndex(requests, $"/v1/images/{_node.Name}/vmlinuz");
            var initrd = FirstIndex(requests, $"/v1/images/{_node.Name}/initrd.img");
            Assert.True(catchAll == 0 && catchAll < script && script < kernel && kernel < initrd,
                $"requests via {server.Options.Name} came in this order, not catch-all, script, kernel, initrd:\n{string.Join("\n", requests)}");
            if (server.Options.Name != owner)
            {
                var ownerPort = _servers.Single(s => s.Options.Name == owner).Address!.Port;
                Assert.Contains(_log.Requests(ownerPort), r => r.Contains("/internal/v1/boot/52:54:00:4e:0b:07/boot.ipxe", StringComparison.Ordinal)
                    || r.Contains("/internal/v1/boot/52%3A54%3A00%3A4e%3A0b%3A07/boot.ipxe", StringComparison.Ordinal));
            }
        }
    }

    private async Task<string> BootAsync(int port)
    {
        var args = new List<string>
        {
            "-m", "512", "-nographic", "-no-reboot", "-serial", "mon:stdio", "-boot", "n",
            "-netdev", $"user,id=n0,bootfile=http://10.0.2.2:{port}/boot.ipxe",
            // SeaBIOS runs Debian's BIOS iPXE ROM of an e1000 NIC (its virtio ROM is not offered as a boot device here).
            "-device", $"e1000,netdev=n0,mac={Mac},romfile=/usr/lib/ipxe/qemu/pxe-e1000.rom",
        };
        var psi = new ProcessStartInfo("qemu-system-x86_64", args) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        using var qemu = Process.Start(psi)!;
        var output = new StringBuilder();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        qemu.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.Contains("IRONIC-CMDLINE:", StringComparison.Ordinal)) seen.TrySetResult();
        };
        qemu.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        qemu.BeginOutputReadLine();
        qemu.BeginErrorReadLine();
        await Task.WhenAny(seen.Task, qemu.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(150)));
        if (!qemu.HasExited) qemu.Kill(entireProcessTree: true);
        await qemu.WaitForExitAsync();
        lock (output) return output.ToString();
    }

    /// <summary>Where the first request naming <paramref name="fragment"/> is in the server's log; fails when there is none.</summary>
    private static int FirstIndex(IReadOnlyList<string> requests, string fragment)
    {
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i].Contains(fragment, StringComparison.Ordinal)) return i;
        }
        Assert.Fail($"no request for {fragment}; the server saw:\n{string.Join("\n", requests)}");
        return -1;
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)));

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ironic.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Ironic.sln) above " + AppContext.BaseDirectory);
    }

    private static async Task RunAsync(string file, string[] args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(timeout);
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}{await stdout}");
    }

    /// <summary>Collects ASP.NET Core's "Request starting" lines, per server port.</summary>
    private sealed class RequestLog : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();
        public void Clear() => _lines.Clear();
        public IReadOnlyList<string> Requests(int port) => _lines.Where(l => l.Contains(":" + port + "/", StringComparison.Ordinal) || l.Contains("127.0.0.1:" + port, StringComparison.Ordinal)).ToList();
        public override string ToString() => string.Join('\n', _lines);
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose() { }

        private sealed class Logger(RequestLog log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (category == "Microsoft.AspNetCore.Hosting.Diagnostics") log._lines.Enqueue(formatter(state, exception));
            }
        }
    }
}
