using System.Management.Automation;
using Ironic.PowerShell.Plumbing;
using Ironic.Core.Boot;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Stops boot servers this session started: they leave the ring and exit.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "IronicBootServer", SupportsShouldProcess = true, DefaultParameterSetName = ByName)]
[OutputType(typeof(BootServerInfo))]
public sealed class StopIronicBootServerCommand : AsyncPSCmdlet
{
    private const string ByName = "ByName";
    private const string ByPid = "ByPid";

    /// <summary>Conductor names (wildcards); all servers of the session when omitted.</summary>
    [Parameter(Position = 0, ParameterSetName = ByName, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ConductorNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Process ids of the servers.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByPid, ValueFromPipelineByPropertyName = true)]
    public int[] Pid { get; set; } = [];

    /// <summary>Write the stopped servers.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override async Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        var patterns = (Name ?? ["*"]).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        var matched = BootServerSession.List()
            .Where(s => ParameterSetName == ByPid ? Pid.Contains(s.Pid) : patterns.Any(p => p.IsMatch(s.Name)))
            .ToList();
        foreach (var server in matched)
        {
            if (!await ShouldProcessAsync($"{server.Name} (pid {server.Pid}, {server.Uri})", "Stop boot server").ConfigureAwait(false)) continue;
            await server.StopAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            BootServerSession.Remove(server);
            var info = BootServerInfo.FromProcess(server);
            await server.DisposeAsync().ConfigureAwait(false);
            if (PassThru) WriteObject(info);
        }
    }
}
