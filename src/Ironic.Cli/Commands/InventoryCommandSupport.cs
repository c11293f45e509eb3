using System.CommandLine;
using System.Globalization;
using Ironic.Core.Inventory;

namespace Ironic.Cli.Commands;

/// <summary>What the node and port commands share: opening the store, reading secrets, printing nodes.</summary>
internal static class InventoryCommandSupport
{
    /// <summary>Read when --password-file is not given: the BMC password from the environment, never from argv.</summary>
    public const string PasswordEnvironmentVariable = "IRONIC_BMC_PASSWORD";

    public static Task<IInventoryStore> OpenStoreAsync(ParseResult result, Option<string?> store, CancellationToken cancellationToken) =>
        InventoryStores.OpenAsync(CliContext.ResolveStore(result, store), cancellationToken);

    /// <summary>Runs a command body: any failure becomes "ironic: message" and exit 1, never a stack trace.</summary>
    public static async Task<int> RunAsync(CliContext context, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return context.Fail(e);
        }
    }

    /// <summary>The password from --password-file (its first line), else $IRONIC_BMC_PASSWORD, else null.</summary>
    public static async Task<string?> ReadPasswordAsync(string? passwordFile, CancellationToken cancellationToken)
    {
        if (passwordFile is not null)
        {
            if (!File.Exists(passwordFile))
            {
                throw new FileNotFoundException($"The password file '{passwordFile}' does not exist. Write the BMC password into a file readable only by you and pass its path.", passwordFile);
            }
            var text = await File.ReadAllTextAsync(passwordFile, cancellationToken).ConfigureAwait(false);
            var end = text.IndexOf('\n', StringComparison.Ordinal);
            return (end < 0 ? text : text[..end]).TrimEnd('\r');
        }
        return Environment.GetEnvironmentVariable(PasswordEnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
    }

    public static Dictionary<string, string> ParsePairs(IEnumerable<string>? pairs) =>
        (pairs ?? []).Select(NodeRequestRules.ParseKeyValue).GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);

    public static void WriteNodeTable(CliContext context, IReadOnlyList<Node> nodes, IReadOnlyList<Port> ports)
    {
        var macs = ports.GroupBy(p => p.NodeUuid).ToDictionary(g => g.Key, g => string.Join(",", g.Select(p => p.Address)));
        context.WriteTable(
            ["Name", "UUID", "Driver", "Provision State", "Power State", "Group", "Reservation", "BMC", "MACs"],
            nodes.Select(n => (IReadOnlyList<string?>)
            [
                n.Name, n.Uuid.ToString("D"), n.Driver, n.ProvisionState, n.PowerState, n.ConductorGroup, n.Reservation, n.BmcAddress,
                macs.GetValueOrDefault(n.Uuid),
            ]));
    }

    /// <summary>Every field of one node, secrets redacted.</summary>
    public static void WriteNodeProperties(CliContext context, Node node, IReadOnlyList<Port> ports)
    {
        var shown = node.Redacted();
        var properties = new List<(string, string?)>
        {
            ("name", shown.Name),
            ("uuid", shown.Uuid.ToString("D")),
            ("driver", shown.Driver),
            ("provision_state", shown.ProvisionState),
            ("target_provision_state", shown.TargetProvisionState),
            ("power_state", shown.PowerState),
            ("boot_interface", shown.BootInterface),
            ("deploy_interface", shown.DeployInterface),
            ("conductor_group", shown.ConductorGroup),
            ("reservation", shown.Reservation),
            ("last_error", shown.LastError),
            ("ports", string.Join(", ", ports.Select(p => p.Address))),
            ("created_at", shown.CreatedAt.ToString("u", CultureInfo.InvariantCulture)),
            ("updated_at", shown.UpdatedAt.ToString("u", CultureInfo.InvariantCulture)),
        };
        properties.AddRange(shown.DriverInfo.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => ($"driver_info.{p.Key}", (string?)p.Value)));
        properties.AddRange(shown.InstanceInfo.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => ($"instance_info.{p.Key}", (string?)p.Value)));
        context.WriteProperties(properties);
    }
}
