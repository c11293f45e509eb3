using Ironic.BmcEmulation;

namespace Ironic.Cli.Tests.Redfish;

/// <summary>ironic vmedia / power / boot-device --node: the BMC, system and credentials come from the inventory.</summary>
public sealed class BmcNodeCommandTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("ironic-bmc-node-").FullName;
    private BmcEmulator _bmc = null!;

    private string Store => Path.Combine(_work, "inventory.db");

    public async Task InitializeAsync()
    {
        CliTestEnvironment.UseTestSecretKey();
        _bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = BmcProfile.Idrac, Password = "node-secret" }, CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(_work, "pw"), "node-secret\n");
        var created = await RunAsync("node", "create", "--name", "n1", "--driver", "redfish", "--bmc", _bmc.Address.AbsoluteUri,
            "--username", "admin", "--password-file", Path.Combine(_work, "pw"), "--store", Store);
        Assert.True(created.Code == 0, created.Err);
    }

    public async Task DisposeAsync()
    {
        await _bmc.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_work, recursive: true);
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await IronicCommandLine.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task PowerOn_ByNode_UsesTheStoredBmcAndCredentials()
    {
        var on = await RunAsync("power", "on", "--node", "n1", "--store", Store, "--timeout", "30");

        Assert.True(on.Code == 0, on.Err);
        Assert.Equal("On", _bmc.State.PowerState);
        var show = await RunAsync("vmedia", "show", "--node", "n1", "--store", Store);
        Assert.True(show.Code == 0, show.Err);
        Assert.Contains("CD", show.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ByNode_ExplicitCredentialsWin_OverTheStoredOnes()
    {
        var wrong = Path.Combine(_work, "wrong-pw");
        await File.WriteAllTextAsync(wrong, "not-it\n");

        var show = await RunAsync("power", "show", "--node", "n1", "--store", Store, "--username", "admin", "--password-file", wrong);

        Assert.Equal(1, show.Code);
        Assert.Contains("The BMC said:", show.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("not-it", show.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownNode_NeitherOrBoth_AreClearErrors()
    {
        var unknown = await RunAsync("power", "show", "--node", "nope", "--store", Store);
        Assert.Equal(1, unknown.Code);
        Assert.Contains("No node is named 'nope'", unknown.Err, StringComparison.Ordinal);

        var neither = await RunAsync("power", "show", "--store", Store);
        Assert.Equal(1, neither.Code);
        Assert.Contains("--bmc https://host[:port]", neither.Err, StringComparison.Ordinal);
        Assert.Contains("--node NAME", neither.Err, StringComparison.Ordinal);

        var both = await RunAsync("power", "show", "--node", "n1", "--bmc", _bmc.Address.AbsoluteUri, "--store", Store);
        Assert.Equal(1, both.Code);
        Assert.Contains("not both", both.Err, StringComparison.Ordinal);
    }
}
