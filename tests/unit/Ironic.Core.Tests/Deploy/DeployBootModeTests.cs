using Ironic.Core.Deploy;
using Ironic.Core.Hardware;
using Ironic.Core.Inventory;

namespace Ironic.Core.Tests.Deploy;

public class DeployBootModeTests
{
    private static Node With(params (string Key, string Value)[] info) =>
        new() { Name = "m1", InstanceInfo = info.ToDictionary(p => p.Key, p => p.Value) };

    [Theory]
    [InlineData("uefi", BootMode.Uefi)]
    [InlineData(" UEFI ", BootMode.Uefi)]
    [InlineData("bios", BootMode.Legacy)]
    [InlineData("Legacy", BootMode.Legacy)]
    public void DeployBootMode_IsReadAsIronicWritesIt(string value, BootMode expected) =>
        Assert.Equal(expected, DeployBootMode.Of(With((DeployBootMode.Key, value))));

    [Fact]
    public void Capabilities_GiveTheModeWhenDeployBootModeIsAbsent_AndDeployBootModeWins()
    {
        Assert.Equal(BootMode.Uefi, DeployBootMode.Of(With((DeployBootMode.CapabilitiesKey, """{"boot_mode": "uefi", "secure_boot": "true"}"""))));
        Assert.Equal(BootMode.Legacy, DeployBootMode.Of(With((DeployBootMode.CapabilitiesKey, """{"boot_mode": "uefi"}"""), (DeployBootMode.Key, "bios"))));
        Assert.Null(DeployBootMode.Of(With((DeployBootMode.CapabilitiesKey, """{"secure_boot": "true"}"""))));
        Assert.Null(DeployBootMode.Of(With()));
        Assert.Null(DeployBootMode.Of(With((DeployBootMode.Key, " "))));
    }

    [Theory]
    [InlineData(DeployBootMode.Key, "efi", "instance_info/deploy_boot_mode 'efi'")]
    [InlineData(DeployBootMode.CapabilitiesKey, """{"boot_mode": "efi"}""", "boot_mode 'efi' in instance_info/capabilities")]
    [InlineData(DeployBootMode.CapabilitiesKey, "boot_mode:uefi", "not a JSON object")]
    public void WhatIsNoBootMode_FailsTheDeploy_SayingWhatToWrite(string key, string value, string named)
    {
        var e = Assert.Throws<DeployException>(() => DeployBootMode.Of(With((key, value))));
        Assert.Equal(DeployFailure.InvalidInstanceInfo, e.Failure);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Contains("m1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ShowsWhatTheNodeAsks_InIronicsWords_AndAWrongValueAsWritten()
    {
        Assert.Equal("bios", DeployBootMode.Describe(With((DeployBootMode.Key, "Legacy"))));
        Assert.Equal("uefi", DeployBootMode.Describe(With((DeployBootMode.CapabilitiesKey, """{"boot_mode": "uefi"}"""))));
        Assert.Equal("efi", DeployBootMode.Describe(With((DeployBootMode.Key, "efi"))));
        Assert.Null(DeployBootMode.Describe(With()));
        Assert.Equal("bios", DeployStatus.FromNode(With((DeployBootMode.Key, "bios"))).BootMode);
    }

    [Fact]
    public void TheRequestsMode_IsWrittenInIronicsWords_AndAnAbsentOneKeepsTheNodes()
    {
        var request = new DeployRequest { BootIso = new Uri("http://img/a.iso") };
        Assert.Equal("bios", (request with { BootMode = BootMode.Legacy }).ApplyTo(new Dictionary<string, string>())[DeployBootMode.Key]);
        Assert.Equal("uefi", request.ApplyTo(new Dictionary<string, string> { [DeployBootMode.Key] = "uefi" })[DeployBootMode.Key]);
    }
}
