using System.CommandLine;
using Ironic.Core.Hardware;

namespace Ironic.Cli.Commands;

/// <summary><c>ironic power on|off|reset|show</c>: the system's power through Redfish.</summary>
internal static class PowerCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("power", "Show or change a system's power through its BMC (waits for the new state).");
        command.Subcommands.Add(Change(context, "on", "Power the system on.", _ => PowerAction.On));
        var graceful = new Option<bool>("--graceful") { Description = "Ask the OS to shut down (GracefulShutdown) instead of cutting power." };
        var forceAfter = new Option<bool>("--force-after-timeout") { Description = "With --graceful: force the power off when the OS has not shut down within --timeout." };
        command.Subcommands.Add(Change(context, "off", "Power the system off (ForceOff, or GracefulShutdown with --graceful).",
            r => r.GetValue(graceful) ? PowerAction.GracefulShutdown : PowerAction.ForceOff, graceful, forceAfter));
        command.Subcommands.Add(Change(context, "reset", "Restart the system (ForceRestart, or PowerCycle where only that exists); a system that is off is powered on.", _ => PowerAction.ForceRestart));
        command.Subcommands.Add(Show(context));
        return command;
    }

    private static Command Change(CliContext context, string verb, string description, Func<ParseResult, PowerAction> action, params Option<bool>[] extra)
    {
        var bmc = new BmcConnection();
        var command = new Command(verb, description);
        foreach (var option in extra) command.Add(option);
        bmc.SetAction(command, context, async (result, hardware, cancellationToken) =>
        {
            await hardware.SetPowerStateAsync(action(result), cancellationToken).ConfigureAwait(false);
            var system = await hardware.GetSystemAsync(cancellationToken).ConfigureAwait(false);
            bmc.WriteState(result, context, system.Path, "power_state", await system.GetPowerStateAsync(cancellationToken).ConfigureAwait(false));
        }, r => extra.FirstOrDefault(o => o.Name == "--force-after-timeout") is { } f && r.GetValue(f));
        return command;
    }

    private static Command Show(CliContext context)
    {
        var bmc = new BmcConnection();
        var command = new Command("show", "Print the system's PowerState.");
        bmc.SetAction(command, context, async (result, hardware, cancellationToken) =>
        {
            var system = await hardware.GetSystemAsync(cancellationToken).ConfigureAwait(false);
            bmc.WriteState(result, context, system.Path, "power_state", await system.GetPowerStateAsync(cancellationToken).ConfigureAwait(false));
        });
        return command;
    }
}
