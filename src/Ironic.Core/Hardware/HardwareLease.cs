namespace Ironic.Core.Hardware;

/// <summary>
/// A node's hardware for one piece of work (a deploy, an undeploy, a one-shot release): disposing
/// it disposes hardware that holds a session (Redfish logs out).
/// </summary>
internal sealed class HardwareLease(INodeHardware hardware) : IAsyncDisposable
{
    public INodeHardware Hardware { get; } = hardware;

    public ValueTask DisposeAsync() => Hardware is IAsyncDisposable d ? d.DisposeAsync() : ValueTask.CompletedTask;
}
