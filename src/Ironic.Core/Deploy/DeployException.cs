namespace Ironic.Core.Deploy;

/// <summary>Why a deploy or undeploy did not start or did not finish.</summary>
public enum DeployFailure
{
    /// <summary>The node is in a provision state the operation cannot start from.</summary>
    InvalidState,
    /// <summary>Another conductor (or deploy) holds the node's reservation.</summary>
    NodeLocked,
    /// <summary>instance_info lacks what the deploy needs (boot_iso, or kernel + ramdisk).</summary>
    InvalidInstanceInfo,
    /// <summary>No live boot server can publish the node's image.</summary>
    NoImageServer,
    /// <summary>The deploy started and failed; the node is in deploy failed with last_error set.</summary>
    Failed,
    /// <summary>Waiting for the node to reach a stable state took too long.</summary>
    Timeout,
}

/// <summary>A deploy that could not start or did not finish; the message says what to do.</summary>
public sealed class DeployException : Exception
{
    public DeployException(DeployFailure failure, string message, Exception? inner = null) : base(message, inner) => Failure = failure;

    public DeployFailure Failure { get; }
}
