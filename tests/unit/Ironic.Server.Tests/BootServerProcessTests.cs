using System.Reflection;
using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.Server.Tests;

/// <summary>The supervisor behind Start-IronicBootServer, driving the real `ironic` build.</summary>
public class BootServerProcessTests
{
    internal static string IronicExecutable()
    {
        var dir = typeof(BootServerProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "IronicCliDirectory").Value!;
        var exe = Path.GetFullPath(Path.Combine(dir, OperatingSystem.IsWindows() ? "ironic.exe" : "ironic"));
        if (!File.Exists(exe)) throw new InvalidOperationException($"The ironic executable is missing at {exe}: build src/Ironic.Cli in the same configuration first.");
        return exe;
    }

    [Fact]
    public async Task Start_WaitsForHealthz_AndStop_LeavesTheRing()
    {
        var db = Path.Combine(Path.GetTempPath(), $"proc-{Guid.NewGuid():N}.db");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await using var server = await BootServerProcess.StartAsync(
            new BootServerStartInfo { Listen = "127.0.0.1:0", Store = db, Name = "proc-test", Executable = IronicExecutable() }, http, CancellationToken.None);

        Assert.Equal("proc-test", server.Name);
        Assert.Equal(db, server.Store);
        Assert.NotNull(server.Uri);
        Assert.NotEqual(0, server.Uri.Port);
        Assert.False(server.HasExited);
        var health = await new BootServerClient(http).GetHealthAsync(server.Uri, CancellationToken.None);
        Assert.Equal("proc-test", health.Name);

        await using (var store = InventoryStores.Open(StoreLocation.Sqlite(db)))
        {
            Assert.Contains(await store.ListConductorsAsync(CancellationToken.None), c => c.Name == "proc-test" && c.InternalUrl == server.Uri);
        }

        await server.StopAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
        Assert.True(server.HasExited);
        Assert.Equal(0, await server.Exited);
        Assert.Contains("ironic boot server stopped", server.LogTail, StringComparison.Ordinal);
        await using (var store = InventoryStores.Open(StoreLocation.Sqlite(db)))
        {
            Assert.DoesNotContain(await store.ListConductorsAsync(CancellationToken.None), c => c.Name == "proc-test");
        }
    }

    [Fact]
    public async Task Start_ReportsTheServersOwnError_WhenItCannotListen()
    {
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<BootServerUnavailableException>(() => BootServerProcess.StartAsync(
            new BootServerStartInfo { Listen = "not-an-address", Executable = IronicExecutable() }, http, CancellationToken.None));
        Assert.Contains("exited with code 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("Cannot listen on 'not-an-address'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_StopsTheServerCleanly()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await using var server = await BootServerProcess.StartAsync(
            new BootServerStartInfo { Listen = "127.0.0.1:0", Store = Path.Combine(Path.GetTempPath(), $"proc-{Guid.NewGuid():N}.db"), Name = "term-test", Executable = IronicExecutable() },
            http, CancellationToken.None);
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", server.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        Assert.Equal(0, await server.Exited.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("ironic boot server stopped", server.LogTail, StringComparison.Ordinal);
    }

    [Fact]
    public void FindExecutable_ExplainsWhereItLooked()
    {
        var e = Assert.Throws<FileNotFoundException>(() => BootServerProcess.FindExecutable("/nonexistent/ironic"));
        Assert.Contains("/nonexistent/ironic", e.Message, StringComparison.Ordinal);
        Assert.Contains("IRONIC_EXE", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKilledServer_IsReportedExited()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await using var server = await BootServerProcess.StartAsync(
            new BootServerStartInfo { Listen = "127.0.0.1:0", Store = Path.Combine(Path.GetTempPath(), $"proc-{Guid.NewGuid():N}.db"), Name = "kill-test", Executable = IronicExecutable() },
            http, CancellationToken.None);
        server.Kill();
        await server.Exited.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(server.HasExited);
        Assert.False(BootServerInfo.FromProcess(server).Alive);
    }
}
