using System.Net.Sockets;
using Ironic.Core.Boot;

namespace Ironic.Cli.Tests;

public class ServeCommandTests
{
    [Fact]
    public async Task Serve_AnswersHealthz_UntilCancelled()
    {
        var port = FreePort();
        var db = Path.Combine(Path.GetTempPath(), $"cli-serve-{port}.db");
        using var cancel = new CancellationTokenSource();
        var output = new StringWriter();
        var run = IronicCommandLine.InvokeAsync(["serve", "--listen", $"127.0.0.1:{port}", "--store", db, "--name", "cli-test"], output, TextWriter.Null, cancel.Token);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        BootServerHealth? health = null;
        for (var i = 0; i < 100 && health is null; i++)
        {
            try { health = await new BootServerClient(http).GetHealthAsync(new Uri($"http://127.0.0.1:{port}"), CancellationToken.None); }
            catch (BootServerUnavailableException) { await Task.Delay(100); }
        }
        cancel.Cancel();

        Assert.NotNull(health);
        Assert.Equal("cli-test", health.Name);
        Assert.Equal(0, await run);
        Assert.Contains("listening on", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_BadListenAddress_FailsWithMessage()
    {
        var error = new StringWriter();
        var code = await IronicCommandLine.InvokeAsync(["serve", "--listen", "nowhere"], TextWriter.Null, error);
        Assert.Equal(1, code);
        Assert.Contains("Cannot listen on 'nowhere'", error.ToString(), StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}

public class UsageTests
{
    [Fact]
    public async Task UnknownCommand_ExitsTwo_AndPointsAtHelp()
    {
        var error = new StringWriter();
        Assert.Equal(2, await IronicCommandLine.InvokeAsync(["frobnicate"], TextWriter.Null, error));
        Assert.Contains("ironic --help", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsTheCommands()
    {
        var output = new StringWriter();
        Assert.Equal(0, await IronicCommandLine.InvokeAsync(["--help"], output, TextWriter.Null));
        Assert.Contains("serve", output.ToString(), StringComparison.Ordinal);
    }
}
