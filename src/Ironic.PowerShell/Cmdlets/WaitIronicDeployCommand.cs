using System.Management.Automation;
using Ironic.Core.Deploy;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Waits until nodes' deploys are active or failed, and writes their status.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "IronicDeploy", DefaultParameterSetName = ByName)]
[OutputType(typeof(DeployStatus))]
public sealed class WaitIronicDeployCommand : DeployCmdletBase
{
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = 1800;

    protected override async Task EndProcessingAsync(CancellationToken cancellationToken)
    {
        var nodes = Targets;
        if (nodes.Count == 0) return;
        if (await LoadConfigurationOrFailAsync().ConfigureAwait(false) is not { } configuration) return;
        await using var session = await OpenSessionAsync(configuration, cancellationToken).ConfigureAwait(false);
        await RunAsync(nodes, nodes.Count, "Waiting for", async (node, progress, ct) =>
        {
            progress.Report(new DeployProgress(Guid.Empty, node, "", "waiting for the node to settle", 50));
            return DeployStatus.FromNode(await session.Deploy.WaitAsync(node, TimeSpan.FromSeconds(TimeoutSec), ct).ConfigureAwait(false));
        }, cancellationToken).ConfigureAwait(false);
    }
}
