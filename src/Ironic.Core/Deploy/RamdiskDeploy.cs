using System.Globalization;
using System.Text;
using Ironic.Core.Boot;
using Ironic.Core.Hardware;
using Ironic.Core.Inventory;

namespace Ironic.Core.Deploy;

/// <summary>
/// Ironic's ramdisk deploy, with its state names:
/// <c>available → deploying → (wait call-back →) active</c>, <c>deploy failed</c> on error,
/// <c>active → deleting → available</c> on undeploy.
/// <list type="bullet">
/// <item>Virtual media (instance_info boot_iso): the base ISO is cached once, the node's overlay
/// (kernel parameters, files) is stored with the node as a delta and published at the owner's
/// <c>/v1/images/&lt;node&gt;/boot.iso</c>; the BMC gets power off, eject, insert, boot once to
/// CD, power on; the node is active. With one_shot it is active with a release pending: the boot
/// server that serves the ISO ejects and drops it once the BMC has read it (<see cref="OneShotReleaser"/>).</item>
/// <item>iPXE (kernel + ramdisk): the node's boot.ipxe is rendered and stored; the node boots
/// from the network once and waits in <c>wait call-back</c> until it fetches that script
/// through the boot API (<see cref="OnBootConfigFetchedAsync"/>), then it is active.</item>
/// </list>
/// Every change is made under the node's reservation, which is always released; a failure
/// leaves <c>deploy failed</c> with last_error saying what happened.
/// </summary>
public sealed class RamdiskDeploy(IInventoryStore store, ImageCache cache, NodeHardwareFactory hardware, RamdiskDeployOptions options)
{
    public const string RestartMessage = "the conductor restarted during the deploy";

    public RamdiskDeployOptions Options => options;

    /// <summary>Writes the request into the node's instance_info (under the reservation) and deploys it.</summary>
    public async Task<Node> DeployAsync(string nodeNameOrUuid, DeployRequest request, IProgress<DeployProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        return await RunAsync(nodeNameOrUuid, request, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deploys what the node's instance_info already says.</summary>
    public Task<Node> DeployAsync(string nodeNameOrUuid, IProgress<DeployProgress>? progress, CancellationToken cancellationToken) =>
        RunAsync(nodeNameOrUuid, null, progress, cancellationToken);

    private async Task<Node> RunAsync(string nodeNameOrUuid, DeployRequest? request, IProgress<DeployProgress>? progress, CancellationToken cancellationToken)
    {
        var node = await RecoverIfTheHolderDiedAsync(await GetNodeAsync(nodeNameOrUuid, cancellationToken).ConfigureAwait(false), progress, cancellationToken).ConfigureAwait(false);
        if (node.ProvisionState is not (ProvisionStates.Available or ProvisionStates.DeployFailed or ProvisionStates.Active))
        {
            throw new DeployException(DeployFailure.InvalidState,
                $"Node {node.Name} is '{node.ProvisionState}'; a deploy starts from available, deploy failed or active (a rebuild). Wait for it (Wait-IronicDeploy / ironic deploy wait) or undeploy it first.");
        }
        await ReserveAsync(node, cancellationToken).ConfigureAwait(false);
        try
        {
            node = await GetNodeAsync(node.Uuid.ToString("D"), cancellationToken).ConfigureAwait(false);
            if (request is not null) node = request.ApplyTo(node);
            node = node with { InstanceInfo = WithoutReleaseRecords(node.InstanceInfo) };
            var mode = DeployModeOf(node);
            var bootMode = DeployBootMode.Of(node);
            node = await SaveAsync(node with { ProvisionState = ProvisionStates.Deploying, TargetProvisionState = ProvisionStates.Active, LastError = null }, cancellationToken).ConfigureAwait(false);
            Report(progress, node, "reserved", 5);
            try
            {
                node = mode == DeployMode.VirtualMedia
                    ? await DeployVirtualMediaAsync(node, bootMode, request?.Files, progress, cancellationToken).ConfigureAwait(false)
                    : await DeployIpxeAsync(node, bootMode, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                var message = e is OperationCanceledException
                    ? "the deploy was cancelled before it finished"
                    : e.Message;
                node = await FailAsync(node, message).ConfigureAwait(false);
                Report(progress, node, "failed: " + message, 100);
                if (e is OperationCanceledException) throw;
                throw new DeployException(DeployFailure.Failed, $"The deploy of node {node.Name} failed: {message}", e);
            }
            Report(progress, node, node.ProvisionState, 100);
        }
        finally
        {
            await store.ReleaseAsync(node.Uuid, options.Conductor, CancellationToken.None).ConfigureAwait(false);
        }
        // As it is now, free (a node in wait call-back may even have called back already).
        return await GetNodeAsync(node.Uuid.ToString("D"), CancellationToken.None).ConfigureAwait(false);
    }

    private async Task<Node> DeployVirtualMediaAsync(Node node, BootMode? bootMode, IReadOnlyDictionary<string, byte[]>? requestFiles, IProgress<DeployProgress>? progress, CancellationToken cancellationToken)
    {
        var source = ImageSource.Parse(node.InstanceInfo[IpxeScripts.BootIsoKey], ImageChecksum.FromInstanceInfo(node.InstanceInfo));
        Report(progress, node, $"fetching {source.Location}", 10);
        var holder = node.Uuid.ToString("D");
        var baseImage = await cache.GetAsync(source, holder, cancellationToken).ConfigureAwait(false);

        Report(progress, node, "building the node's ISO overlay", 40);
        var parameters = KernelParameterList.For(node, options.VirtualMediaKernelParameters);
        var files = new Dictionary<string, byte[]>(options.InjectedFiles, StringComparer.Ordinal);
        foreach (var (path, content) in requestFiles ?? new Dictionary<string, byte[]>()) files[path] = content;
        var delta = await Task.Run(() => NodeIsoArtifacts.BuildDelta(baseImage, parameters, files), cancellationToken).ConfigureAwait(false);
        await NodeIsoArtifacts.StoreAsync(store, node.Uuid, delta, new OverlayBase(baseImage.Sha256, source.Location), cancellationToken).ConfigureAwait(false);
        var url = await ImageUrlAsync(node, cancellationToken).ConfigureAwait(false);

        await using var machine = new HardwareLease(hardware.Create(node));
        Report(progress, node, "powering off", 55);
        await machine.Hardware.SetPowerStateAsync(PowerAction.ForceOff, cancellationToken).ConfigureAwait(false);
        Report(progress, node, "ejecting virtual media", 60);
        await machine.Hardware.EjectVirtualMediaAsync(cancellationToken).ConfigureAwait(false);
        // Reads of the node's ISO from here on are this deploy's (the one-shot release counts only those).
        var insertedAt = DateTimeOffset.UtcNow;
        Report(progress, node, $"inserting {url}", 70);
        await machine.Hardware.InsertVirtualMediaAsync(url, cancellationToken).ConfigureAwait(false);
        Report(progress, node, "setting a one-time boot from CD" + BootModeText(bootMode), 80);
        await machine.Hardware.SetBootDeviceAsync(BootDevice.Cd, once: true, bootMode, cancellationToken).ConfigureAwait(false);
        Report(progress, node, "powering on", 90);
        await machine.Hardware.SetPowerStateAsync(PowerAction.On, cancellationToken).ConfigureAwait(false);

        var info = node.InstanceInfo;
        if (OneShotRelease.IsRequested(node))
        {
            // One-shot: the machine has not read its ISO yet (a BMC reads it while the machine boots from it).
            // The boot server that serves it ejects it and drops the overlay once those reads are over.
            info = new Dictionary<string, string>(info, StringComparer.Ordinal)
            {
                [OneShotRelease.PendingSinceKey] = OneShotRelease.Format(insertedAt),
                [OneShotRelease.ImageUrlKey] = url.AbsoluteUri,
            };
            Report(progress, node, "one-shot: the boot server ejects the ISO and drops it once the BMC has read it", 95);
        }
        return await SaveAsync(node with { ProvisionState = ProvisionStates.Active, TargetProvisionState = null, PowerState = PowerStates.On, LastError = null, InstanceInfo = info }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Node> DeployIpxeAsync(Node node, BootMode? bootMode, IProgress<DeployProgress>? progress, CancellationToken cancellationToken)
    {
        Report(progress, node, "rendering boot.ipxe", 30);
        var parameters = KernelParameterList.For(node, options.IpxeKernelParameters);
        var rendered = node with
        {
            InstanceInfo = new Dictionary<string, string>(node.InstanceInfo, StringComparer.Ordinal) { [IpxeScripts.KernelArgumentsKey] = string.Join(' ', parameters) },
        };
        var script = IpxeScripts.RenderNodeScript(rendered)
            ?? throw new DeployException(DeployFailure.InvalidInstanceInfo, $"Node {node.Name} has no kernel and ramdisk to render a boot.ipxe from.");
        await store.PutArtifactAsync(node.Uuid, IpxeScripts.BootScriptName, Encoding.UTF8.GetBytes(script), cancellationToken).ConfigureAwait(false);

        await using var machine = new HardwareLease(hardware.Create(node));
        Report(progress, node, "powering off", 50);
        await machine.Hardware.SetPowerStateAsync(PowerAction.ForceOff, cancellationToken).ConfigureAwait(false);
        Report(progress, node, "setting a one-time boot from the network" + BootModeText(bootMode), 60);
        await machine.Hardware.SetBootDeviceAsync(BootDevice.Pxe, once: true, bootMode, cancellationToken).ConfigureAwait(false);
        // The wait state comes before power on: the boot API only answers nodes that wait.
        node = await SaveAsync(node with { ProvisionState = ProvisionStates.WaitCallback, TargetProvisionState = ProvisionStates.Active }, cancellationToken).ConfigureAwait(false);
        Report(progress, node, "powering on", 80);
        await machine.Hardware.SetPowerStateAsync(PowerAction.On, cancellationToken).ConfigureAwait(false);
        Report(progress, node, "waiting for the node to fetch boot.ipxe", 90);
        return await GetNodeAsync(node.Uuid.ToString("D"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The boot API served <paramref name="name"/> to a node: a node in <c>wait call-back</c>
    /// for a ramdisk deploy has called back and becomes active. Returns the node as it is after.
    /// Waits (up to <paramref name="reservationWait"/>) for a deploy that still holds the reservation.
    /// </summary>
    public static async Task<Node?> OnBootConfigFetchedAsync(IInventoryStore store, Guid nodeUuid, string conductor, TimeSpan reservationWait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var deadline = DateTimeOffset.UtcNow + reservationWait;
        while (true)
        {
            var node = await store.GetNodeAsync(nodeUuid.ToString("D"), cancellationToken).ConfigureAwait(false);
            if (node is null || !IsWaitingForCallBack(node)) return node;
            var (reserved, after) = await store.TryUnderReservationAsync(nodeUuid, conductor, async current =>
                current is null || !IsWaitingForCallBack(current)
                    ? current
                    : await store.UpdateNodeAsync(current with { ProvisionState = ProvisionStates.Active, TargetProvisionState = null, PowerState = PowerStates.On, LastError = null }, cancellationToken).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            if (reserved) return after;
            if (DateTimeOffset.UtcNow >= deadline) return node;
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A node a ramdisk deploy left waiting for its call-back (wait call-back with target active).
    /// Nodes put in a wait state by other means (fast-track, an operator) are not touched.
    /// </summary>
    public static bool IsWaitingForCallBack(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.ProvisionState == ProvisionStates.WaitCallback && node.TargetProvisionState == ProvisionStates.Active;
    }

    /// <summary>Undeploy: power off, eject, drop the node's overlay and boot script, available.</summary>
    public async Task<Node> UndeployAsync(string nodeNameOrUuid, IProgress<DeployProgress>? progress, CancellationToken cancellationToken)
    {
        var node = await RecoverIfTheHolderDiedAsync(await GetNodeAsync(nodeNameOrUuid, cancellationToken).ConfigureAwait(false), progress, cancellationToken).ConfigureAwait(false);
        if (node.ProvisionState is not (ProvisionStates.Active or ProvisionStates.DeployFailed or ProvisionStates.WaitCallback or ProvisionStates.Error))
        {
            throw new DeployException(DeployFailure.InvalidState,
                $"Node {node.Name} is '{node.ProvisionState}'; only an active, waiting or failed deploy can be undone.");
        }
        await ReserveAsync(node, cancellationToken).ConfigureAwait(false);
        try
        {
            node = await SaveAsync(node with { ProvisionState = ProvisionStates.Deleting, TargetProvisionState = ProvisionStates.Available }, cancellationToken).ConfigureAwait(false);
            try
            {
                await using (var machine = new HardwareLease(hardware.Create(node)))
                {
                    Report(progress, node, "powering off", 30);
                    await machine.Hardware.SetPowerStateAsync(PowerAction.ForceOff, cancellationToken).ConfigureAwait(false);
                    if (node.InstanceInfo.ContainsKey(IpxeScripts.BootIsoKey))
                    {
                        Report(progress, node, "ejecting virtual media", 60);
                        await machine.Hardware.EjectVirtualMediaAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
                Report(progress, node, "dropping the node's ISO overlay", 80);
                await NodeIsoArtifacts.DropAsync(store, cache, node.Uuid, cancellationToken).ConfigureAwait(false);
                node = await SaveAsync(node with
                {
                    ProvisionState = ProvisionStates.Available,
                    TargetProvisionState = null,
                    PowerState = PowerStates.Off,
                    LastError = null,
                    InstanceInfo = new Dictionary<string, string>(),
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                node = await SaveAsync(node with { ProvisionState = ProvisionStates.Error, TargetProvisionState = null, LastError = "Undeploy failed: " + e.Message }, CancellationToken.None).ConfigureAwait(false);
                throw new DeployException(DeployFailure.Failed, $"The undeploy of node {node.Name} failed: {e.Message}. The node is in 'error'; fix the cause and undeploy again.", e);
            }
            Report(progress, node, node.ProvisionState, 100);
        }
        finally
        {
            await store.ReleaseAsync(node.Uuid, options.Conductor, CancellationToken.None).ConfigureAwait(false);
        }
        return await GetNodeAsync(node.Uuid.ToString("D"), CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Waits until the node is in a stable state (active, deploy failed, available, error) and free; returns it.</summary>
    public async Task<Node> WaitAsync(string nodeNameOrUuid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var node = await GetNodeAsync(nodeNameOrUuid, cancellationToken).ConfigureAwait(false);
            if (IsStable(node.ProvisionState) && node.Reservation is null) return node;
            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new DeployException(DeployFailure.Timeout, string.Create(CultureInfo.InvariantCulture,
                    $"Node {node.Name} is still '{node.ProvisionState}'{(node.Reservation is null ? "" : $" (reserved by {node.Reservation})")} after {timeout.TotalSeconds:0} s. A node in wait call-back waits for its network boot to fetch boot.ipxe: check its console and the boot server's log."));
            }
            await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    public static bool IsStable(string provisionState) =>
        provisionState is ProvisionStates.Active or ProvisionStates.DeployFailed or ProvisionStates.Available or ProvisionStates.Error
            or ProvisionStates.Enroll or ProvisionStates.Manageable;

    private async Task<Node> FailAsync(Node node, string message)
    {
        // Nothing of a failed deploy is published: the overlay and the base reference go.
        try { await NodeIsoArtifacts.DropAsync(store, cache, node.Uuid, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or InvalidOperationException) { message += $" (cleaning up also failed: {e.Message})"; }
        return await SaveAsync(node with { ProvisionState = ProvisionStates.DeployFailed, TargetProvisionState = null, LastError = message }, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The URL the BMC fetches the node's ISO from: the configured root, else the owning boot server.</summary>
    public async Task<Uri> ImageUrlAsync(Node node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var root = options.ImageRootUrl;
        if (root is null)
        {
            var ring = await ConductorRing.LoadAsync(store, options.HeartbeatTimeout, cancellationToken, partitionExponent: options.HashPartitionExponent).ConfigureAwait(false);
            var owner = ring.GetOwner(node) ?? throw new DeployException(DeployFailure.NoImageServer,
                $"No boot server is running for node {node.Name}'s conductor group '{node.ConductorGroup}' to publish its ISO. Start one on the same inventory ('ironic serve' or Start-IronicBootServer) and deploy again.");
            root = owner.InternalUrl;
        }
        return new Uri(root, $"{root.AbsolutePath.TrimEnd('/')}/v1/images/{node.Uuid:D}/{NodeIsoArtifacts.PublishedFileName}");
    }

    /// <summary>
    /// A node still reserved by a deploy whose process or conductor is gone (killed, crashed) is
    /// recovered here rather than at the next server start: it moves to deploy failed (or error) and
    /// is freed, and this deploy goes on from there.
    /// </summary>
    private async Task<Node> RecoverIfTheHolderDiedAsync(Node node, IProgress<DeployProgress>? progress, CancellationToken cancellationToken)
    {
        if (await DeployRecovery.RecoverNodeAsync(store, node, options.Conductor, options.HeartbeatTimeout, cancellationToken).ConfigureAwait(false) is not { } recovered) return node;
        Report(progress, node, $"recovered from {recovered.Holder}: {recovered.Reason}", 2);
        return await GetNodeAsync(node.Uuid.ToString("D"), cancellationToken).ConfigureAwait(false);
    }

    private async Task ReserveAsync(Node node, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + options.ReservationWait;
        while (!await store.TryReserveAsync(node.Uuid, options.Conductor, cancellationToken).ConfigureAwait(false))
        {
            if (DateTimeOffset.UtcNow >= deadline)
            {
                var holder = (await store.GetNodeAsync(node.Uuid.ToString("D"), cancellationToken).ConfigureAwait(false))?.Reservation ?? "another conductor";
                throw new DeployException(DeployFailure.NodeLocked,
                    $"Node {node.Name} is reserved by {holder}, which is changing it now; wait for that to finish (Wait-IronicDeploy / ironic deploy wait) and try again.");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Node> GetNodeAsync(string nameOrUuid, CancellationToken cancellationToken) =>
        await store.GetNodeAsync(nameOrUuid, cancellationToken).ConfigureAwait(false)
            ?? throw NodeNotFoundException.ForNode(nameOrUuid);

    private Task<Node> SaveAsync(Node node, CancellationToken cancellationToken) => store.UpdateNodeAsync(node, cancellationToken);

    /// <summary>A new deploy starts without the one-shot release records of the last one.</summary>
    private static Dictionary<string, string> WithoutReleaseRecords(IReadOnlyDictionary<string, string> info)
    {
        var copy = new Dictionary<string, string>(info, StringComparer.Ordinal);
        foreach (var key in OneShotRelease.Keys) copy.Remove(key);
        return copy;
    }

    private enum DeployMode { VirtualMedia, Ipxe }

    private static DeployMode DeployModeOf(Node node)
    {
        var info = node.InstanceInfo;
        bool Has(string key) => info.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v);
        if (Has(IpxeScripts.BootIsoKey)) return DeployMode.VirtualMedia;
        if (Has(IpxeScripts.KernelKey) && Has(IpxeScripts.RamdiskKey)) return DeployMode.Ipxe;
        throw new DeployException(DeployFailure.InvalidInstanceInfo,
            $"Node {node.Name} has neither instance_info/boot_iso nor both kernel and ramdisk; give -BootIso URL, or -Kernel URL and -Ramdisk URL (--boot-iso / --kernel --ramdisk).");
    }

    private static string BootModeText(BootMode? mode) => mode is { } m ? $" in {DeployBootMode.Format(m)} mode" : "";

    private static void Report(IProgress<DeployProgress>? progress, Node node, string step, int percent) =>
        progress?.Report(new DeployProgress(node.Uuid, node.Name, node.ProvisionState, step, percent));
}
