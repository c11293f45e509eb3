using System.Text.Json;
using Ironic.Core.Inventory;

namespace Ironic.Cli.Tests;

public sealed class NodeCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ironic-cli-node-tests", Guid.NewGuid().ToString("N"));
    private readonly string _store;

    public NodeCommandTests()
    {
        CliTestEnvironment.UseTestSecretKey();
        Directory.CreateDirectory(_directory);
        _store = Path.Combine(_directory, "inventory.db");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await IronicCommandLine.InvokeAsync([.. args, "--store", _store], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Node_CreateListShowSetDelete_RoundTrip()
    {
        const string password = "cli-Secret-Pa55";
        var passwordFile = Path.Combine(_directory, "bmc.pw");
        await File.WriteAllTextAsync(passwordFile, password + "\n");

        var created = await RunAsync("node", "create", "--name", "rack1-n01", "--driver", "redfish", "--bmc", "https://10.0.0.5",
            "--system", "/redfish/v1/Systems/1", "--username", "admin", "--password-file", passwordFile,
            "--mac", "52-54-00-AA-BB-01", "--mac", "525400aabb02");
        Assert.True(created.Code == 0, created.Error);
        Assert.Contains("rack1-n01", created.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(password, created.Output, StringComparison.Ordinal);

        var list = await RunAsync("node", "list");
        Assert.Equal(0, list.Code);
        Assert.Contains("rack1-n01", list.Output, StringComparison.Ordinal);
        Assert.Contains("52:54:00:aa:bb:01,52:54:00:aa:bb:02", list.Output, StringComparison.Ordinal);
        Assert.Contains("https://10.0.0.5", list.Output, StringComparison.Ordinal);

        var shown = await RunAsync("node", "show", "rack1-n01", "--json");
        Assert.Equal(0, shown.Code);
        Assert.DoesNotContain(password, shown.Output, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(shown.Output))
        {
            var driverInfo = json.RootElement.GetProperty("driver_info");
            Assert.Equal(DriverInfoKeys.RedactedValue, driverInfo.GetProperty("redfish_password").GetString());
            Assert.Equal("admin", driverInfo.GetProperty("redfish_username").GetString());
            Assert.Equal("redfish", json.RootElement.GetProperty("driver").GetString());
            Assert.Equal("available", json.RootElement.GetProperty("provision_state").GetString());
        }

        var set = await RunAsync("node", "set", "rack1-n01", "--instance-info", "boot_iso=http://images/ipa.iso",
            "--instance-info", "ramdisk_kernel_arguments=console=ttyS0 ip=dhcp", "--provision-state", "wait call-back", "--json");
        Assert.True(set.Code == 0, set.Error);
        using (var json = JsonDocument.Parse(set.Output))
        {
            Assert.Equal("wait call-back", json.RootElement.GetProperty("provision_state").GetString());
            var instanceInfo = json.RootElement.GetProperty("instance_info");
            Assert.Equal("http://images/ipa.iso", instanceInfo.GetProperty("boot_iso").GetString());
            Assert.Equal("console=ttyS0 ip=dhcp", instanceInfo.GetProperty("ramdisk_kernel_arguments").GetString());
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("reservation").ValueKind);
        }

        // The password survived the change and is still the one the BMC needs.
        await using (var store = await InventoryStores.OpenAsync(StoreLocation.Sqlite(_store), default))
        {
            Assert.Equal(password, (await store.GetNodeAsync("rack1-n01", default))!.DriverInfo[DriverInfoKeys.RedfishPassword]);
        }

        var unset = await RunAsync("node", "set", "rack1-n01", "--unset-instance-info", "boot_iso", "--name", "rack1-n01b");
        Assert.True(unset.Code == 0, unset.Error);
        Assert.DoesNotContain("boot_iso", unset.Output, StringComparison.Ordinal);
        Assert.Contains("rack1-n01b", unset.Output, StringComparison.Ordinal);

        var deleted = await RunAsync("node", "delete", "rack1-n01b");
        Assert.Equal(0, deleted.Code);
        Assert.Contains("Deleted node 'rack1-n01b'", deleted.Output, StringComparison.Ordinal);

        var empty = await RunAsync("node", "list", "--json");
        Assert.Equal("[]", empty.Output.Trim());
        Assert.Equal("[]", (await RunAsync("port", "list", "--json")).Output.Trim());

        var gone = await RunAsync("node", "show", "rack1-n01b");
        Assert.Equal(1, gone.Code);
        Assert.StartsWith("ironic: No node is named 'rack1-n01b'", gone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeCreate_MacOfAnotherNode_FailsAndLeavesNothingBehind()
    {
        Assert.Equal(0, (await RunAsync("node", "create", "--name", "first", "--mac", "52:54:00:00:00:01")).Code);

        var second = await RunAsync("node", "create", "--name", "second", "--mac", "52:54:00:00:00:02", "--mac", "525400000001");

        Assert.Equal(1, second.Code);
        Assert.Contains("already belongs to node 'first'", second.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("second", (await RunAsync("node", "list")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeCreate_BadInput_ExplainsWhatToGive()
    {
        var noBmc = await RunAsync("node", "create", "--name", "r1", "--driver", "redfish");
        Assert.Equal(1, noBmc.Code);
        Assert.Contains("--bmc", noBmc.Error, StringComparison.Ordinal);

        var badMac = await RunAsync("node", "create", "--name", "r2", "--mac", "52:54:00:zz:00:01");
        Assert.Equal(1, badMac.Code);
        Assert.Contains("is not a MAC address", badMac.Error, StringComparison.Ordinal);

        var badDriver = await RunAsync("node", "create", "--name", "r3", "--driver", "ipmi");
        Assert.Equal(1, badDriver.Code);
        Assert.Contains("fake, redfish", badDriver.Error, StringComparison.Ordinal);

        var noPasswordFile = await RunAsync("node", "create", "--name", "r4", "--password-file", Path.Combine(_directory, "missing"));
        Assert.Equal(1, noPasswordFile.Code);
        Assert.Contains("does not exist", noPasswordFile.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeSet_NothingToChange_OrUnknownState_Fails()
    {
        Assert.Equal(0, (await RunAsync("node", "create", "--name", "s1")).Code);
        var nothing = await RunAsync("node", "set", "s1");
        Assert.Equal(1, nothing.Code);
        Assert.Contains("Nothing to change", nothing.Error, StringComparison.Ordinal);

        var badState = await RunAsync("node", "set", "s1", "--provision-state", "sleeping");
        Assert.Equal(1, badState.Code);
        Assert.Contains("'wait call-back'", badState.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeSetAndDelete_RefusedWhileAConductorHoldsTheNode()
    {
        Assert.Equal(0, (await RunAsync("node", "create", "--name", "busy")).Code);
        await using (var store = await InventoryStores.OpenAsync(StoreLocation.Sqlite(_store), default))
        {
            var node = (await store.GetNodeAsync("busy", default))!;
            Assert.True(await store.TryReserveAsync(node.Uuid, "conductor-7", default));
        }

        var set = await RunAsync("node", "set", "busy", "--provision-state", "active");
        var delete = await RunAsync("node", "delete", "busy");

        Assert.Equal(1, set.Code);
        Assert.Contains("'conductor-7' holds its reservation", set.Error, StringComparison.Ordinal);
        Assert.Equal(1, delete.Code);
        Assert.Contains("busy", (await RunAsync("node", "list")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Port_CreateListShowDelete_ByAnyMacForm()
    {
        Assert.Equal(0, (await RunAsync("node", "create", "--name", "pn")).Code);

        var created = await RunAsync("port", "create", "--node", "pn", "--mac", "AA-BB-CC-00-11-22");
        Assert.True(created.Code == 0, created.Error);
        Assert.Contains("aa:bb:cc:00:11:22", created.Output, StringComparison.Ordinal);

        var list = await RunAsync("port", "list", "--node", "pn");
        Assert.Contains("aa:bb:cc:00:11:22  pn", list.Output, StringComparison.Ordinal);

        var show = await RunAsync("port", "show", "aabbcc001122", "--json");
        using (var json = JsonDocument.Parse(show.Output))
        {
            Assert.Equal("aa:bb:cc:00:11:22", json.RootElement[0].GetProperty("address").GetString());
        }

        var deleted = await RunAsync("port", "delete", "AABBCC001122", "--json");
        Assert.Equal(0, deleted.Code);
        Assert.Contains("\"address\": \"aa:bb:cc:00:11:22\"", deleted.Output, StringComparison.Ordinal);
        var again = await RunAsync("port", "delete", "aa:bb:cc:00:11:22");
        Assert.Equal(1, again.Code);
        Assert.Contains("No port has the MAC address 'aa:bb:cc:00:11:22'", again.Error, StringComparison.Ordinal);
    }
}
