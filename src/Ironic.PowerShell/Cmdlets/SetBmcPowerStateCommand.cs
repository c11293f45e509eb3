using System.Management.Automation;
using Ironic.Core.Hardware;
using Ironic.Core.Redfish;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>The power changes Set-BmcPowerState offers.</summary>
public enum BmcPowerChange
{
    On,
    Off,
    GracefulOff,
    Reset,
}

/// <summary>
/// <para type="synopsis">Powers a server on, off (forced or graceful) or resets it through its BMC, and waits for the new state.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "BmcPowerState", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(BmcPowerStatus))]
public sealed class SetBmcPowerStateCommand : BmcCmdletBase
{
    /// <summary>On, Off (ForceOff), GracefulOff (GracefulShutdown) or Reset (ForceRestart, or PowerCycle where only that exists).</summary>
    [Parameter(Mandatory = true)]
    public BmcPowerChange State { get; set; }

    /// <summary>With GracefulOff: force the power off when the OS has not shut down within -TimeoutSec.</summary>
    [Parameter]
    public SwitchParameter ForceOffAfterTimeout { get; set; }

    /// <summary>Do not ask for confirmation before Off, GracefulOff or Reset.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Write the power state as read afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        var action = PowerActionOf(State);
        if (!await ShouldProcessAsync(TargetName, $"Power {State} ({action})").ConfigureAwait(false)) return;
        // Off and Reset cut a running OS: ConfirmImpact High for these values only, which an
        // attribute cannot express; -Force or -Confirm:$false skips the question.
        if (State != BmcPowerChange.On && !Force && !ConfirmExplicitlyOff()
            && !await ShouldContinueAsync($"Power {State} {TargetName}? A running operating system is interrupted.", "Confirm power change").ConfigureAwait(false))
        {
            return;
        }
        await RunAsync(async hardware =>
        {
            await hardware.SetPowerStateAsync(action, cancellationToken).ConfigureAwait(false);
            if (PassThru)
            {
                var system = await hardware.GetSystemAsync(cancellationToken).ConfigureAwait(false);
                WriteObject(new BmcPowerStatus(hardware.Client.Options.BmcAddress, system.Path, await system.GetPowerStateAsync(cancellationToken).ConfigureAwait(false)));
            }
        }, cancellationToken, forceOffAfterGracefulTimeout: ForceOffAfterTimeout).ConfigureAwait(false);
    }

    private bool ConfirmExplicitlyOff() =>
        MyInvocation.BoundParameters.TryGetValue("Confirm", out var confirm) && confirm is SwitchParameter { IsPresent: false };

    /// <summary>The Core power action for a requested change.</summary>
    public static PowerAction PowerActionOf(BmcPowerChange change) => change switch
    {
        BmcPowerChange.On => PowerAction.On,
        BmcPowerChange.Off => PowerAction.ForceOff,
        BmcPowerChange.GracefulOff => PowerAction.GracefulShutdown,
        BmcPowerChange.Reset => PowerAction.ForceRestart,
        _ => throw new ArgumentOutOfRangeException(nameof(change), change, "Unknown power change."),
    };
}
