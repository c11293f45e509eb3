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

    /// <summary>The boot server's ironic.conf: image cache, [redfish]/[pxe]kernel_append_params, [database]connection; default $env:IRONIC_CONFIG.</summary>
    [Parameter]
    [Alias("ConfigFile", "Config")]
    [ValidateNotNullOrEmpty]
    public string? ConfigPath { get; set; }

    protected override Task ProcessRecordAsync(CancellationToken cancellationToken)
    {
        _targets.AddRange(ParameterSetName == ByNode ? Node.Select(n => n.Uuid.ToString("D")) : Name);
        return Task.CompletedTask;
    }

    /// <summary>The nodes the pipeline gave, in order, each once.</summary>
    protected IReadOnlyList<string> Targets => _targets.Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Opens the inventory and image cache; <paramref name="configuration"/> (the boot server's
    /// ironic.conf, from <see cref="LoadConfiguration"/>) gives what -Store and -ImageCache do not.
    /// </summary>
    protected Task<DeploySession> OpenSessionAsync(DeployConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var location = configuration.ResolveStore(Store);
        WriteVerbose($"Inventory: {location}; deploys run in this process as {RamdiskDeployOptions.ProcessHolder()}{(configuration.Source is null ? "" : $"; configuration: {configuration.Source}")}");
        return DeploySession.OpenAsync(location, ImageCache, cancellationToken, configuration: configuration);
    }

    /// <summary>
    /// Reads -ConfigPath (resolved on the pipeline thread, so call it before the first await), else
    /// $IRONIC_CONFIG, else nothing: every deploy cmdlet reads the same file, so that Start-, Wait- and
    /// Stop-IronicDeploy find the same inventory ([database]connection).
    /// </summary>
    protected DeployConfiguration LoadConfiguration() =>
        DeployConfiguration.Load(ConfigPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ConfigPath));

    /// <summary><see cref="LoadConfiguration"/>, with a file that cannot be read or used as a terminating error; null then.</summary>
    protected async Task<DeployConfiguration?> LoadConfigurationOrFailAsync()
    {
        try
        {
            return LoadConfiguration();
        }
        catch (Exception e) when (IsConfigurationError(e))
        {
            await ThrowTerminatingErrorAsync(ErrorRecords.FromException(e, ConfigPath)).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>What reading -ConfigPath can fail with: a missing or unreadable file, a bad value, a path PowerShell cannot resolve.</summary>
    protected static bool IsConfigurationError(Exception e) =>
        e is FormatException or FileNotFoundException or ItemNotFoundException or PSInvalidOperationException or NotSupportedException;

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
