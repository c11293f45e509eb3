using System.Management.Automation;
using Ironic.Core.Redfish;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Lists a server's virtual media slots (under the system, then each manager) with what they hold.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "VirtualMedia")]
[OutputType(typeof(VirtualMediaSlot))]
public sealed class GetVirtualMediaCommand : BmcCmdletBase
{
    /// <summary>Only CD/DVD slots (the ones a boot ISO goes into).</summary>
    [Parameter]
    public SwitchParameter CdOnly { get; set; }

    protected override Task ProcessRecordAsync(CancellationToken cancellationToken) =>
        RunAsync(async hardware =>
        {
            var slots = await hardware.GetVirtualMediaSlotsAsync(cancellationToken).ConfigureAwait(false);
            WriteObject(CdOnly ? slots.Where(s => s.IsCdOrDvd).ToList() : slots, enumerateCollection: true);
        }, cancellationToken);
}
