using System.Diagnostics;
using System.Reflection;

namespace Ironic.Cli.Tests.Examples;

/// <summary>
/// Runs the CLI twin of every runbook in examples/ (through tests/examples/run-cli-twins.sh)
/// with the real `ironic` build, standalone BMC emulators and test ISOs, and checks the outcome
/// the script asserts (media inserted, nodes active, scripts through both servers, KS.CFG on the ISO).
/// </summary>
[Collection("ExampleRunbooks")]
public sealed class ExampleRunbookTests
{
    private static readonly string Root = Metadata("RepositoryRoot");

    [Theory]
    [InlineData("boot-one-server")]
    [InlineData("deploy-rack")]
    [InlineData("two-boot-servers")]
    [InlineData("esxi-iso")]
    public async Task CliTwin_RunsAgainstTheBmcEmulator(string runbook)
    {
        Assert.True(File.Exists(Path.Combine(Root, "examples", runbook + ".sh")), $"examples/{runbook}.sh is missing");
        Assert.True(File.Exists(Path.Combine(Root, "examples", runbook + ".ps1")), $"examples/{runbook}.ps1 (the PowerShell runbook) is missing");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Root, "tests", "examples", "run-cli-twins.sh"));
        start.ArgumentList.Add(runbook);
        start.Environment["IRONIC"] = $"dotnet {Path.Combine(Metadata("IronicCliDirectory"), "ironic.dll")}";
        start.Environment["BMC_EMULATOR"] = $"dotnet {Path.Combine(Metadata("BmcEmulatorDirectory"), "Ironic.BmcEmulator.dll")}";
        if (Environment.GetEnvironmentVariable("MAKE_TEST_ISO") is null)
        {
            start.Environment["MAKE_TEST_ISO"] = Path.GetFullPath(Path.Combine(Root, "..", "shared", "tools", "make-test-iso.sh"));
        }
        // The test ISOs stay in the shared cache while the script works under a TMPDIR of its own.
        start.Environment["IRONIC_TEST_CACHE"] = Environment.GetEnvironmentVariable("IRONIC_TEST_CACHE") ?? Path.Combine(Path.GetTempPath(), "ironic-test-isos");
        var tmp = Directory.CreateTempSubdirectory($"ironic-twin-{runbook}-");
        try
        {
            start.Environment["TMPDIR"] = tmp.FullName;
            var (exitCode, output) = await RunAsync(start, runbook);
            Assert.True(exitCode == 0, $"examples/{runbook}.sh failed ({exitCode}):\n{output}");
            Assert.Contains($"ok: {runbook}", output, StringComparison.Ordinal);
            await AssertNothingLeftRunningAsync(start, runbook);
        }
        finally
        {
            tmp.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The README's first command, as a new user runs it (minus apt-get and the build, which CI
    /// has done): one node deployed from a base ISO to an emulated BMC, and the bytes that BMC
    /// was given booted under qemu with the injected parameters.
    /// </summary>
    [Fact]
    public async Task Quickstart_DeploysANode_AndTheIsoItsBmcGot_BootsWithTheParameters()
    {
        var work = Directory.CreateTempSubdirectory("ironic-quickstart-");
        try
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(Root, "examples", "quickstart.sh"));
            start.Environment["SETUP"] = "0";
            start.Environment["KEEP_SERVING"] = "0";
            start.Environment["WORK"] = work.FullName;
            start.Environment["LISTEN"] = $"127.0.0.1:{FreePort()}";
            start.Environment["PARAMS"] = "ironic.quickstart=test console=ttyS0";
            var (exitCode, output) = await RunAsync(start, "quickstart");
            Assert.True(exitCode == 0, $"examples/quickstart.sh failed ({exitCode}):\n{output}");
            Assert.Contains("quickstart-n01: active", output, StringComparison.Ordinal);
            Assert.Matches(@"IRONIC-CMDLINE: .*ironic\.quickstart=test", output);
            Assert.Contains("ok: quickstart-n01 deployed", output, StringComparison.Ordinal);
            await AssertNothingLeftRunningAsync(start, "quickstart");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Put in each script's environment, so that the processes it starts can be told apart.</summary>
    private const string RunMarker = "IRONIC_EXAMPLE_RUN";

    private static async Task<(int ExitCode, string Output)> RunAsync(ProcessStartInfo start, string what)
    {
        start.Environment[RunMarker] = Guid.NewGuid().ToString("N");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what} ran for 10 minutes: {await stderr}");
        }
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    /// <summary>
    /// A runbook that ends must take its boot servers and emulators with it. Everything it
    /// started inherited the marker <see cref="RunAsync"/> put in its environment; any such
    /// process still running is killed and named in the failure.
    /// </summary>
    private static async Task AssertNothingLeftRunningAsync(ProcessStartInfo start, string what)
    {
        var marker = $"{RunMarker}={start.Environment[RunMarker]}";
        var deadline = DateTime.UtcNow.AddSeconds(5);
        List<(int Pid, string CommandLine)> left;
        while (true)
        {
            left = ProcessesWith(marker);
            if (left.Count == 0 || DateTime.UtcNow > deadline) break;
            await Task.Delay(200);
        }
        foreach (var (pid, _) in left)
        {
            try { using var p = Process.GetProcessById(pid); p.Kill(entireProcessTree: true); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        }
        Assert.True(left.Count == 0, $"{what} left {left.Count} process(es) running:\n" + string.Join("\n", left.Select(l => $"{l.Pid}: {l.CommandLine}")));
    }

    private static List<(int Pid, string CommandLine)> ProcessesWith(string environmentEntry)
    {
        var found = new List<(int, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                if (!File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains(environmentEntry, StringComparer.Ordinal)) continue;
                found.Add((pid, File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim()));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
        return found;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Metadata(string key) =>
        typeof(ExampleRunbookTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}

[CollectionDefinition("ExampleRunbooks", DisableParallelization = true)]
public sealed class ExampleRunbookCollection;
