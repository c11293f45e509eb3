using Ironic.Core.Redfish;

namespace Ironic.Core.Inventory;

/// <summary>
/// What an operator gives to enroll a node (the flags of <c>ironic node create</c> and the
/// parameters of New-IronicNode). <see cref="ToNode"/> checks it and builds the node.
/// </summary>
public sealed record NewNodeRequest
{
    public required string Name { get; init; }
    public string Driver { get; init; } = NodeRequestRules.Fake;
    public string? BmcAddress { get; init; }
    public string? SystemId { get; init; }
    public string? Username { get; init; }

    /// <summary>The BMC password (from a file, the environment or a PSCredential; never argv).</summary>
    public string? Password { get; init; }

    public IReadOnlyList<string> MacAddresses { get; init; } = [];
    public string ConductorGroup { get; init; } = "";
    public string? BootInterface { get; init; }
    public string? DeployInterface { get; init; }
    public IReadOnlyDictionary<string, string> DriverInfo { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> InstanceInfo { get; init; } = new Dictionary<string, string>();

    /// <summary>The node to store; ArgumentException/FormatException saying which input is wrong and how to fix it.</summary>
    public Node ToNode()
    {
        NodeRequestRules.CheckName(Name);
        var driver = NodeRequestRules.CheckDriver(Driver);
        var driverInfo = new Dictionary<string, string>(DriverInfo, StringComparer.Ordinal);
        if (BmcAddress is not null) driverInfo[DriverInfoKeys.RedfishAddress] = NodeRequestRules.NormalizeBmcAddress(BmcAddress);
        if (SystemId is not null) driverInfo[DriverInfoKeys.RedfishSystemId] = NodeRequestRules.CheckSystemId(SystemId);
        if (Username is not null) driverInfo[DriverInfoKeys.RedfishUsername] = Username;
        if (Password is not null) driverInfo[DriverInfoKeys.RedfishPassword] = Password;
        if (driver == NodeRequestRules.Redfish && !driverInfo.ContainsKey(DriverInfoKeys.RedfishAddress))
        {
            throw new ArgumentException($"Node '{Name}' uses the redfish hardware type but has no BMC address. Give --bmc https://BMC (or -BmcAddress).", nameof(BmcAddress));
        }
        foreach (var mac in MacAddresses) MacAddress.Parse(mac);
        return new Node
        {
            Name = Name,
            Driver = driver,
            DriverInfo = driverInfo,
            InstanceInfo = new Dictionary<string, string>(InstanceInfo, StringComparer.Ordinal),
            ConductorGroup = NodeRequestRules.CheckConductorGroup(ConductorGroup),
            BootInterface = BootInterface ?? (driver == NodeRequestRules.Redfish ? "redfish-virtual-media" : "fake"),
            DeployInterface = DeployInterface ?? "ramdisk",
            ProvisionState = ProvisionStates.Available,
            PowerState = PowerStates.Unknown,
        };
    }
}

/// <summary>
/// A change to a node (the flags of <c>ironic node set</c>, the parameters of Set-IronicNode):
/// null leaves a field as it is. <see cref="ApplyTo"/> is pure; NodeRegistration stores it.
/// </summary>
public sealed record NodeChanges
{
    public string? Name { get; init; }
    public string? Driver { get; init; }
    public string? BmcAddress { get; init; }
    public string? SystemId { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }
    public IReadOnlyDictionary<string, string> SetDriverInfo { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> UnsetDriverInfo { get; init; } = [];
    public IReadOnlyDictionary<string, string> SetInstanceInfo { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> UnsetInstanceInfo { get; init; } = [];
    public string? ProvisionState { get; init; }
    public string? TargetProvisionState { get; init; }
    public bool ClearTargetProvisionState { get; init; }
    public string? PowerState { get; init; }
    public string? ConductorGroup { get; init; }
    public string? BootInterface { get; init; }
    public string? DeployInterface { get; init; }
    public bool ClearLastError { get; init; }

    /// <summary>True when nothing would change (a front reports it rather than writing).</summary>
    public bool IsEmpty =>
        Name is null && Driver is null && BmcAddress is null && SystemId is null && Username is null && Password is null &&
        SetDriverInfo.Count == 0 && UnsetDriverInfo.Count == 0 && SetInstanceInfo.Count == 0 && UnsetInstanceInfo.Count == 0 &&
        ProvisionState is null && TargetProvisionState is null && !ClearTargetProvisionState && PowerState is null &&
        ConductorGroup is null && BootInterface is null && DeployInterface is null && !ClearLastError;

    /// <summary>The node with the changes applied (unset first, then set); ArgumentException for a bad value.</summary>
    public Node ApplyTo(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var driverInfo = new Dictionary<string, string>(node.DriverInfo, StringComparer.Ordinal);
        foreach (var key in UnsetDriverInfo) driverInfo.Remove(key);
        foreach (var (key, value) in SetDriverInfo) driverInfo[NodeRequestRules.CheckKey(key)] = value;
        if (BmcAddress is not null) driverInfo[DriverInfoKeys.RedfishAddress] = NodeRequestRules.NormalizeBmcAddress(BmcAddress);
        if (SystemId is not null) driverInfo[DriverInfoKeys.RedfishSystemId] = NodeRequestRules.CheckSystemId(SystemId);
        if (Username is not null) driverInfo[DriverInfoKeys.RedfishUsername] = Username;
        if (Password is not null) driverInfo[DriverInfoKeys.RedfishPassword] = Password;

        var instanceInfo = new Dictionary<string, string>(node.InstanceInfo, StringComparer.Ordinal);
        foreach (var key in UnsetInstanceInfo) instanceInfo.Remove(key);
        foreach (var (key, value) in SetInstanceInfo) instanceInfo[NodeRequestRules.CheckKey(key)] = value;

        if (Name is not null) NodeRequestRules.CheckName(Name);
        if (ProvisionState is not null) NodeRequestRules.CheckProvisionState(ProvisionState);
        if (TargetProvisionState is not null) NodeRequestRules.CheckProvisionState(TargetProvisionState);
        if (PowerState is not null && !PowerStates.Known.Contains(PowerState, StringComparer.Ordinal))
        {
            throw new ArgumentException($"'{PowerState}' is not a power state. Use one of: {string.Join(", ", PowerStates.Known.Select(s => $"'{s}'"))}.", nameof(PowerState));
        }
        var driver = Driver is null ? node.Driver : NodeRequestRules.CheckDriver(Driver);
        if (driver == NodeRequestRules.Redfish && !driverInfo.ContainsKey(DriverInfoKeys.RedfishAddress))
        {
            throw new ArgumentException($"Node '{node.Name}' would use the redfish hardware type without a BMC address. Give --bmc https://BMC too.", nameof(Driver));
        }

        return node with
        {
            Name = Name ?? node.Name,
            Driver = driver,
            DriverInfo = driverInfo,
            InstanceInfo = instanceInfo,
            ProvisionState = ProvisionState ?? node.ProvisionState,
            TargetProvisionState = ClearTargetProvisionState ? null : TargetProvisionState ?? node.TargetProvisionState,
            PowerState = PowerState ?? node.PowerState,
            ConductorGroup = ConductorGroup is null ? node.ConductorGroup : NodeRequestRules.CheckConductorGroup(ConductorGroup),
            BootInterface = BootInterface ?? node.BootInterface,
            DeployInterface = DeployInterface ?? node.DeployInterface,
            LastError = ClearLastError ? null : node.LastError,
        };
    }
}

/// <summary>The checks and normal forms every front applies to node input.</summary>
public static class NodeRequestRules
{
    public const string Fake = "fake";
    public const string Redfish = "redfish";

    /// <summary>The hardware types a node may have.</summary>
    public static IReadOnlyList<string> HardwareTypes { get; } = [Fake, Redfish];

    /// <summary>Names as Ironic allows them: letters, digits and - . _ ~, at most 255, not a UUID (that would be ambiguous).</summary>
    public static void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 255 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~'))
        {
            throw new ArgumentException($"'{name}' is not a valid node name. Use 1-255 letters, digits, '-', '.', '_' or '~'.", nameof(name));
        }
        if (Guid.TryParse(name, out _))
        {
            throw new ArgumentException($"'{name}' looks like a UUID; a node name must not, or lookups by name and UUID would collide.", nameof(name));
        }
    }

    public static string CheckDriver(string driver)
    {
        var known = HardwareTypes.FirstOrDefault(t => string.Equals(t, driver, StringComparison.OrdinalIgnoreCase));
        return known ?? throw new ArgumentException($"'{driver}' is not a hardware type. Use one of: {string.Join(", ", HardwareTypes)}.", nameof(driver));
    }

    /// <summary>An absolute http(s) URL; a bare host or host:port becomes https://host (Redfish's default, as in Ironic).</summary>
    public static string NormalizeBmcAddress(string address)
    {
        // One reading of BMC addresses for what is stored and what is connected to.
        if (!RedfishNodeTarget.TryParseBmcAddress(address, out var uri))
        {
            throw new ArgumentException($"'{address}' is not a BMC address. Give https://host[:port] (or http:// for an emulator).", nameof(address));
        }
        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    public static string CheckSystemId(string systemId) =>
        systemId.StartsWith('/') && !systemId.Contains("..", StringComparison.Ordinal) && !systemId.Any(char.IsWhiteSpace)
            ? systemId
            : throw new ArgumentException($"'{systemId}' is not a Redfish system path. Give the path of the System, such as /redfish/v1/Systems/1.", nameof(systemId));

    public static string CheckProvisionState(string state) =>
        ProvisionStates.IsKnown(state)
            ? state
            : throw new ArgumentException($"'{state}' is not a provision state. Use one of: {string.Join(", ", ProvisionStates.Known.Select(s => $"'{s}'"))}.", nameof(state));

    public static string CheckConductorGroup(string group) =>
        group.Length <= 255 && group.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_')
            ? group.ToLowerInvariant()
            : throw new ArgumentException($"'{group}' is not a conductor group. Use letters, digits, '-', '.' or '_' (case does not matter).", nameof(group));

    public static string CheckKey(string key) =>
        key.Length is > 0 and <= 255 && !key.Any(char.IsWhiteSpace) && !key.Contains('=', StringComparison.Ordinal)
            ? key
            : throw new ArgumentException($"'{key}' is not a valid key. Keys have no spaces and no '='.", nameof(key));

    /// <summary>Parses KEY=VALUE (the value may contain '='); ArgumentException naming the input otherwise.</summary>
    public static KeyValuePair<string, string> ParseKeyValue(string pair)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0) throw new ArgumentException($"'{pair}' is not KEY=VALUE.", nameof(pair));
        return new(CheckKey(pair[..equals]), pair[(equals + 1)..]);
    }
}
