namespace Ironic.Core.Hardware;

/// <summary>
/// What a deploy asks of a node's hardware, whatever the hardware type: Redfish talks to a BMC,
/// fake (like Ironic's fake-hardware) succeeds and records each call so that a lab or a test can
/// drive the whole flow without one.
/// </summary>
public interface INodeHardware
{
    Task<HardwarePowerState> GetPowerStateAsync(CancellationToken cancellationToken);

    /// <summary>Sets power and waits (up to the hardware's timeout) until the system reports it.</summary>
    Task SetPowerStateAsync(PowerAction action, CancellationToken cancellationToken);

    /// <summary>Sets the boot source override (once or persistent) to the given device, in <paramref name="mode"/> (null leaves the mode as it is).</summary>
    Task SetBootDeviceAsync(BootDevice device, bool once, BootMode? mode, CancellationToken cancellationToken);

    /// <summary>Inserts an image URL into a CD/DVD virtual media slot and checks that it reads inserted.</summary>
    Task InsertVirtualMediaAsync(Uri image, CancellationToken cancellationToken);

    /// <summary>Ejects every CD/DVD virtual media slot; a slot already empty is success.</summary>
    Task EjectVirtualMediaAsync(CancellationToken cancellationToken);
}

public enum HardwarePowerState
{
    Unknown,
    On,
    Off,
}

public enum PowerAction
{
    On,
    ForceOff,
    GracefulShutdown,
    ForceRestart,
}

/// <summary>The boot mode a boot source override asks for (Redfish BootSourceOverrideMode UEFI or Legacy; Ironic's uefi or bios).</summary>
public enum BootMode
{
    Uefi,
    Legacy,
}

public enum BootDevice
{
    Cd,
    Pxe,
    Hdd,
    UsbCd,
}
