namespace Ironic.Core.Inventory;

/// <summary>
/// The node and port operations the fronts (cmdlets, CLI) share: enroll with ports in one go,
/// change or delete a node under its reservation so that a running deploy is never
/// overwritten, add and remove ports. The store does the storing; this does the rules.
/// </summary>
public static class NodeRegistration
{
    /// <summary>The reservation holder name fronts use while they change a node.</summary>
    public static string ApiHolder => $"api@{Environment.MachineName}";

    /// <summary>Creates the node and a port for each MAC; when a port fails the node is removed again.</summary>
    public static async Task<Node> CreateAsync(IInventoryStore store, NewNodeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        var node = request.ToNode();
        var macs = request.MacAddresses.Select(MacAddress.Normalize).Distinct(StringComparer.Ordinal).ToList();
        foreach (var mac in macs)
        {
            if (await store.FindNodeByMacAsync(mac, cancellationToken).ConfigureAwait(false) is { } owner)
            {
                throw new InventoryConflictException($"Cannot create node '{node.Name}': MAC {mac} already belongs to node '{owner.Name}'. Remove that port first (ironic port delete {mac}).");
            }
        }
        var created = await store.CreateNodeAsync(node, cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var mac in macs) await store.CreatePortAsync(new Port(mac, created.Uuid), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await store.DeleteNodeAsync(created.Uuid, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        return created;
    }

    /// <summary>The node by name or UUID; NodeNotFoundException saying how to list them.</summary>
    public static async Task<Node> GetAsync(IInventoryStore store, string nameOrUuid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return await store.GetNodeAsync(nameOrUuid, cancellationToken).ConfigureAwait(false) ?? throw NodeNotFoundException.ForNode(nameOrUuid);
    }

    /// <summary>Applies the changes while holding the node's reservation; NodeLockedException when a conductor holds it.</summary>
    public static async Task<Node> UpdateAsync(IInventoryStore store, string nameOrUuid, NodeChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var node = await GetAsync(store, nameOrUuid, cancellationToken).ConfigureAwait(false);
        var changed = changes.ApplyTo(node);
        await ReserveAsync(store, node, "change", cancellationToken).ConfigureAwait(false);
        try
        {
            return await store.UpdateNodeAsync(changed, cancellationToken).ConfigureAwait(false) with { Reservation = null };
        }
        finally
        {
            await store.ReleaseAsync(node.Uuid, ApiHolder, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes the node with its ports and artifacts; NodeLockedException while a conductor holds it.</summary>
    public static async Task<Node> DeleteAsync(IInventoryStore store, string nameOrUuid, CancellationToken cancellationToken)
    {
        var node = await GetAsync(store, nameOrUuid, cancellationToken).ConfigureAwait(false);
        await ReserveAsync(store, node, "delete", cancellationToken).ConfigureAwait(false);
        await store.DeleteNodeAsync(node.Uuid, cancellationToken).ConfigureAwait(false);
        return node;
    }

    /// <summary>Adds a port with this MAC (any form) to the node.</summary>
    public static async Task<Port> AddPortAsync(IInventoryStore store, string nodeNameOrUuid, string macAddress, CancellationToken cancellationToken)
    {
        var mac = MacAddress.Normalize(macAddress);
        var node = await GetAsync(store, nodeNameOrUuid, cancellationToken).ConfigureAwait(false);
        return await store.CreatePortAsync(new Port(mac, node.Uuid), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The port with this MAC (any form); NodeNotFoundException when there is none.</summary>
    public static async Task<Port> GetPortAsync(IInventoryStore store, string macAddress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var mac = MacAddress.Normalize(macAddress);
        var node = await store.FindNodeByMacAsync(mac, cancellationToken).ConfigureAwait(false) ?? throw NodeNotFoundException.ForPort(mac);
        var ports = await store.ListPortsAsync(node.Uuid, cancellationToken).ConfigureAwait(false);
        return ports.First(p => p.Address == mac);
    }

    private static async Task ReserveAsync(IInventoryStore store, Node node, string action, CancellationToken cancellationToken)
    {
        if (await store.TryReserveAsync(node.Uuid, ApiHolder, cancellationToken).ConfigureAwait(false)) return;
        var holder = (await store.GetNodeAsync(node.Uuid.ToString("D"), cancellationToken).ConfigureAwait(false))?.Reservation ?? "another process";
        throw new NodeLockedException(
            $"Cannot {action} node '{node.Name}': '{holder}' holds its reservation (a deploy or another change is running). Wait for it to finish; a conductor that died frees its nodes when it is dropped from the ring.");
    }
}
