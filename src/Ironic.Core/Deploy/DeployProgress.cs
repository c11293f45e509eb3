namespace Ironic.Core.Deploy;

/// <summary>One step of a node's deploy, for progress bars and logs.</summary>
public sealed record DeployProgress(Guid NodeUuid, string NodeName, string ProvisionState, string Step, int PercentComplete);
