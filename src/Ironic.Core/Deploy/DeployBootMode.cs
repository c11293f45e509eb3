using System.Text.Json;
using Ironic.Core.Hardware;
using Ironic.Core.Inventory;

namespace Ironic.Core.Deploy;

/// <summary>
/// The boot mode a deploy sets with its one-time boot, read as Ironic reads it from instance_info:
/// <c>deploy_boot_mode</c>, else <c>boot_mode</c> in <c>capabilities</c> (a JSON object), each
/// <c>uefi</c> or <c>bios</c>. Without either the deploy leaves the machine's mode as it is: the
/// user's ISO boots both ways, and a BMC that cannot set the mode is not asked to (unlike Ironic,
/// no <c>[deploy]default_boot_mode</c> is forced on every node).
/// </summary>
public static class DeployBootMode
{
    public const string Key = "deploy_boot_mode";
    public const string CapabilitiesKey = "capabilities";

    /// <summary>The node's boot mode, or null to leave it; a value that is no boot mode fails with what to write instead.</summary>
    public static BootMode? Of(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.InstanceInfo.TryGetValue(Key, out var text) && !string.IsNullOrWhiteSpace(text))
        {
            return Parse(text) ?? throw Invalid(node, $"instance_info/{Key} '{text}'");
        }
        if (node.InstanceInfo.TryGetValue(CapabilitiesKey, out var capabilities) && !string.IsNullOrWhiteSpace(capabilities))
        {
            string? fromCapabilities;
            try
            {
                using var document = JsonDocument.Parse(capabilities);
                fromCapabilities = document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("boot_mode", out var mode) && mode.ValueKind == JsonValueKind.String
                    ? mode.GetString()
                    : null;
            }
            catch (JsonException)
            {
                throw new DeployException(DeployFailure.InvalidInstanceInfo,
                    $"Node {node.Name} has instance_info/{CapabilitiesKey} '{capabilities}', which is not a JSON object; write it as {{\"boot_mode\": \"uefi\"}}, or set instance_info/{Key} instead.");
            }
            if (fromCapabilities is not null) return Parse(fromCapabilities) ?? throw Invalid(node, $"boot_mode '{fromCapabilities}' in instance_info/{CapabilitiesKey}");
        }
        return null;
    }

    /// <summary>What the node asks for, to show: uefi, bios, null for nothing; a value that is no mode shows as written (the deploy refuses it).</summary>
    public static string? Describe(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        try
        {
            return Of(node) is { } mode ? Format(mode) : null;
        }
        catch (DeployException)
        {
            return node.InstanceInfo.GetValueOrDefault(Key) is { Length: > 0 } text ? text : node.InstanceInfo.GetValueOrDefault(CapabilitiesKey);
        }
    }

    /// <summary>uefi, or bios (legacy, Redfish's name, also reads); any case. Null for anything else.</summary>
    public static BootMode? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "uefi" => BootMode.Uefi,
            "bios" or "legacy" => BootMode.Legacy,
            _ => null,
        };
    }

    /// <summary>The instance_info value for a mode: Ironic's words.</summary>
    public static string Format(BootMode mode) => mode == BootMode.Uefi ? "uefi" : "bios";

    private static DeployException Invalid(Node node, string what) =>
        new(DeployFailure.InvalidInstanceInfo, $"Node {node.Name} has {what}, which is no boot mode: use uefi or bios, or remove it to leave the machine's boot mode as it is.");
}
