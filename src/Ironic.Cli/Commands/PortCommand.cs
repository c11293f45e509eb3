using System.CommandLine;
using Ironic.Core;
using Ironic.Core.Inventory;

namespace Ironic.Cli.Commands;

/// <summary><c>ironic port create|list|show|delete</c>: node NICs by MAC (any form; stored lower case with colons).</summary>
internal static class PortCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("port", "Add, list and remove the MAC addresses of nodes' NICs.");
        command.Subcommands.Add(CreateCommand(context));
        command.Subcommands.Add(ListCommand(context));
        command.Subcommands.Add(ShowCommand(context));
        command.Subcommands.Add(DeleteCommand(context));
        return command;
    }

    private static Command CreateCommand(CliContext context)
    {
        var node = new Option<string>("--node") { Description = "The node's name or UUID.", Required = true };
        var mac = new Option<string>("--mac") { Description = "The MAC address (52:54:00:12:34:56, 52-54-00-12-34-56 or 525400123456).", Required = true };
        var store = CliContext.StoreOption();
        var json = CliContext.JsonOption();
        var command = new Command("create", "Add a port (a MAC) to a node.") { node, mac, store, json };
        command.SetAction((result, cancellationToken) => InventoryCommandSupport.RunAsync(context, async () =>
        {
            var inventory = await InventoryCommandSupport.OpenStoreAsync(result, store, cancellationToken).ConfigureAwait(false);
            await using (inventory.ConfigureAwait(false))
            {
                var port = await NodeRegistration.AddPortAsync(inventory, result.GetValue(node)!, result.GetValue(mac)!, cancellationToken).ConfigureAwait(false);
                await WriteAsync(context, inventory, [port], result.GetValue(json), cancellationToken).ConfigureAwait(false);
            }
            return 0;
        }));
        return command;
    }

    private static Command ListCommand(CliContext context)
    {
        var node = new Option<string?>("--node") { Description = "Only this node's ports (name or UUID)." };
        var store = CliContext.StoreOption();
        var json = CliContext.JsonOption();
        var command = new Command("list", "List ports and the nodes they belong to.") { node, store, json };
        command.SetAction((result, cancellationToken) => InventoryCommandSupport.RunAsync(context, async () =>
        {
            var inventory = await InventoryCommandSupport.OpenStoreAsync(result, store, cancellationToken).ConfigureAwait(false);
            await using (inventory.ConfigureAwait(false))
            {
                Guid? only = result.GetValue(node) is { } n ? (await NodeRegistration.GetAsync(inventory, n, cancellationToken).ConfigureAwait(false)).Uuid : null;
                var ports = await inventory.ListPortsAsync(only, cancellationToken).ConfigureAwait(false);
                await WriteAsync(context, inventory, ports, result.GetValue(json), cancellationToken).ConfigureAwait(false);
            }
            return 0;
        }));
        return command;
    }

    private static Command ShowCommand(CliContext context)
    {
        var mac = new Argument<string>("mac") { Description = "The MAC address, in any form." };
        var store = CliContext.StoreOption();
        var json = CliContext.JsonOption();
        var command = new Command("show", "Show a port and its node.") { mac, store, json };
        command.SetAction((result, cancellationToken) => InventoryCommandSupport.RunAsync(context, async () =>
        {
            var inventory = await InventoryCommandSupport.OpenStoreAsync(result, store, cancellationToken).ConfigureAwait(false);
            await using (inventory.ConfigureAwait(false))
            {
                var port = await NodeRegistration.GetPortAsync(inventory, result.GetValue(mac)!, cancellationToken).ConfigureAwait(false);
                await WriteAsync(context, inventory, [port], result.GetValue(json), cancellationToken).ConfigureAwait(false);
            }
            return 0;
        }));
        return command;
    }

    private static Command DeleteCommand(CliContext context)
    {
        var mac = new Argument<string>("mac") { Description = "The MAC address, in any form." };
        var store = CliContext.StoreOption();
        var json = CliContext.JsonOption();
        var command = new Command("delete", "Remove a port.") { mac, store, json };
        command.SetAction((result, cancellationToken) => InventoryCommandSupport.RunAsync(context, async () =>
        {
            var address = MacAddress.Normalize(result.GetValue(mac)!);
            var inventory = await InventoryCommandSupport.OpenStoreAsync(result, store, cancellationToken).ConfigureAwait(false);
            await using (inventory.ConfigureAwait(false))
            {
                var port = await NodeRegistration.GetPortAsync(inventory, address, cancellationToken).ConfigureAwait(false);
                await inventory.DeletePortAsync(address, cancellationToken).ConfigureAwait(false);
                if (result.GetValue(json)) context.WriteJson<IReadOnlyList<Port>>([port], IronicJsonContext.Default.IReadOnlyListPort);
                else context.Output.WriteLine($"Deleted port {address}.");
            }
            return 0;
        }));
        return command;
    }

    private static async Task WriteAsync(CliContext context, IInventoryStore inventory, IReadOnlyList<Port> ports, bool json, CancellationToken cancellationToken)
    {
        if (json)
        {
            context.WriteJson(ports, IronicJsonContext.Default.IReadOnlyListPort);
            return;
        }
        var names = (await inventory.ListNodesAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(n => n.Uuid, n => n.Name);
        context.WriteTable(["Address", "Node", "Node UUID", "UUID"],
            ports.Select(p => (IReadOnlyList<string?>)[p.Address, names.GetValueOrDefault(p.NodeUuid), p.NodeUuid.ToString("D"), p.Uuid.ToString("D")]));
    }
}
