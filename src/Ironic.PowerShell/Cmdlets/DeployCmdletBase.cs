using System.Globalization;
using System.Management.Automation;
using Ironic.Core.Deploy;
using Ironic.Core.Inventory;
using Ironic.PowerShell.Plumbing;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// What Start-, Stop- and Wait-IronicDeploy share: nodes by name (or UUID) or as objects from the
/// pipeline, collected and then run together (at most -ThrottleLimit at a time) in this process,
/// with one progress bar per node.
/// </summary>
public abstract class DeployCmdletBase : AsyncPSCmdlet
{
    protected const string ByName = "ByName";
    protected const string ByNode = "ByNode";
    private const int ProgressIdBase = 0x1D00;
    private readonly List<string> _targets = [];

    /// <summary>Node names or UUIDs.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByName, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Uuid")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NodeNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>Nodes from Get-IronicNode.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByNode, ValueFromPipeline = true)]
    [ValidateNotNull]
    public Node[] Node { get; set; } = [];

    /// <summary>The inventory: a SQLite file path or a postgres:// URL.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>The image cache directory (default: the one a boot server on this host uses).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ImageCache { get; set; }

    protected override Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        _targets.AddRange(ParameterSetName == ByNode ? Node.Select(n => n.Uuid.ToString("D")) : Name);
        return Task.CompletedTask;
    }

    /// <summary>The nodes the pipeline gave, in order, each once.</summary>
    protected IReadOnlyList<string> Targets => _targets.Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Opens the inventory and image cache; <paramref name="configuration"/> (the boot server's
    /// ironic.conf, from -ConfigPath or $IRONIC_CONFIG) gives what -Store and -ImageCache do not.
    /// </summary>
    protected Task<DeploySession> OpenSessionAsync(CancellationToken cancellationToken, DeployConfiguration? configuration = null)
    {
        configuration ??= DeployConfiguration.None;
        var location = configuration.ResolveStore(Store);
        WriteVerbose($"Inventory: {location}; deploys run in this process as {RamdiskDeployOptions.ProcessHolder()}{(configuration.Source is null ? "" : $"; configuration: {configuration.Source}")}");
        return DeploySession.OpenAsync(location, ImageCache, cancellationToken, configuration: configuration);
    }

    /// <summary>Reads the -ConfigPath file (resolved on the pipeline thread), else $IRONIC_CONFIG, else nothing.</summary>
    protected DeployConfiguration LoadConfiguration(string? configPath) =>
        DeployConfiguration.Load(configPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(configPath));

    /// <summary>Runs the operation per node (throttled), writes each result or error as it completes, and closes the progress bars.</summary>
    protected async Task RunAsync(IReadOnlyList<string> nodes, int throttleLimit, string activity, Func<string, IProgress<DeployProgress>, CancellationToken, Task<DeployStatus>> operation, CancellationToken cancellationToken)
    {
        var ids = nodes.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => ProgressIdBase + p.i, StringComparer.Ordinal);
        await DeployBatch.RunAsync(nodes, throttleLimit, (node, ct) => operation(node, new NodeProgress(this, ids[node], activity, node), ct), outcome =>
        {
            WriteProgress(new ProgressRecord(ids[outcome.Node], $"{activity} {outcome.Node}", outcome.Succeeded ? "done" : "failed") { RecordType = ProgressRecordType.Completed });
            if (outcome.Status is { } status) WriteObject(status);
            else if (outcome.Error is { } error) WriteError(ErrorRecords.FromException(error, outcome.Node));
        }, cancellationToken).ConfigureAwait(false);
    }

    private sealed class NodeProgress(DeployCmdletBase cmdlet, int id, string activity, string node) : IProgress<DeployProgress>
    {
        public void Report(DeployProgress value) =>
            cmdlet.WriteProgress(new ProgressRecord(id, $"{activity} {value.NodeName}", value.Step)
            {
                PercentComplete = Math.Clamp(value.PercentComplete, 0, 100),
                CurrentOperation = string.Create(CultureInfo.InvariantCulture, $"{node}: {value.ProvisionState}"),
            });
    }
}
