namespace Ironic.Core.Inventory;

/// <summary>A failure of the inventory: a missing node, a conflict, a store that cannot be reached or read.</summary>
public class InventoryException : Exception
{
    public InventoryException() { }
    public InventoryException(string message) : base(message) { }
    public InventoryException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>No node (or port) answers to the name, UUID or MAC given.</summary>
public sealed class NodeNotFoundException : InventoryException
{
    public NodeNotFoundException() { }
    public NodeNotFoundException(string message) : base(message) { }
    public NodeNotFoundException(string message, Exception innerException) : base(message, innerException) { }

    public static NodeNotFoundException ForNode(string nameOrUuid) =>
        new($"No node is named '{nameOrUuid}' and none has that UUID. List the nodes with 'ironic node list' or Get-IronicNode.");

    public static NodeNotFoundException ForPort(string macAddress) =>
        new($"No port has the MAC address '{macAddress}'. List the ports with 'ironic port list' or Get-IronicPort.");
}

/// <summary>A name, UUID or MAC that must be unique is already in use.</summary>
public sealed class InventoryConflictException : InventoryException
{
    public InventoryConflictException() { }
    public InventoryConflictException(string message) : base(message) { }
    public InventoryConflictException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>Another conductor holds the node's reservation (its lock).</summary>
public sealed class NodeLockedException : InventoryException
{
    public NodeLockedException() { }
    public NodeLockedException(string message) : base(message) { }
    public NodeLockedException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The store cannot be opened, reached or migrated.</summary>
public sealed class InventoryStoreException : InventoryException
{
    public InventoryStoreException() { }
    public InventoryStoreException(string message) : base(message) { }
    public InventoryStoreException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>A stored BMC credential cannot be decrypted (another secret key) or the key is unusable.</summary>
public sealed class CredentialKeyException : InventoryException
{
    public CredentialKeyException() { }
    public CredentialKeyException(string message) : base(message) { }
    public CredentialKeyException(string message, Exception innerException) : base(message, innerException) { }
}
