using Ironic.Core.Hardware;
using Ironic.Core.Inventory;
using Ironic.Core.Redfish;

namespace Ironic.Core.Tests.Redfish;

public class RedfishSystemTests
{
    [Fact]
    public void BootTarget_Cd_FallsBackToUsbCd_WhereOnlyThatIsAllowed()
    {
        Assert.Equal("Cd", RedfishSystem.ChooseBootTarget(BootDevice.Cd, ["Pxe", "Cd", "UsbCd"]));
        Assert.Equal("UsbCd", RedfishSystem.ChooseBootTarget(BootDevice.Cd, ["Pxe", "Hdd", "UsbCd"]));
        Assert.Equal("Cd", RedfishSystem.ChooseBootTarget(BootDevice.Cd, []));
        var e = Assert.Throws<NotSupportedException>(() => RedfishSystem.ChooseBootTarget(BootDevice.Cd, ["Pxe", "Hdd"]));
        Assert.Contains("Pxe, Hdd", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResetType_ComesFromTheAllowedValues()
    {
        Assert.Equal("ForceOn", RedfishSystem.ChooseResetType(PowerAction.On, ["ForceOn", "ForceOff"]));
        Assert.Equal("PowerCycle", RedfishSystem.ChooseResetType(PowerAction.ForceRestart, ["On", "ForceOff", "PowerCycle"]));
        Assert.Equal("GracefulShutdown", RedfishSystem.ChooseResetType(PowerAction.GracefulShutdown, []));
        Assert.Throws<NotSupportedException>(() => RedfishSystem.ChooseResetType(PowerAction.ForceOff, ["On"]));
    }

    [Theory]
    [InlineData("On", HardwarePowerState.On)]
    [InlineData("PoweringOff", HardwarePowerState.On)]
    [InlineData("Off", HardwarePowerState.Off)]
    [InlineData(null, HardwarePowerState.Unknown)]
    public void PowerState_MapsToHardwareState(string? state, HardwarePowerState expected) =>
        Assert.Equal(expected, RedfishSystem.ToHardwareState(state));
}

public class RedfishNodeTargetTests
{
    [Fact]
    public void FromNode_ReadsIronicDriverInfoNames()
    {
        var node = new Ironic.Core.Inventory.Node
        {
            Name = "r1",
            Driver = "redfish",
            DriverInfo = new Dictionary<string, string>
            {
                ["redfish_address"] = "10.0.0.10:8443",
                ["redfish_system_id"] = "/redfish/v1/Systems/System.Embedded.1",
                ["redfish_username"] = "root",
                ["redfish_password"] = "calvin",
                ["redfish_verify_ca"] = "False",
            },
        };
        var target = RedfishNodeTarget.FromNode(node);
        Assert.Equal(new Uri("https://10.0.0.10:8443"), target.BmcAddress);
        Assert.Equal("/redfish/v1/Systems/System.Embedded.1", target.SystemId);
        Assert.False(target.VerifyTls);
        Assert.DoesNotContain("calvin", target.ToString(), StringComparison.Ordinal);
    }

    /// <summary>What the CLI's flags and the cmdlets' parameters do to a node's BMC settings (both go through WithOverrides).</summary>
    [Fact]
    public void WithOverrides_PutsWhatTheOperatorGaveOverTheNodesSettings()
    {
        var node = new Ironic.Core.Inventory.Node
        {
            Name = "r3",
            Driver = "redfish",
            DriverInfo = new Dictionary<string, string>
            {
                ["redfish_address"] = "https://10.0.0.30",
                ["redfish_system_id"] = "/redfish/v1/Systems/1",
                ["redfish_username"] = "root",
                ["redfish_password"] = "calvin",
                ["redfish_verify_ca"] = "/etc/ironic/bmc-ca.pem",
            },
        };
        var target = RedfishNodeTarget.FromNode(node);
        Assert.True(target.VerifyTls);
        Assert.Equal("/etc/ironic/bmc-ca.pem", target.CaBundlePath);

        // Nothing given: the node's settings, to the letter, down to the client options.
        Assert.Equal(target, target.WithOverrides(null, credentialsGiven: false, null, null, skipTlsCheck: false, null));
        var options = target.ClientOptions();
        Assert.Equal(("root", "calvin", true, "/etc/ironic/bmc-ca.pem"), (options.Username, options.Password, options.VerifyTls, options.CaBundlePath));

        // Credentials replace the node's user and password together, even a null password.
        var given = target.WithOverrides("/redfish/v1/Systems/2", credentialsGiven: true, "operator", null, skipTlsCheck: true, "/tmp/other-ca.pem");
        Assert.Equal(("/redfish/v1/Systems/2", "operator", (string?)null, false, "/tmp/other-ca.pem"), (given.SystemId, given.Username, given.Password, given.VerifyTls, given.CaBundlePath));
        Assert.Equal(target.BmcAddress, given.BmcAddress);

        // A node that says verify false stays unverified whatever the operator leaves out.
        var unverified = RedfishNodeTarget.FromNode(node with { DriverInfo = new Dictionary<string, string>(node.DriverInfo) { ["redfish_verify_ca"] = "false" } });
        Assert.False(unverified.WithOverrides(null, false, null, null, false, null).VerifyTls);
        Assert.Null(unverified.CaBundlePath);
    }

    [Fact]
    public void FromNode_WithoutAddress_SaysWhatToSet()
    {
        var e = Assert.Throws<ArgumentException>(() => RedfishNodeTarget.FromNode(new Ironic.Core.Inventory.Node { Name = "r2" }));
        Assert.Contains("redfish_address", e.Message, StringComparison.Ordinal);
        Assert.Contains("r2", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.10", "https://10.0.0.10/")]
    [InlineData("bmc7.example.com:8443", "https://bmc7.example.com:8443/")]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/")]
    [InlineData(" https://[fd00::5]/ ", "https://[fd00::5]/")]
    public void TryParseBmcAddress_TakesUrlsAndBareHosts(string text, string expected)
    {
        Assert.True(RedfishNodeTarget.TryParseBmcAddress(text, out var address));
        Assert.Equal(new Uri(expected), address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ftp://10.0.0.1")]
    [InlineData("https://")]
    public void TryParseBmcAddress_RefusesWhatIsNoBmcUrl(string text) =>
        Assert.False(RedfishNodeTarget.TryParseBmcAddress(text, out _));

    /// <summary>Get-IronicNode prints nodes with "******" passwords; piped into a BMC cmdlet, the real one is read back.</summary>
    [Fact]
    public async Task FromNodeAsync_ReadsAHiddenPasswordBackFromTheInventory()
    {
        var file = Path.Combine(Path.GetTempPath(), $"target-{Guid.NewGuid():N}.db");
        try
        {
            await using var store = await InventoryStores.OpenAsync(StoreLocation.Sqlite(file), CancellationToken.None, SecretKeySource.FromKey(new byte[SecretKeySource.KeySize]));
            var stored = await store.CreateNodeAsync(new Ironic.Core.Inventory.Node
            {
                Name = "r3",
                Driver = "redfish",
                DriverInfo = new Dictionary<string, string> { ["redfish_address"] = "10.0.0.3", ["redfish_username"] = "root", ["redfish_password"] = "calvin" },
            }, CancellationToken.None);
            var opened = 0;
            Task<IInventoryStore> Open(CancellationToken _) { opened++; return Task.FromResult(store); }

            var fromPrinted = await RedfishNodeTarget.FromNodeAsync(stored.Redacted(), Open, CancellationToken.None);
            Assert.Equal("calvin", fromPrinted.Password);
            Assert.Equal("root", fromPrinted.Username);
            Assert.Equal(1, opened);

            var fromStore = await RedfishNodeTarget.FromNodeAsync(stored, Open, CancellationToken.None);
            Assert.Equal("calvin", fromStore.Password);
            Assert.Equal(1, opened); // a node that carries its password needs no inventory

            var unknown = stored.Redacted() with { Uuid = Guid.NewGuid(), Name = "elsewhere" };
            var e = await Assert.ThrowsAsync<NodeNotFoundException>(() => RedfishNodeTarget.FromNodeAsync(unknown, Open, CancellationToken.None));
            Assert.Contains("elsewhere", e.Message, StringComparison.Ordinal);
            Assert.Contains("-Store", e.Message, StringComparison.Ordinal);
            Assert.Contains("-Credential", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}
