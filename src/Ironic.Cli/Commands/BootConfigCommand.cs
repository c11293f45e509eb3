using System.CommandLine;
using Ironic.Core.Boot;
using Ironic.Core.Inventory;
using Ironic.Server;

namespace Ironic.Cli.Commands;

/// <summary><c>ironic boot-config show --mac MAC [--name boot.ipxe]</c>: what a node with this MAC would get from the boot API, rendered locally.</summary>
internal static class BootConfigCommand
{
    public static Command Create(CliContext context)
    {
        var mac = new Option<string>("--mac") { Description = "The MAC of one of the node's ports, in any usual form.", Required = true };
        var name = new Option<string>("--name") { Description = "The configuration name.", DefaultValueFactory = _ => IpxeScripts.BootScriptName };
        var config = new Option<string?>("--config") { Description = "An ironic.conf-style file for [api]restrict_boot_config and [pxe] options (and [database]connection)." };
        var store = CliContext.StoreOption();
        var json = CliContext.JsonOption();
        var show = new Command("show", "Print the boot configuration a node with this MAC would get, or why it gets none.") { mac, name, store, config, json };
        show.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var options = ServeCommand.ResolveOptions(result.GetValue(config), null, result.GetValue(store), null);
                await using var inventory = InventoryStores.Open(options.Store);
                await inventory.MigrateAsync(cancellationToken).ConfigureAwait(false);
                var lookup = await new BootConfigService(inventory, options.BootConfig)
                    .ExplainAsync(result.GetValue(mac)!, result.GetValue(name)!, cancellationToken).ConfigureAwait(false);
                if (result.GetValue(json))
                {
                    context.WriteJson(new BootConfigReport(lookup.MacAddress, lookup.Name, lookup.Node?.Uuid, lookup.NodeName, lookup.ProvisionState, lookup.Found, lookup.Content, lookup.Reason),
                        CliJsonContext.Default.BootConfigReport);
                    return lookup.Found ? 0 : 1;
                }
                if (!lookup.Found) return context.Fail(new InvalidOperationException($"No boot configuration for {lookup.MacAddress}: {lookup.Reason}"));
                await context.Output.WriteAsync(lookup.Content).ConfigureAwait(false);
                return 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return context.Fail(e);
            }
        });
        return new Command("boot-config", "The boot configuration API as a node sees it.") { show };
    }
}

/// <summary>The JSON shape of `ironic boot-config show --json`.</summary>
internal sealed record BootConfigReport(string MacAddress, string Name, Guid? NodeUuid, string? NodeName, string? ProvisionState, bool Found, string? Content, string? Reason);
