using System.Management.Automation;
using Ironic.Core.Deploy;

namespace Ironic.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Undeploys nodes: power off, eject the virtual media, drop the node's ISO; they become available.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "IronicDeploy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByName)]
[OutputType(typeof(DeployStatus))]
public sealed class StopIronicDeployCommand : DeployCmdletBase
{
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = 8;

    protected override async Task EndProcessingAsync(CancellationToken cancellationToken)
    {
        if (await LoadConfigurationOrFailAsync().ConfigureAwait(false) is not { } configuration) return;
        var approved = new List<string>();
        foreach (var node in Targets)
        {
            if (await ShouldProcessAsync(node, "Undeploy: power off, eject virtual media, drop the node's ISO").ConfigureAwait(false)) approved.Add(node);
        }
        if (approved.Count == 0) return;
        await using var session = await OpenSessionAsync(configuration, cancellationToken).ConfigureAwait(false);
        await RunAsync(approved, ThrottleLimit, "Undeploying", async (node, progress, ct) =>
            DeployStatus.FromNode(await session.Deploy.UndeployAsync(node, progress, ct).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
    }
}
