using System.CommandLine;
using System.Globalization;
using Ironic.Core.Deploy;
using Ironic.Core.Iso;

namespace Ironic.Cli.Commands;

/// <summary>
/// <c>ironic deploy start|stop|wait|show N</c>. The deploy runs in this process against the
/// inventory (the reservation is named after this process); the node's ISO is published by the
/// boot server that owns the node, which must be running on the same inventory (docs/deploy.md).
/// </summary>
internal static class DeployCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("deploy", "Ramdisk deploys: boot a node from a boot ISO (virtual media) or a kernel and ramdisk (iPXE).");
        command.Subcommands.Add(Start(context));
        command.Subcommands.Add(Stop(context));
        command.Subcommands.Add(Wait(context));
        command.Subcommands.Add(Show(context));
        return command;
    }

    private static Argument<string> NodeArgument() => new("node") { Description = "The node's name or UUID." };

    private static Option<string?> ImageCacheOption() => new("--image-cache")
    {
        Description = "The image cache directory (default: images/ in the user's data directory, the one a boot server on this host uses).",
    };

    private static Option<string?> ConfigOption() => new("--config")
    {
        Description = "The boot server's ironic.conf (default: $IRONIC_CONFIG): [deploy]image_cache_directory and image_cache_size, [redfish]kernel_append_params (virtual media), [pxe]kernel_append_params (iPXE), [database]connection, [deploy]external_http_url (the ISO's address for the BMC), [conductor]heartbeat_timeout, [DEFAULT]hash_partition_exponent.",
    };

    /// <summary>
    /// Opens a deploy session with the configuration file (or $IRONIC_CONFIG): flags win over it.
    /// Every deploy command reads it, so that start, wait, show and stop find the same inventory.
    /// </summary>
    private static Task<DeploySession> OpenSessionAsync(ParseResult result, Option<string?> store, Option<string?>? imageCache, Option<string?> config, CancellationToken cancellationToken, TimeSpan? pollInterval = null)
    {
        var configuration = DeployConfiguration.Load(result.GetValue(config));
        var cacheDirectory = imageCache is null ? null : result.GetValue(imageCache);
        return DeploySession.OpenAsync(configuration.ResolveStore(result.GetValue(store)), cacheDirectory, cancellationToken, pollInterval: pollInterval, configuration: configuration);
    }

    private static Option<int> TimeoutOption(int seconds) => new("--timeout")
    {
        Description = "Seconds to wait for the node to settle.",
        DefaultValueFactory = _ => seconds,
    };

    private static Command Start(CliContext context)
    {
        var node = NodeArgument();
        var bootIso = new Option<string?>("--boot-iso") { Description = "URL (http, https, file) or path of the boot ISO: deploy by virtual media." };
        var kernel = new Option<string?>("--kernel") { Description = "URL of the kernel: deploy by iPXE (with --ramdisk)." };
        var ramdisk = new Option<string?>("--ramdisk") { Description = "URL of the ramdisk (with --kernel)." };
        var kernelParam = new Option<string[]>("--kernel-param") { Description = "A kernel parameter KEY=VALUE (or a bare word); repeat for more.", AllowMultipleArgumentsPerToken = false };
        var injectFile = new Option<string[]>("--inject-file") { Description = "ISO_PATH=LOCAL: put the local file into the node's ISO at ISO_PATH (replace or add); read when the deploy starts. Repeatable.", AllowMultipleArgumentsPerToken = false };
        var checksum = new Option<string?>("--checksum") { Description = "The image's checksum, ALGO:HEX (md5, sha256, sha512) or a bare digest." };
        var oneShot = new Option<bool>("--one-shot") { Description = "Keep the node's ISO only until the BMC has read it: the boot server then ejects it and drops the node's copy (no reboots from it; for ISOs that load everything into RAM)." };
        var bootMode = new Option<string?>("--boot-mode") { Description = "uefi or bios: the boot mode of the one-time boot (instance_info/deploy_boot_mode). Without it, the node's instance_info decides, else the machine's mode stays." };
        bootMode.AcceptOnlyFromAmong("uefi", "bios");
        var wait = new Option<bool>("--wait") { Description = "Wait until the node is active or failed (an iPXE deploy waits for its call-back)." };
        var timeout = TimeoutOption(1800);
        var imageCache = ImageCacheOption();
        var config = ConfigOption();
        var store = CliContext.StoreOption();
        var json = CliContext.JsonOption();
        var start = new Command("start", "Deploy a node: cache the image, build and publish its ISO (or boot.ipxe), boot it.")
        {
            node, bootIso, kernel, ramdisk, kernelParam, injectFile, checksum, oneShot, bootMode, wait, timeout, imageCache, config, store, json,
        };
        start.SetAction(async (result, cancellationToken) =>
        {
            DeployRequest request;
            try
            {
                var files = (result.GetValue(injectFile) ?? []).Select(BootIsoService.ParseInjectFile).ToList();
                request = new DeployRequest
                {
                    BootIso = ToUri(result.GetValue(bootIso)),
                    Kernel = ToUri(result.GetValue(kernel)),
                    Ramdisk = ToUri(result.GetValue(ramdisk)),
                    KernelParameters = result.GetValue(kernelParam) ?? [],
                    Checksum = result.GetValue(checksum) is { Length: > 0 } c ? ImageChecksum.Parse(c) : null,
                    OneShot = result.GetValue(oneShot),
                    BootMode = result.GetValue(bootMode) is { } mode ? DeployBootMode.Parse(mode) : null,
                    Files = await BootIsoService.ReadInjectFilesAsync(files, cancellationToken).ConfigureAwait(false),
                };
                request.Validate();
            }
            catch (Exception e) when (e is ArgumentException or FormatException or ImageCacheException or FileNotFoundException)
            {
                // A wrong combination of flags, or a file to inject that is not there, is a usage error.
                context.Error.WriteLine($"ironic: {e.Message}");
                return 2;
            }
            try
            {
                await using var session = await OpenSessionAsync(result, store, imageCache, config, cancellationToken).ConfigureAwait(false);
                var name = result.GetValue(node)!;
                var after = await session.Deploy.DeployAsync(name, request, new SynchronousProgress(context, result.GetValue(json)), cancellationToken).ConfigureAwait(false);
                if (result.GetValue(wait)) after = await session.Deploy.WaitAsync(name, TimeSpan.FromSeconds(result.GetValue(timeout)), cancellationToken).ConfigureAwait(false);
                return Print(context, DeployStatus.FromNode(after), result.GetValue(json));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return context.Fail(e);
            }
        });
        return start;
    }

    private static Command Stop(CliContext context)
    {
        var node = NodeArgument();
        var imageCache = ImageCacheOption();
        var config = ConfigOption();
        var store = CliContext.StoreOption();
        var json = CliContext.JsonOption();
        var stop = new Command("stop", "Undeploy a node: power off, eject, drop its ISO; it becomes available.") { node, imageCache, config, store, json };
        stop.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                await using var session = await OpenSessionAsync(result, store, imageCache, config, cancellationToken).ConfigureAwait(false);
                var after = await session.Deploy.UndeployAsync(result.GetValue(node)!, new SynchronousProgress(context, result.GetValue(json)), cancellationToken).ConfigureAwait(false);
                return Print(context, DeployStatus.FromNode(after), result.GetValue(json));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return context.Fail(e);
            }
        });
        return stop;
    }

    private static Command Wait(CliContext context)
    {
        var node = NodeArgument();
        var timeout = TimeoutOption(1800);
        var config = ConfigOption();
        var store = CliContext.StoreOption();
        var json = CliContext.JsonOption();
        var wait = new Command("wait", "Wait until a node's deploy is active or failed (exit 1 when it failed).") { node, timeout, config, store, json };
        wait.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                await using var session = await OpenSessionAsync(result, store, null, config, cancellationToken, TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
                var after = await session.Deploy.WaitAsync(result.GetValue(node)!, TimeSpan.FromSeconds(result.GetValue(timeout)), cancellationToken).ConfigureAwait(false);
                return Print(context, DeployStatus.FromNode(after), result.GetValue(json));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return context.Fail(e);
            }
        });
        return wait;
    }

    private static Command Show(CliContext context)
    {
        var node = NodeArgument();
        var config = ConfigOption();
        var store = CliContext.StoreOption();
        var json = CliContext.JsonOption();
        var show = new Command("show", "Show a node's deploy: provision state, target, last error, what it boots.") { node, config, store, json };
        show.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                await using var session = await OpenSessionAsync(result, store, null, config, cancellationToken).ConfigureAwait(false);
                var status = await session.ShowAsync(result.GetValue(node)!, cancellationToken).ConfigureAwait(false);
                if (result.GetValue(json)) context.WriteJson(status, CliJsonContext.Default.DeployStatus);
                else WriteStatus(context, status);
                return 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return context.Fail(e);
            }
        });
        return show;
    }

    /// <summary>Prints the status; a node that ended in deploy failed or error fails the command with its last_error.</summary>
    private static int Print(CliContext context, DeployStatus status, bool json)
    {
        if (json) context.WriteJson(status, CliJsonContext.Default.DeployStatus);
        else WriteStatus(context, status);
        if (status.ProvisionState is Core.Inventory.ProvisionStates.DeployFailed or Core.Inventory.ProvisionStates.Error)
        {
            context.Error.WriteLine($"ironic: node {status.Name} is '{status.ProvisionState}': {status.LastError}");
            return 1;
        }
        return 0;
    }

    private static void WriteStatus(CliContext context, DeployStatus s) => context.WriteProperties(
    [
        ("name", s.Name),
        ("uuid", s.Uuid.ToString("D")),
        ("provision_state", s.ProvisionState),
        ("target_provision_state", s.TargetProvisionState),
        ("power_state", s.PowerState),
        ("last_error", s.LastError),
        ("reservation", s.Reservation),
        ("boot_iso", s.BootIso),
        ("kernel", s.Kernel),
        ("ramdisk", s.Ramdisk),
        ("kernel_arguments", s.KernelArguments),
        ("boot_mode", s.BootMode),
        ("one_shot", s.OneShot ? "true" : "false"),
        ("one_shot_release", OneShotReleaseText(s)),
        ("updated_at", s.UpdatedAt.ToString("u", CultureInfo.InvariantCulture)),
    ]);

    private static string? OneShotReleaseText(DeployStatus s) =>
        s.OneShotPendingSince is { } since
            ? s.OneShotReadAt is { } read
                ? $"pending since {since.ToString("u", CultureInfo.InvariantCulture)}, read by the BMC at {read.ToString("u", CultureInfo.InvariantCulture)}: the boot server ejects the ISO once the reads stop"
                : $"pending since {since.ToString("u", CultureInfo.InvariantCulture)}: the boot server ejects the ISO once the BMC has read it"
            : s.OneShotReleasedAt is { } at ? $"released {at.ToString("u", CultureInfo.InvariantCulture)}: ejected, the node's ISO dropped" : null;

    private static Uri? ToUri(string? value) => string.IsNullOrWhiteSpace(value) ? null : ImageSource.Parse(value).Location;

    /// <summary>Progress lines on stderr as they happen (Progress&lt;T&gt; would post them to the thread pool, out of order).</summary>
    private sealed class SynchronousProgress(CliContext context, bool quiet) : IProgress<DeployProgress>
    {
        public void Report(DeployProgress value)
        {
            if (!quiet) context.Error.WriteLine($"{value.NodeName}: {value.Step}");
        }
    }
}
