using System.Management.Automation;
using Ironic.Core.Boot;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Checks that a boot server answers and reports its name, version and store.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "IronicBootServer")]
[OutputType(typeof(BootServerHealth))]
public sealed class TestIronicBootServerCommand : AsyncPSCmdlet
{
    /// <summary>The boot server's base address, e.g. http://127.0.0.1:6385.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public Uri[] Uri { get; set; } = [new("http://127.0.0.1:6385")];

    /// <summary>Seconds to wait for an answer.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 10;

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(TimeoutSec) };
        var client = new BootServerClient(http);
        foreach (var uri in Uri)
        {
            try
            {
                WriteVerbose($"GET {uri}healthz");
                WriteObject(await client.GetHealthAsync(uri, cancellationToken).ConfigureAwait(false));
            }
            catch (BootServerUnavailableException e)
            {
                WriteError(ErrorRecords.FromException(e, uri));
            }
        }
    }
}
