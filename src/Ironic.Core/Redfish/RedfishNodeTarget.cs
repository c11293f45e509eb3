using System.Diagnostics.CodeAnalysis;
using Ironic.Core.Inventory;

namespace Ironic.Core.Redfish;

/// <summary>
/// Where a node's BMC is and how to reach it, read from its driver_info with Ironic's field names
/// (redfish_address, redfish_system_id, redfish_username, redfish_password, redfish_verify_ca),
/// so that a node from the inventory can be handed straight to the BMC commands and to deploys:
/// every front end reads a node's BMC settings here, and only here.
/// </summary>
public sealed record RedfishNodeTarget(Uri BmcAddress, string? SystemId, string? Username, string? Password, bool VerifyTls, string? CaBundlePath = null)
{
    public static RedfishNodeTarget FromNode(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var info = node.DriverInfo;
        if (!info.TryGetValue(DriverInfoKeys.RedfishAddress, out var address) || string.IsNullOrWhiteSpace(address))
        {
            throw new ArgumentException(
                $"Node '{node.Name}' has no driver_info redfish_address (driver '{node.Driver}'). Set it: Set-IronicNode -BmcAddress https://BMC, or ironic node set {node.Name} --bmc https://BMC.", nameof(node));
        }
        if (!TryParseBmcAddress(address, out var bmc))
        {
            throw new ArgumentException($"Node '{node.Name}' has redfish_address '{address}', which is not a URL. Set it as https://host[:port] (Set-IronicNode / ironic node set).", nameof(node));
        }
        // Ironic's redfish_verify_ca is "true", "false", or a CA bundle path (verification on).
        var verify = !(info.TryGetValue(DriverInfoKeys.RedfishVerifyCa, out var v) && v.Trim().Equals("false", StringComparison.OrdinalIgnoreCase));
        return new RedfishNodeTarget(
            bmc,
            info.TryGetValue(DriverInfoKeys.RedfishSystemId, out var system) && system.Length > 0 ? system : null,
            info.TryGetValue(DriverInfoKeys.RedfishUsername, out var user) && user.Length > 0 ? user : null,
            info.TryGetValue(DriverInfoKeys.RedfishPassword, out var password) ? password : null,
            verify,
            CaBundleOf(node));
    }

    /// <summary>
    /// This target under what the operator gave on top of the node's settings (flags or
    /// parameters): another system; credentials, which replace the node's user and password
    /// together; no TLS check; another CA bundle.
    /// </summary>
    public RedfishNodeTarget WithOverrides(string? systemId, bool credentialsGiven, string? username, string? password, bool skipTlsCheck, string? caBundlePath) => this with
    {
        SystemId = systemId ?? SystemId,
        Username = credentialsGiven ? username : Username,
        Password = credentialsGiven ? password : Password,
        VerifyTls = VerifyTls && !skipTlsCheck,
        CaBundlePath = caBundlePath ?? CaBundlePath,
    };

    /// <summary>The client options for this target: address, credentials and TLS settings.</summary>
    public RedfishClientOptions ClientOptions() =>
        new(BmcAddress) { Username = Username, Password = Password, VerifyTls = VerifyTls, CaBundlePath = CaBundlePath };

    /// <summary>
    /// The hardware a BMC command opens: <paramref name="timeout"/> bounds power waits and the check
    /// that inserted media took (at most 60 s); <paramref name="log"/> gets one line per request.
    /// </summary>
    public RedfishHardware OpenForCommand(TimeSpan timeout, bool forceOffAfterGracefulTimeout, Action<string>? log) =>
        new(ClientOptions() with { Log = log }, SystemId)
        {
            PowerOptions = new RedfishPowerOptions { Timeout = timeout, ForceOffAfterGracefulTimeout = forceOffAfterGracefulTimeout },
            InsertOptions = new VirtualMediaInsertOptions { VerifyTimeout = timeout < TimeSpan.FromSeconds(60) ? timeout : TimeSpan.FromSeconds(60) },
        };

    /// <summary>
    /// The node's target with its real BMC password. Nodes that Get-IronicNode or `--json` print
    /// carry the password as "******"; such a node is read again from the inventory (by UUID) so
    /// that piping it into a BMC command authenticates as the stored node would.
    /// </summary>
    public static async Task<RedfishNodeTarget> FromNodeAsync(Node node, Func<CancellationToken, Task<IInventoryStore>> openStore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(openStore);
        var target = FromNode(node);
        if (target.Password != DriverInfoKeys.RedactedValue) return target;
        var store = await openStore(cancellationToken).ConfigureAwait(false);
        var stored = await store.GetNodeAsync(node.Uuid.ToString("D"), cancellationToken).ConfigureAwait(false)
            ?? throw new NodeNotFoundException(
                $"Node '{node.Name}' ({node.Uuid}) came with its BMC password hidden, and the inventory opened to read it has no such node. " +
                "Name the node's inventory (-Store), or give the credential yourself (-Credential).");
        return FromNode(stored);
    }

    /// <summary>A BMC address as operators write it: a URL, or host[:port] alone, which means https.</summary>
    public static bool TryParseBmcAddress(string? text, [NotNullWhen(true)] out Uri? address)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (!text.Contains("://", StringComparison.Ordinal)) text = "https://" + text;
        return Uri.TryCreate(text, UriKind.Absolute, out address) && address.Scheme is "http" or "https" && address.Host.Length > 0;
    }

    /// <summary>The CA bundle named by redfish_verify_ca, when it names a file.</summary>
    public static string? CaBundleOf(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.DriverInfo.TryGetValue(DriverInfoKeys.RedfishVerifyCa, out var v) && v.Trim() is { Length: > 0 } path
            && !path.Equals("true", StringComparison.OrdinalIgnoreCase) && !path.Equals("false", StringComparison.OrdinalIgnoreCase)
            ? path
            : null;
    }

    /// <summary>Hides the password when a target is printed or logged.</summary>
    public override string ToString() => $"{BmcAddress}{(SystemId is null ? "" : $" system {SystemId}")}{(Username is null ? "" : $" as {Username}")}";
}

/// <summary>A system's power state as the BMC reports it (the output of Get-BmcPowerState).</summary>
public sealed record BmcPowerStatus(Uri Bmc, string System, string? PowerState);

/// <summary>A system's boot source override as the BMC reports it (the output of Set-BmcBootDevice -PassThru).</summary>
public sealed record BmcBootOverride(Uri Bmc, string System, string? Target, string? Enabled, string? Mode);
