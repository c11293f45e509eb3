using Ironic.Core.Inventory;

namespace Ironic.Core.Tests.Inventory;

public class NodeRequestTests
{
    [Fact]
    public void ToNode_FillsDriverInfo_FromTheRedfishFields()
    {
        var node = new NewNodeRequest
        {
            Name = "r1",
            Driver = "Redfish",
            BmcAddress = "10.0.0.5:8443",
            SystemId = "/redfish/v1/Systems/1",
            Username = "root",
            Password = "pw",
            ConductorGroup = "Rack-A",
        }.ToNode();

        Assert.Equal("redfish", node.Driver);
        Assert.Equal("https://10.0.0.5:8443", node.BmcAddress);
        Assert.Equal("/redfish/v1/Systems/1", node.SystemId);
        Assert.Equal("root", node.BmcUsername);
        Assert.Equal("pw", node.DriverInfo[DriverInfoKeys.RedfishPassword]);
        Assert.Equal("rack-a", node.ConductorGroup);
        Assert.Equal("redfish-virtual-media", node.BootInterface);
        Assert.Equal(DriverInfoKeys.RedactedValue, node.Redacted().DriverInfo[DriverInfoKeys.RedfishPassword]);
        Assert.Equal("pw", node.DriverInfo[DriverInfoKeys.RedfishPassword]);
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("0983ebbe-f5db-4189-b7fb-100e207f23fe")]
    public void ToNode_BadName_IsRefused(string name)
    {
        Assert.Throws<ArgumentException>(() => new NewNodeRequest { Name = name }.ToNode());
    }

    [Theory]
    [InlineData("ftp://bmc")]
    [InlineData("https://")]
    [InlineData("http:///x")]
    public void ToNode_BadBmcAddress_IsRefused(string address)
    {
        var e = Assert.Throws<ArgumentException>(() => new NewNodeRequest { Name = "n", Driver = "redfish", BmcAddress = address }.ToNode());
        Assert.Contains("https://host", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyTo_UnsetsThenSets_AndLeavesTheRestAlone()
    {
        var node = new NewNodeRequest
        {
            Name = "n1",
            InstanceInfo = new Dictionary<string, string> { ["boot_iso"] = "http://a.iso", ["kernel"] = "http://k" },
        }.ToNode() with { LastError = "boom", TargetProvisionState = "active" };

        var changed = new NodeChanges
        {
            UnsetInstanceInfo = ["boot_iso", "kernel"],
            SetInstanceInfo = new Dictionary<string, string> { ["kernel"] = "http://k2" },
            ProvisionState = ProvisionStates.WaitCallback,
            ClearLastError = true,
            ClearTargetProvisionState = true,
        }.ApplyTo(node);

        Assert.Equal(new Dictionary<string, string> { ["kernel"] = "http://k2" }, changed.InstanceInfo);
        Assert.Equal(ProvisionStates.WaitCallback, changed.ProvisionState);
        Assert.Null(changed.LastError);
        Assert.Null(changed.TargetProvisionState);
        Assert.Equal(node.Name, changed.Name);
        Assert.Equal(node.Uuid, changed.Uuid);
        Assert.Equal("http://a.iso", node.InstanceInfo["boot_iso"]);
    }

    [Fact]
    public void ApplyTo_SwitchingToRedfishWithoutBmc_IsRefused()
    {
        var node = new NewNodeRequest { Name = "f" }.ToNode();
        Assert.Throws<ArgumentException>(() => new NodeChanges { Driver = "redfish" }.ApplyTo(node));
        Assert.Equal("redfish", new NodeChanges { Driver = "redfish", BmcAddress = "https://b" }.ApplyTo(node).Driver);
    }

    [Fact]
    public void IsEmpty_OnlyWhenNothingIsAsked()
    {
        Assert.True(new NodeChanges().IsEmpty);
        Assert.False(new NodeChanges { ClearLastError = true }.IsEmpty);
        Assert.False(new NodeChanges { UnsetDriverInfo = ["x"] }.IsEmpty);
    }

    [Fact]
    public void ParseKeyValue_KeepsEqualsInTheValue()
    {
        Assert.Equal(new KeyValuePair<string, string>("ramdisk_kernel_arguments", "ip=dhcp a=b"), NodeRequestRules.ParseKeyValue("ramdisk_kernel_arguments=ip=dhcp a=b"));
        Assert.Throws<ArgumentException>(() => NodeRequestRules.ParseKeyValue("=x"));
        Assert.Throws<ArgumentException>(() => NodeRequestRules.ParseKeyValue("novalue"));
    }

    [Fact]
    public void WaitStates_AreTheBootApisGate()
    {
        Assert.True(ProvisionStates.IsWaitState(ProvisionStates.WaitCallback));
        Assert.True(ProvisionStates.IsWaitState(ProvisionStates.CleanWait));
        Assert.False(ProvisionStates.IsWaitState(ProvisionStates.Active));
        Assert.All(ProvisionStates.Known.Where(ProvisionStates.IsWaitState), s => Assert.Contains("wait", s, StringComparison.Ordinal));
    }
}
