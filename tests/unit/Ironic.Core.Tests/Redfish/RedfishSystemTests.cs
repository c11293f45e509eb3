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
