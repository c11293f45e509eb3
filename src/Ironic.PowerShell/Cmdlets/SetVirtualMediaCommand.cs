using System.Management.Automation;
using Ironic.Core.Hardware;
using Ironic.Core.Redfish;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Attaches an image URL to a server's virtual CD through its BMC (Redfish), or ejects it; optionally boots once from it and powers on.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "VirtualMedia", SupportsShouldProcess = true, DefaultParameterSetName = InsertSet)]
[OutputType(typeof(VirtualMediaSlot))]
public sealed class SetVirtualMediaCommand : BmcCmdletBase
{
    private const string InsertSet = "Insert";
    private const string EjectSet = "Eject";

    /// <summary>The image URL the BMC fetches: http(s)://host/path.iso.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InsertSet)]
    [ValidateNotNull]
    public Uri Image { get; set; } = null!;

    /// <summary>Eject every CD/DVD slot instead of inserting.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EjectSet)]
    public SwitchParameter Eject { get; set; }

    /// <summary>Set a one-time boot from the virtual CD.</summary>
    [Parameter(ParameterSetName = InsertSet)]
    public SwitchParameter BootOnce { get; set; }

    /// <summary>Power the server off and on so it boots with the new media.</summary>
    [Parameter(ParameterSetName = InsertSet)]
    public SwitchParameter PowerOn { get; set; }

    /// <summary>The boot mode for -BootOnce, when the server supports setting it.</summary>
    [Parameter(ParameterSetName = InsertSet)]
    public BootMode? Mode { get; set; }

    /// <summary>Eject another image that occupies a CD slot instead of failing.</summary>
    [Parameter(ParameterSetName = InsertSet)]
    public SwitchParameter Force { get; set; }

    /// <summary>Write the slot(s) as read afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        var action = Eject ? "Eject virtual media" : $"Insert {Image}{(BootOnce ? ", boot once from CD" : "")}{(PowerOn ? ", power cycle" : "")}";
        if (!await ShouldProcessAsync(TargetName, action).ConfigureAwait(false)) return;
        await RunAsync(async hardware =>
        {
            if (Eject)
            {
                var media = await hardware.GetVirtualMediaAsync(cancellationToken).ConfigureAwait(false);
                var slots = await media.EjectAsync(cancellationToken).ConfigureAwait(false);
                if (PassThru) WriteObject(slots, enumerateCollection: true);
                return;
            }
            var slot = await hardware.AttachAndBootAsync(
                new VirtualMediaBootRequest(Image) { BootOnce = BootOnce, PowerOn = PowerOn, ReplaceInsertedImage = Force, Mode = Mode },
                cancellationToken).ConfigureAwait(false);
            if (PassThru) WriteObject(slot);
        }, cancellationToken).ConfigureAwait(false);
    }
}
