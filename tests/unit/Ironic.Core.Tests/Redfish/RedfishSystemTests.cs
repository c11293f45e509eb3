using Ironic.Core.Hardware;
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

    [Fact]
    public void FromNode_WithoutAddress_SaysWhatToSet()
    {
        var e = Assert.Throws<ArgumentException>(() => RedfishNodeTarget.FromNode(new Ironic.Core.Inventory.Node { Name = "r2" }));
        Assert.Contains("redfish_address", e.Message, StringComparison.Ordinal);
        Assert.Contains("r2", e.Message, StringComparison.Ordinal);
    }
}
