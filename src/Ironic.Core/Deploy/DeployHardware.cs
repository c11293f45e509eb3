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
        // The node's BMC as the BMC commands read it: bare hosts, redfish_verify_ca (false or a CA bundle).
        var target = RedfishNodeTarget.FromNode(node);
        var options = target.ClientOptions();
        if (adjust is not null) options = adjust(node, options);
        return new RedfishHardware(options, target.SystemId);
    }
}
