using System.CommandLine;
using System.Globalization;
using Ironic.Core.Iso;
using Ironic.Core.Iso.BootConfig;

namespace Ironic.Cli.Commands;

/// <summary>
/// <c>ironic iso show|inject|apply</c>: read a boot ISO, make a node-specific one (as a whole ISO
/// or as a delta), and materialize a delta against its base.
/// </summary>
internal static class IsoCommand
{
    public static Command Create(CliContext context)
    {
        var iso = new Command("iso", "Read boot ISOs and make node-specific ones as small overlays.");
        iso.Subcommands.Add(Show(context));
        iso.Subcommands.Add(Inject(context));
        iso.Subcommands.Add(Apply(context));
        return iso;
    }

    private static Command Show(CliContext context)
    {
        var input = new Argument<string>("IN.iso") { Description = "The ISO to read." };
        var json = CliContext.JsonOption();
        var command = new Command("show", "Show label, size, El Torito entries, hybrid layout and every boot entry's kernel command line.") { input, json };
        command.SetAction(result =>
        {
            try
            {
                var info = BootIsoService.Inspect(result.GetValue(input)!);
                if (result.GetValue(json))
                {
                    context.WriteJson(info, IsoJsonContext.Default.BootIsoInfo);
                    return 0;
                }
                context.WriteProperties([
                    ("Label", info.Label),
                    ("Size", info.Size.ToString(CultureInfo.InvariantCulture)),
                    ("Trees", string.Join(", ", info.Trees)),
                    ("Hybrid", info.Hybrid),
                    ("BootCatalog", info.BootCatalog ?? ""),
                    ("Udf", info.Udf ? "yes" : "no"),
                    ("ImplantedMd5", info.ImplantedMd5 ? "yes" : "no"),
                ]);
                context.Output.WriteLine();
                context.WriteTable(["#", "Platform", "Bootable", "Sector", "Bytes", "Image"],
                    info.ElTorito.Select(e => (IReadOnlyList<string?>)[e.Index.ToString(CultureInfo.InvariantCulture), e.Platform.ToString(), e.Bootable ? "yes" : "no",
                        e.LoadSector.ToString(CultureInfo.InvariantCulture), e.ImageLength.ToString(CultureInfo.InvariantCulture), e.ImagePath ?? "(outside the tree)"]));
                context.Output.WriteLine();
                context.WriteTable(["Config", "Kind", "Title", "Kernel", "CommandLine"],
                    info.BootEntries.Select(e => (IReadOnlyList<string?>)[e.ConfigLocation, e.Kind.ToString(), e.Title, e.Kernel, e.CommandLine]));
                return 0;
            }
            catch (Exception e) when (e is IsoFormatException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                return context.Fail(e);
            }
        });
        return command;
    }

    private static Command Inject(CliContext context)
    {
        var input = new Argument<string>("IN.iso") { Description = "The base ISO (only read)." };
        var output = new Option<string?>("--output") { Description = "Write the node's whole ISO here." };
        var delta = new Option<string?>("--delta") { Description = "Write only the delta (KiB) here; materialize it later with 'ironic iso apply'." };
        var append = new Option<string[]>("--append") { Description = "Kernel parameter to add (K=V or K); replaces an existing K=… without duplicates. Repeatable.", AllowMultipleArgumentsPerToken = false };
        var remove = new Option<string[]>("--remove") { Description = "Kernel parameter to remove, by key (K) or exactly (K=V). Repeatable." };
        var injectFile = new Option<string[]>("--inject-file") { Description = "ISO_PATH=LOCAL: put the local file at ISO_PATH (replace or add). Repeatable." };
        var implantMd5 = new Option<bool>("--implant-md5") { Description = "Re-implant the media-check MD5 (checkisomd5) over the result; reads the whole image. By default an implanted sum is blanked." };
        var json = CliContext.JsonOption();
        var command = new Command("inject", "Make a node-specific ISO: kernel parameters in every GRUB/ISOLINUX/boot.cfg entry (ISO tree and EFI image), files injected.")
        {
            input, output, delta, append, remove, injectFile, implantMd5, json,
        };
        command.Validators.Add(r =>
        {
            var hasOutput = r.GetValue(output) is { Length: > 0 };
            var hasDelta = r.GetValue(delta) is { Length: > 0 };
            if (hasOutput == hasDelta) r.AddError("Give exactly one of --output OUT.iso or --delta OUT.delta.");
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var edit = new KernelParameterEdit(result.GetValue(append) ?? [], result.GetValue(remove) ?? []);
                var files = (result.GetValue(injectFile) ?? []).Select(BootIsoService.ParseInjectFile).ToList();
                var basePath = result.GetValue(input)!;
                var made = await BootIsoService.CreateAsync(basePath, edit, files, result.GetValue(implantMd5), cancellationToken).ConfigureAwait(false);
                BootIsoOutput report;
                if (result.GetValue(output) is { Length: > 0 } outPath)
                {
                    await BootIsoService.WriteIsoAsync(basePath, made.Delta, outPath, cancellationToken).ConfigureAwait(false);
                    report = BootIsoService.Describe(made, outPath, "iso");
                }
                else
                {
                    var deltaPath = result.GetValue(delta)!;
                    await BootIsoService.WriteDeltaAsync(made.Delta, deltaPath, cancellationToken).ConfigureAwait(false);
                    report = BootIsoService.Describe(made, deltaPath, "delta");
                }
                WriteOutput(context, report, result.GetValue(json));
                return 0;
            }
            catch (Exception e) when (e is IsoFormatException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                return context.Fail(e);
            }
        });
        return command;
    }

    private static Command Apply(CliContext context)
    {
        var input = new Argument<string>("BASE.iso") { Description = "The base ISO the delta was made from." };
        var deltaFile = new Argument<string>("DELTA") { Description = "The delta file (from 'ironic iso inject --delta')." };
        var output = new Option<string>("--output") { Description = "Where to write the node's whole ISO.", Required = true };
        var json = CliContext.JsonOption();
        var command = new Command("apply", "Materialize a delta: write base + delta as a whole ISO.") { input, deltaFile, output, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var delta = await BootIsoService.ReadDeltaAsync(result.GetValue(deltaFile)!, cancellationToken).ConfigureAwait(false);
                var outPath = result.GetValue(output)!;
                await BootIsoService.WriteIsoAsync(result.GetValue(input)!, delta, outPath, cancellationToken).ConfigureAwait(false);
                WriteOutput(context, new BootIsoOutput(outPath, "iso", delta.BaseLength, delta.NewLength, delta.ToBytes().LongLength, []), result.GetValue(json));
                return 0;
            }
            catch (Exception e) when (e is IsoFormatException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                return context.Fail(e);
            }
        });
        return command;
    }

    private static void WriteOutput(CliContext context, BootIsoOutput report, bool json)
    {
        if (json)
        {
            context.WriteJson(report, IsoJsonContext.Default.BootIsoOutput);
            return;
        }
        context.WriteProperties([
            ("Path", report.Path),
            ("Kind", report.Kind),
            ("BaseSize", report.BaseSize.ToString(CultureInfo.InvariantCulture)),
            ("Size", report.Size.ToString(CultureInfo.InvariantCulture)),
            ("DeltaBytes", report.DeltaBytes.ToString(CultureInfo.InvariantCulture)),
            ("Changed", string.Join(", ", report.ChangedFiles)),
        ]);
    }
}
