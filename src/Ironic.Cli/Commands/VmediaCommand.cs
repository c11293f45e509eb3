using System.CommandLine;
using Ironic.Core.Hardware;
using Ironic.Core.Redfish;

namespace Ironic.Cli.Commands;

/// <summary><c>ironic vmedia insert|eject|show</c>: Redfish virtual media of one system.</summary>
internal static class VmediaCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("vmedia", "Attach, eject or show Redfish virtual media (a boot ISO URL in the BMC's virtual CD).");
        command.Subcommands.Add(Insert(context));
        command.Subcommands.Add(Eject(context));
        command.Subcommands.Add(Show(context));
        return command;
    }

    private static Command Insert(CliContext context)
    {
        var bmc = new BmcConnection();
        var image = new Option<string>("--image") { Description = "The image URL the BMC fetches (http(s)://host/path.iso).", Required = true };
        var bootOnce = new Option<bool>("--boot-once") { Description = "Set a one-time boot from the virtual CD." };
        var powerOn = new Option<bool>("--power-on") { Description = "Power the system off, then on, so it boots with the new media." };
        var force = new Option<bool>("--force") { Description = "Eject another image that occupies the slot instead of failing." };
        var mode = new Option<BootMode?>("--mode") { Description = "Boot mode for --boot-once: uefi or legacy (when the system supports setting it)." };
        var command = new Command("insert", "Insert an image URL into a CD/DVD slot and check that the BMC reads it inserted.") { image, bootOnce, powerOn, force, mode };
        bmc.SetAction(command, context, async (result, hardware, cancellationToken) =>
        {
            var slot = await hardware.AttachAndBootAsync(
                new VirtualMediaBootRequest(ImageUrl(result.GetValue(image)!))
                {
                    BootOnce = result.GetValue(bootOnce),
                    PowerOn = result.GetValue(powerOn),
                    ReplaceInsertedImage = result.GetValue(force),
                    Mode = result.GetValue(mode),
                },
                cancellationToken).ConfigureAwait(false);
            bmc.WriteSlots(result, context, [slot]);
        });
        return command;
    }

    private static Uri ImageUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new ArgumentException($"--image '{text}' is not an http(s) URL; the BMC fetches the image itself, so give http(s)://host/path.iso.");

    private static Command Eject(CliContext context)
    {
        var bmc = new BmcConnection();
        var command = new Command("eject", "Eject every CD/DVD virtual media slot of the system (an empty slot is success).");
        bmc.SetAction(command, context, async (result, hardware, cancellationToken) =>
        {
            var media = await hardware.GetVirtualMediaAsync(cancellationToken).ConfigureAwait(false);
            bmc.WriteSlots(result, context, await media.EjectAsync(cancellationToken).ConfigureAwait(false));
        });
        return command;
    }

    private static Command Show(CliContext context)
    {
        var bmc = new BmcConnection();
        var command = new Command("show", "List the system's virtual media slots (under the system, then each manager).");
        bmc.SetAction(command, context, async (result, hardware, cancellationToken) =>
        {
            bmc.WriteSlots(result, context, await hardware.GetVirtualMediaSlotsAsync(cancellationToken).ConfigureAwait(false));
        });
        return command;
    }
}
