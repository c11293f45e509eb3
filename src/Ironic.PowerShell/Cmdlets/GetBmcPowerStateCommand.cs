using System.Management.Automation;
using Ironic.Core.Redfish;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Reads a server's power state from its BMC (Redfish).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "BmcPowerState")]
[OutputType(typeof(BmcPowerStatus))]
public sealed class GetBmcPowerStateCommand : BmcCmdletBase
{
    protected override Task ProcessRecordAsync(CancellationToken cancellationToken) =>
        RunAsync(async hardware =>
        {
            var system = await hardware.GetSystemAsync(cancellationToken).ConfigureAwait(false);
            WriteObject(new BmcPowerStatus(hardware.Client.Options.BmcAddress, system.Path, await system.GetPowerStateAsync(cancellationToken).ConfigureAwait(false)));
        }, cancellationToken);
}
