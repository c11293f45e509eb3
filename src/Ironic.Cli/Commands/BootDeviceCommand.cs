using System.CommandLine;
using Ironic.Core.Hardware;
using Ironic.Core.Redfish;

namespace Ironic.Cli.Commands;

/// <summary><c>ironic boot-device set</c>: the system's boot source override.</summary>
internal static class BootDeviceCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("boot-device", "Set a system's boot source override through its BMC.");
        var bmc = new BmcConnection();
        var device = new Option<BootDevice>("--device") { Description = "cd, usbcd, pxe or hdd (cd falls back to usbcd where only that is allowed).", Required = true };
        var once = new Option<bool>("--once") { Description = "Only for the next boot (default: continuous)." };
        var mode = new Option<BootMode?>("--mode") { Description = "uefi or legacy, when the system supports setting it." };
        var set = new Command("set", "Set the boot source override, checked against the values the BMC allows.") { device, once, mode };
        bmc.SetAction(set, context, async (result, hardware, cancellationToken) =>
        {
            await hardware.SetBootDeviceAsync(result.GetValue(device), result.GetValue(once), result.GetValue(mode), cancellationToken).ConfigureAwait(false);
            var system = await hardware.GetSystemAsync(cancellationToken).ConfigureAwait(false);
            var boot = (await system.ReadAsync(cancellationToken).ConfigureAwait(false)).Body.Property("Boot");
            bmc.WriteState(result, context, system.Path, "boot_target",
                $"{boot?.String("BootSourceOverrideTarget")} ({boot?.String("BootSourceOverrideEnabled")}{(boot?.String("BootSourceOverrideMode") is { } m ? ", " + m : "")})");
        });
        command.Subcommands.Add(set);
        return command;
    }
}
