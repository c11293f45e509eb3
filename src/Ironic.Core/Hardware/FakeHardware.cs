using Ironic.Core.Inventory;

namespace Ironic.Core.Hardware;

/// <summary>One call a <see cref="FakeHardware"/> received: the operation, its argument and when.</summary>
public sealed record HardwareCall(string Operation, string? Argument, DateTimeOffset At);

/// <summary>
/// The <c>fake</c> hardware type, like Ironic's fake-hardware: every call succeeds at once, moves
/// a simulated state (power, boot device, inserted image) and is recorded, so that a lab or a
/// test drives a whole deploy without a BMC and then checks what was asked. Thread-safe.
/// </summary>
public sealed class FakeHardware : INodeHardware
{
    private readonly object _gate = new();
    private readonly List<HardwareCall> _calls = [];
    private readonly TimeProvider _time;
    private HardwarePowerState _power;
    private (BootDevice Device, bool Once)? _bootDevice;
    private Uri? _insertedImage;

    public FakeHardware(Guid nodeUuid, HardwarePowerState initialPower = HardwarePowerState.Off, TimeProvider? time = null)
    {
        NodeUuid = nodeUuid;
        _power = initialPower;
        _time = time ?? TimeProvider.System;
    }

    public Guid NodeUuid { get; }

    /// <summary>Every call so far, in order (a snapshot).</summary>
    public IReadOnlyList<HardwareCall> Calls { get { lock (_gate) return [.. _calls]; } }

    public HardwarePowerState PowerState { get { lock (_gate) return _power; } }

    /// <summary>The last boot device set, and whether for the next boot only; null when never set.</summary>
    public (BootDevice Device, bool Once)? BootDevice { get { lock (_gate) return _bootDevice; } }

    /// <summary>The image in the virtual CD, or null when empty.</summary>
    public Uri? InsertedImage { get { lock (_gate) return _insertedImage; } }

    public Task<HardwarePowerState> GetPowerStateAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Record("GetPowerState", null);
            return Task.FromResult(_power);
        }
    }

    public Task SetPowerStateAsync(PowerAction action, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Record("SetPowerState", action.ToString());
            _power = action switch
            {
                PowerAction.On or PowerAction.ForceRestart => HardwarePowerState.On,
                PowerAction.ForceOff or PowerAction.GracefulShutdown => HardwarePowerState.Off,
                _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown power action."),
            };
            // A one-time boot override is consumed by the boot it applied to, as on a real BMC.
            if (action is PowerAction.On or PowerAction.ForceRestart && _bootDevice is { Once: true }) _bootDevice = null;
        }
        return Task.CompletedTask;
    }

    public Task SetBootDeviceAsync(BootDevice device, bool once, BootMode? mode, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Record("SetBootDevice", (once ? $"{device} once" : $"{device} persistent") + (mode is { } m ? $" {m}" : ""));
            _bootDevice = (device, once);
        }
        return Task.CompletedTask;
    }

    public Task InsertVirtualMediaAsync(Uri image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Record("InsertVirtualMedia", image.ToString());
            _insertedImage = image;
        }
        return Task.CompletedTask;
    }

    public Task EjectVirtualMediaAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Record("EjectVirtualMedia", null);
            _insertedImage = null;
        }
        return Task.CompletedTask;
    }

    private void Record(string operation, string? argument) => _calls.Add(new HardwareCall(operation, argument, _time.GetUtcNow()));
}

/// <summary>
/// The fake machines of one lab or test: one <see cref="FakeHardware"/> per node UUID, kept so
/// that what a deploy did can be read back after it.
/// </summary>
public sealed class FakeHardwareLab
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, FakeHardware> _machines = new();
    private readonly TimeProvider? _time;

    public FakeHardwareLab(TimeProvider? time = null) => _time = time;

    /// <summary>The node's fake machine, made (powered off) on first use.</summary>
    public FakeHardware For(Guid nodeUuid) => _machines.GetOrAdd(nodeUuid, u => new FakeHardware(u, HardwarePowerState.Off, _time));

    public FakeHardware For(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return For(node.Uuid);
    }

    public IReadOnlyCollection<FakeHardware> Machines => [.. _machines.Values];
}
