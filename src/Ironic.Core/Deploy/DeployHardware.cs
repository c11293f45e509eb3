using Ironic.Core.Hardware;
using Ironic.Core.Inventory;
using Ironic.Core.Redfish;

namespace Ironic.Core.Deploy;

/// <summary>The hardware types a deploy can drive: fake (from the start) and redfish, from the node's driver_info.</summary>
public static class DeployHardware
{
    public static NodeHardwareFactory CreateFactory(FakeHardwareLab? lab = null, Func<Node, RedfishClientOptions, RedfishClientOptions>? adjustRedfish = null)
    {
        var factory = new NodeHardwareFactory(lab);
        factory.Register(NodeHardwareFactory.Redfish, node => CreateRedfish(node, adjustRedfish));
        return factory;
    }

    public static RedfishHardware CreateRedfish(Node node, Func<Node, RedfishClientOptions, RedfishClientOptions>? adjust = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (string.IsNullOrWhiteSpace(node.BmcAddress) || !Uri.TryCreate(node.BmcAddress, UriKind.Absolute, out var address))
        {
            throw new ArgumentException($"Node {node.Name} has no valid driver_info/redfish_address ('{node.BmcAddress}'); set it with 'ironic node set {node.Name} --bmc https://BMC'.");
        }
        var verify = !node.DriverInfo.TryGetValue(DriverInfoKeys.RedfishVerifyCa, out var v) || !string.Equals(v.Trim(), "false", StringComparison.OrdinalIgnoreCase);
        var options = new RedfishClientOptions(address)
        {
            Username = node.BmcUsername,
            Password = node.DriverInfo.GetValueOrDefault(DriverInfoKeys.RedfishPassword),
            VerifyTls = verify,
        };
        if (adjust is not null) options = adjust(node, options);
        return new RedfishHardware(options, node.SystemId);
    }
}
