using System.Collections;
using System.Management.Automation;
using Ironic.Core.Iso;
using Ironic.Core.Iso.BootConfig;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Makes a node-specific boot ISO: kernel parameters edited in every boot entry, files injected; written as a whole ISO or as a small delta.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "BootIso", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(BootIsoOutput))]
public sealed class NewBootIsoCommand : AsyncPSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>The base ISO (wildcards allowed; must resolve to one file).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The base ISO, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>Where to write the node's whole ISO.</summary>
    [Parameter(Position = 1)]
    public string? OutFile { get; set; }

    /// <summary>Where to write only the delta (KiB) against the base.</summary>
    [Parameter]
    public string? DeltaFile { get; set; }

    /// <summary>Kernel parameters to add (K=V or K); an existing K=… is replaced.</summary>
    [Parameter]
    public string[] AppendKernelParameter { get; set; } = [];

    /// <summary>Kernel parameters to remove, by key or exactly (K=V).</summary>
    [Parameter]
    public string[] RemoveKernelParameter { get; set; } = [];

    /// <summary>Files to put in the ISO: @{ '/iso/path' = './local/file' }.</summary>
    [Parameter]
    public Hashtable? InjectFile { get; set; }

    /// <summary>Re-implant the media-check MD5 over the result (reads the whole image); by default an implanted sum is blanked.</summary>
    [Parameter]
    public SwitchParameter ImplantMd5 { get; set; }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        // Paths resolve on the pipeline thread, before the first await.
        string basePath;
        string? outFile, deltaFile;
        List<KeyValuePair<string, string>> files;
        try
        {
            basePath = ParameterSetName == LiteralPathSet ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(LiteralPath) : ResolveOne(Path);
            outFile = OutFile is { Length: > 0 } ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutFile) : null;
            deltaFile = DeltaFile is { Length: > 0 } ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(DeltaFile) : null;
            files = InjectFileTable.Resolve(InjectFile, SessionState);
            if (outFile is null && deltaFile is null)
            {
                throw new ArgumentException("Give -OutFile (the whole ISO), -DeltaFile (only the delta), or both.");
            }
        }
        catch (Exception e) when (e is ArgumentException or ItemNotFoundException or PSInvalidOperationException or NotSupportedException)
        {
            await ThrowTerminatingErrorAsync(ErrorRecords.FromException(e, Path)).ConfigureAwait(false);
            return;
        }

        try
        {
            var edit = new KernelParameterEdit(AppendKernelParameter, RemoveKernelParameter);
            WriteVerbose($"Reading {basePath}");
            var made = await BootIsoService.CreateAsync(basePath, edit, files, ImplantMd5.IsPresent, cancellationToken).ConfigureAwait(false);
            foreach (var changed in made.Changed) WriteVerbose($"Changed {changed.Location} ({changed.OldSize} -> {changed.NewSize} bytes)");
            if (deltaFile is not null && await ShouldProcessAsync(deltaFile, "Write ISO delta").ConfigureAwait(false))
            {
                await BootIsoService.WriteDeltaAsync(made.Delta, deltaFile, cancellationToken).ConfigureAwait(false);
                WriteObject(BootIsoService.Describe(made, deltaFile, "delta"));
            }
            if (outFile is not null && await ShouldProcessAsync(outFile, "Write boot ISO").ConfigureAwait(false))
            {
                await BootIsoService.WriteIsoAsync(basePath, made.Delta, outFile, cancellationToken).ConfigureAwait(false);
                WriteObject(BootIsoService.Describe(made, outFile, "iso"));
            }
        }
        catch (Exception e) when (e is IsoFormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            WriteError(ErrorRecords.FromException(e, basePath));
        }
    }

    private string ResolveOne(string path)
    {
        var resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _);
        return resolved.Count == 1 ? resolved[0] : throw new ArgumentException($"-Path '{path}' matches {resolved.Count} files; name one base ISO.");
    }
}
