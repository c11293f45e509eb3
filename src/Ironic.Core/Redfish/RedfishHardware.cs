using Ironic.Core.Hardware;

namespace Ironic.Core.Redfish;

/// <summary>What <see cref="RedfishHardware.AttachAndBootAsync"/> does after inserting.</summary>
public sealed record VirtualMediaBootRequest(Uri Image)
{
    /// <summary>Set a one-time boot from the virtual CD.</summary>
    public bool BootOnce { get; init; }

    /// <summary>Power the system on afterwards (it is powered off first, so the new boot settings take effect).</summary>
    public bool PowerOn { get; init; }

    /// <summary>Eject a slot holding another image instead of failing.</summary>
    public bool ReplaceInsertedImage { get; init; }

    /// <summary>The boot mode for the override, when the system supports setting one.</summary>
    public BootMode? Mode { get; init; }
}

/// <summary>
/// A node's hardware reached through its BMC's Redfish service: power, boot source override
/// and virtual media of one system. Owns its <see cref="RedfishClient"/> (and so its session);
/// dispose it to log out.
/// </summary>
public sealed class RedfishHardware : INodeHardware, IAsyncDisposable
{
    private readonly string? _systemIdOrPath;
    private RedfishSystem? _system;

    /// <param name="bmcAddress">https://bmc.example.com</param>
    /// <param name="systemIdOrPath">/redfish/v1/Systems/1 or an id; null for the BMC's only system.</param>
    public RedfishHardware(Uri bmcAddress, string? systemIdOrPath, string? username, string? password, bool verifyTls = true)
        : this(new RedfishClientOptions(bmcAddress) { Username = username, Password = password, VerifyTls = verifyTls }, systemIdOrPath)
    {
    }

    /// <param name="handler">For tests: answers instead of the network.</param>
    public RedfishHardware(RedfishClientOptions options, string? systemIdOrPath, HttpMessageHandler? handler = null)
    {
        Client = new RedfishClient(options, handler);
        _systemIdOrPath = systemIdOrPath;
    }

    public RedfishClient Client { get; }

    public RedfishPowerOptions PowerOptions { get; init; } = new();

    public VirtualMediaInsertOptions InsertOptions { get; init; } = new();

    /// <summary>The system, found on first use.</summary>
    public async Task<RedfishSystem> GetSystemAsync(CancellationToken cancellationToken) =>
        _system ??= await RedfishSystem.FindAsync(Client, _systemIdOrPath, cancellationToken).ConfigureAwait(false);

    public async Task<RedfishVirtualMedia> GetVirtualMediaAsync(CancellationToken cancellationToken) =>
        new(Client, await GetSystemAsync(cancellationToken).ConfigureAwait(false));

    public async Task<string?> GetPowerStateNameAsync(CancellationToken cancellationToken) =>
        await (await GetSystemAsync(cancellationToken).ConfigureAwait(false)).GetPowerStateAsync(cancellationToken).ConfigureAwait(false);

    public async Task<HardwarePowerState> GetPowerStateAsync(CancellationToken cancellationToken) =>
        RedfishSystem.ToHardwareState(await GetPowerStateNameAsync(cancellationToken).ConfigureAwait(false));

    public async Task SetPowerStateAsync(PowerAction action, CancellationToken cancellationToken) =>
        await (await GetSystemAsync(cancellationToken).ConfigureAwait(false)).SetPowerAsync(action, PowerOptions, cancellationToken).ConfigureAwait(false);

    public async Task SetBootDeviceAsync(BootDevice device, bool once, BootMode? mode, CancellationToken cancellationToken) =>
        await (await GetSystemAsync(cancellationToken).ConfigureAwait(false)).SetBootOverrideAsync(device, once, mode, cancellationToken).ConfigureAwait(false);

    public async Task InsertVirtualMediaAsync(Uri image, CancellationToken cancellationToken) =>
        await InsertVirtualMediaAsync(image, InsertOptions, cancellationToken).ConfigureAwait(false);

    public async Task<VirtualMediaSlot> InsertVirtualMediaAsync(Uri image, VirtualMediaInsertOptions options, CancellationToken cancellationToken) =>
        await (await GetVirtualMediaAsync(cancellationToken).ConfigureAwait(false)).InsertAsync(image, options, cancellationToken).ConfigureAwait(false);

    public async Task EjectVirtualMediaAsync(CancellationToken cancellationToken) =>
        await (await GetVirtualMediaAsync(cancellationToken).ConfigureAwait(false)).EjectAsync(cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<VirtualMediaSlot>> GetVirtualMediaSlotsAsync(CancellationToken cancellationToken) =>
        await (await GetVirtualMediaAsync(cancellationToken).ConfigureAwait(false)).GetSlotsAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The whole virtual media boot in the order BMCs need: power off (when powering on after),
    /// insert (ejecting another image when allowed), one-time boot to CD, power on.
    /// Returns the slot as read after insertion.
    /// </summary>
    public async Task<VirtualMediaSlot> AttachAndBootAsync(VirtualMediaBootRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.PowerOn) await SetPowerStateAsync(PowerAction.ForceOff, cancellationToken).ConfigureAwait(false);
        var slot = await InsertVirtualMediaAsync(request.Image, InsertOptions with { EjectBusySlot = request.ReplaceInsertedImage }, cancellationToken).ConfigureAwait(false);
        if (request.BootOnce) await SetBootDeviceAsync(BootDevice.Cd, once: true, request.Mode, cancellationToken).ConfigureAwait(false);
        if (request.PowerOn) await SetPowerStateAsync(PowerAction.On, cancellationToken).ConfigureAwait(false);
        return slot;
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
