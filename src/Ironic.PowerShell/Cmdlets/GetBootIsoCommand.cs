using System.Management.Automation;
using Ironic.Core.Iso;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Reads a boot ISO: label, size, El Torito entries, hybrid layout and every boot entry with its kernel command line.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "BootIso", DefaultParameterSetName = PathSet)]
[OutputType(typeof(BootIsoInfo))]
public sealed class GetBootIsoCommand : AsyncPSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>ISO files (wildcards allowed).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>ISO files, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        var files = new List<string>();
        try
        {
            if (ParameterSetName == LiteralPathSet) files.AddRange(LiteralPath.Select(p => SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)));
            else foreach (var p in Path) files.AddRange(SessionState.Path.GetResolvedProviderPathFromPSPath(p, out _));
        }
        catch (Exception e) when (e is ItemNotFoundException or PSInvalidOperationException or NotSupportedException)
        {
            WriteError(ErrorRecords.FromException(e, Path));
            return;
        }
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                WriteObject(await Task.Run(() => BootIsoService.Inspect(file), cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is IsoFormatException or IOException or UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.FromException(e, file));
            }
        }
    }
}
