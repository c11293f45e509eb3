using System.CommandLine;
using System.Globalization;
using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.Cli.Commands;

/// <summary><c>ironic conductor list</c>: the conductors in the inventory and the nodes each owns on the hash ring.</summary>
internal static class ConductorCommand
{
    public static Command Create(CliContext context)
    {
        var config = new Option<string?>("--config") { Description = "An ironic.conf-style file ([conductor]heartbeat_timeout, [DEFAULT]hash_partition_exponent, [database]connection)." };
        var timeout = new Option<double?>("--heartbeat-timeout") { Description = "Seconds after which a conductor counts as dead (default: [conductor]heartbeat_timeout, else 60)." };
        var exponent = new Option<int?>("--hash-partition-exponent") { Description = $"2^N points per conductor on the ring, as the servers use (default: [DEFAULT]hash_partition_exponent, else {HashRing.DefaultPartitionExponent})." };
        var store = CliContext.StoreOption();
        var json = CliContext.JsonOption();
        var list = new Command("list", "List the conductors, whether they are alive, and which nodes the ring gives each.") { store, config, timeout, exponent, json };
        list.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var options = ServeCommand.ResolveOptions(result.GetValue(config), null, result.GetValue(store), null);
                var heartbeatTimeout = result.GetValue(timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : options.HeartbeatTimeout;
                var partitionExponent = result.GetValue(exponent) ?? options.HashPartitionExponent;
                if (partitionExponent is < 0 or > HashRing.MaxPartitionExponent)
                {
                    context.Error.WriteLine($"ironic: --hash-partition-exponent {partitionExponent} is out of range: give 0 to {HashRing.MaxPartitionExponent}, the value of the servers' [DEFAULT]hash_partition_exponent.");
                    return 2;
                }
                await using var inventory = InventoryStores.Open(options.Store);
                await inventory.MigrateAsync(cancellationToken).ConfigureAwait(false);
                var rows = await ConductorOwnership.ListAsync(inventory, heartbeatTimeout, cancellationToken, partitionExponent).ConfigureAwait(false);
                if (result.GetValue(json))
                {
                    context.WriteJson(rows.ToList(), CliJsonContext.Default.ListConductorOwnership);
                    return 0;
                }
                context.WriteTable(
                    ["NAME", "URL", "GROUP", "ALIVE", "HEARTBEAT", "NODES", "OWNS"],
                    rows.Select(r => (IReadOnlyList<string?>)[
                        r.Name, r.InternalUrl.ToString(), r.ConductorGroup, r.Alive ? "yes" : "no",
                        r.HeartbeatAt.ToString("u", CultureInfo.InvariantCulture),
                        r.NodeCount.ToString(CultureInfo.InvariantCulture),
                        Summarize(r.Nodes)]));
                return 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return context.Fail(e);
            }
        });
        return new Command("conductor", "The boot servers (conductors) sharing this inventory.") { list };
    }

    private static string Summarize(IReadOnlyList<string> nodes) =>
        nodes.Count <= 5 ? string.Join(",", nodes) : string.Join(",", nodes.Take(5)) + string.Create(CultureInfo.InvariantCulture, $",… (+{nodes.Count - 5})");
}
