using System.Management.Automation;
using Ironic.Core.Hardware;
using Ironic.Core.Redfish;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Sets a server's boot source override (Cd, UsbCd, Pxe, Hdd) through its BMC, once or continuous.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "BmcBootDevice", SupportsShouldProcess = true)]
[OutputType(typeof(BmcBootOverride))]
public sealed class SetBmcBootDeviceCommand : BmcCmdletBase
{
    /// <summary>The device; Cd falls back to UsbCd on BMCs that allow only that.</summary>
    [Parameter(Mandatory = true)]
    public BootDevice Device { get; set; }

    /// <summary>Only for the next boot (default: continuous).</summary>
    [Parameter]
    public SwitchParameter Once { get; set; }

    /// <summary>Uefi or Legacy, when the server supports setting it.</summary>
    [Parameter]
    public BootMode? Mode { get; set; }

    /// <summary>Write the boot override as read afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        if (!await ShouldProcessAsync(TargetName, $"Boot from {Device} {(Once ? "once" : "continuously")}{(Mode is { } m ? $" in {m} mode" : "")}").ConfigureAwait(false)) return;
        await RunAsync(async hardware =>
        {
            await hardware.SetBootDeviceAsync(Device, Once, Mode, cancellationToken).ConfigureAwait(false);
            if (!PassThru) return;
            var system = await hardware.GetSystemAsync(cancellationToken).ConfigureAwait(false);
            var boot = (await system.ReadAsync(cancellationToken).ConfigureAwait(false)).Body.Property("Boot");
            WriteObject(new BmcBootOverride(hardware.Client.Options.BmcAddress, system.Path,
                boot?.String("BootSourceOverrideTarget"), boot?.String("BootSourceOverrideEnabled"), boot?.String("BootSourceOverrideMode")));
        }, cancellationToken).ConfigureAwait(false);
    }
}
