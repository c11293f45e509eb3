using System.CommandLine;
using Ironic.Core;
using Ironic.Core.Inventory;

namespace Ironic.Cli.Commands;

/// <summary><c>ironic node create|list|show|set|delete</c>: the inventory's nodes.</summary>
internal static class NodeCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("node", "Enroll, list, show, change and delete bare-metal nodes.");
        command.Subcommands.Add(CreateCommand(context));
        command.Subcommands.Add(ListCommand(context));
        command.Subcommands.Add(ShowCommand(context));
        command.Subcommands.Add(SetCommand(context));
        command.Subcommands.Add(DeleteCommand(context));
        return command;
    }

    private static Command CreateCommand(CliContext context)
    {
        var name = new Option<string>("--name") { Description = "The node's name (letters, digits, - . _ ~).", Required = true };
        var driver = new Option<string>("--driver") { Description = "Hardware type: redfish or fake.", DefaultValueFactory = _ => NodeRequestRules.Fake };
        var bmc = new Option<string?>("--bmc") { Description = "The BMC's address, e.g. https://10.0.0.5 (redfish_address)." };
        var system = new Option<string?>("--system") { Description = "The Redfish System path, e.g. /redfish/v1/Systems/1 (redfish_system_id)." };
        var username = new Option<string?>("--username") { Description = "The BMC user (redfish_username)." };
        var passwordFile = new Option<string?>("--password-file") { Description = $"A file holding the BMC password (default: ${InventoryCommandSupport.PasswordEnvironmentVariable})." };
        var mac = new Option<string[]>("--mac") { Description = "A MAC address of the node's NIC; repeat for several.", AllowMultipleArgumentsPerToken = false };
        var group = new Option<string?>("--conductor-group") { Description = "The conductor group whose servers own the node (default: none)." };
        var bootInterface = new Option<string?>("--boot-interface") { Description = "Boot interface (default: redfish-virtual-media for redfish, fake for fake)." };
        var deployInterface = new Option<string?>("--deploy-interface") { Description = "Deploy interface (default: ramdisk)." };
        var driverInfo = new Option<string[]>("--driver-info") { Description = "Extra driver_info KEY=VALUE; repeat for several." };
        var instanceInfo = new Option<string[]>("--instance-info") { Description = "instance_info KEY=VALUE (boot_iso, kernel, ramdisk …); repeat for several." };
        var store = CliContext.StoreOption();
        var json = CliContext.JsonOption();
        var command = new Command("create", "Enroll a node, with a port for each --mac.")
        {
            name, driver, bmc, system, username, passwordFile, mac, group, bootInterface, deployInterface, driverInfo, instanceInfo, store, json,
        };
        command.SetAction((result, cancellationToken) => InventoryCommandSupport.RunAsync(context, async () =>
        {
            var request = new NewNodeRequest
            {
                Name = result.GetValue(name)!,
                Driver = result.GetValue(driver)!,
                BmcAddress = result.GetValue(bmc),
                SystemId = result.GetValue(system),
                Username = result.GetValue(username),
                Password = await InventoryCommandSupport.ReadPasswordAsync(result.GetValue(passwordFile), cancellationToken).ConfigureAwait(false),
                MacAddresses = result.GetValue(mac) ?? [],
                ConductorGroup = result.GetValue(group) ?? "",
                BootInterface = result.GetValue(bootInterface),
                DeployInterface = result.GetValue(deployInterface),
                DriverInfo = InventoryCommandSupport.ParsePairs(result.GetValue(driverInfo)),
                InstanceInfo = InventoryCommandSupport.ParsePairs(result.GetValue(instanceInfo)),
            };
            var inventory = await InventoryCommandSupport.OpenStoreAsync(result, store, cancellationToken).ConfigureAwait(false);
            await using (inventory.ConfigureAwait(false))
            {
                var node = await NodeRegistration.CreateAsync(inventory, request, cancellationToken).ConfigureAwait(false);
                var ports = await inventory.ListPortsAsync(node.Uuid, cancellationToken).ConfigureAwait(false);
                if (result.GetValue(json)) context.WriteJson(node.Redacted(), IronicJsonContext.Default.Node);
                else InventoryCommandSupport.WriteNodeProperties(context, node, ports);
            }
            return 0;
        }));
        return command;
    }

    private static Command ListCommand(CliContext context)
    {
        var store = CliContext.StoreOption();
        var json = CliContext.JsonOption();
        var command = new Command("list", "List the nodes with their state, BMC and MACs.") { store, json };
        command.SetAction((result, cancellationToken) => InventoryCommandSupport.RunAsync(context, async () =>
        {
            var inventory = await InventoryCommandSupport.OpenStoreAsync(result, store, cancellationToken).ConfigureAwait(false);
            await using (inventory.ConfigureAwait(false))
            {
                var nodes = await inventory.ListNodesAsync(cancellationToken).ConfigureAwait(false);
                if (result.GetValue(json))
                {
                    context.WriteJson<IReadOnlyList<Node>>([.. nodes.Select(n => n.Redacted())], IronicJsonContext.Default.IReadOnlyListNode);
                }
                else
                {
                    var ports = await inventory.ListPortsAsync(null, cancellationToken).ConfigureAwait(false);
                    InventoryCommandSupport.WriteNodeTable(context, nodes, ports);
                }
            }
            return 0;
        }));
        return command;
    }

    private static Command ShowCommand(CliContext context)
    {
        var node = new Argument<string>("node") { Description = "The node's name or UUID." };
        var store = CliContext.StoreOption();
        var json = CliContext.JsonOption();
        var command = new Command("show", "Show every field of a node (passwords redacted).") { node, store, json };
        command.SetAction((result, cancellationToken) => InventoryCommandSupport.RunAsync(context, async () =>
        {
            var inventory = await InventoryCommandSupport.OpenStoreAsync(result, store, cancellationToken).ConfigureAwait(false);
            await using (inventory.ConfigureAwait(false))
            {
                var found = await NodeRegistration.GetAsync(inventory, result.GetValue(node)!, cancellationToken).ConfigureAwait(false);
                if (result.GetValue(json))
                {
                    context.WriteJson(found.Redacted(), IronicJsonContext.Default.Node);
                }
                else
                {
                    var ports = await inventory.ListPortsAsync(found.Uuid, cancellationToken).ConfigureAwait(false);
                    InventoryCommandSupport.WriteNodeProperties(context, found, ports);
                }
            }
            return 0;
        }));
        return command;
    }

    private static Command SetCommand(CliContext context)
    {
        var node = new Argument<string>("node") { Description = "The node's name or UUID." };
        var name = new Option<string?>("--name") { Description = "A new name." };
        var driver = new Option<string?>("--driver") { Description = "A new hardware type: redfish or fake." };
        var bmc = new Option<string?>("--bmc") { Description = "A new BMC address (redfish_address)." };
        var system = new Option<string?>("--system") { Description = "A new Redfish System path (redfish_system_id)." };
        var username = new Option<string?>("--username") { Description = "A new BMC user (redfish_username)." };
        var passwordFile = new Option<string?>("--password-file") { Description = "A file holding a new BMC password." };
        var driverInfo = new Option<string[]>("--driver-info") { Description = "Set driver_info KEY=VALUE; repeat for several." };
        var unsetDriverInfo = new Option<string[]>("--unset-driver-info") { Description = "Remove a driver_info KEY; repeat for several." };
        var instanceInfo = new Option<string[]>("--instance-info") { Description = "Set instance_info KEY=VALUE; repeat for several." };
        var unsetInstanceInfo = new Option<string[]>("--unset-instance-info") { Description = "Remove an instance_info KEY; repeat for several." };
        var provisionState = new Option<string?>("--provision-state") { Description = "Force the provision state (e.g. available, \"wait call-back\", active)." };
        var targetProvisionState = new Option<string?>("--target-provision-state") { Description = "Set the target provision state." };
        var powerState = new Option<string?>("--power-state") { Description = "Record the power state (\"power on\", \"power off\", unknown)." };
        var group = new Option<string?>("--conductor-group") { Description = "Move the node to another conductor group (\"\" for none)." };
        var bootInterface = new Option<string?>("--boot-interface") { Description = "A new boot interface." };
        var deployInterface = new Option<string?>("--deploy-interface") { Description = "A new deploy interface." };
        var clearLastError = new Option<bool>("--clear-last-error") { Description = "Clear last_error." };
        var store = CliContext.StoreOption();
        var json = CliContext.JsonOption();
        var command = new Command("set", "Change a node's fields, driver_info or instance_info while holding its reservation.")
        {
            node, name, driver, bmc, system, username, passwordFile, driverInfo, unsetDriverInfo, instanceInfo, unsetInstanceInfo,
            provisionState, targetProvisionState, powerState, group, bootInterface, deployInterface, clearLastError, store, json,
        };
        command.SetAction((result, cancellationToken) => InventoryCommandSupport.RunAsync(context, async () =>
        {
            var file = result.GetValue(passwordFile);
            var changes = new NodeChanges
            {
                Name = result.GetValue(name),
                Driver = result.GetValue(driver),
                BmcAddress = result.GetValue(bmc),
                SystemId = result.GetValue(system),
                Username = result.GetValue(username),
                // Only an explicit file changes the password here; the environment is for create.
                Password = file is null ? null : await InventoryCommandSupport.ReadPasswordAsync(file, cancellationToken).ConfigureAwait(false),
                SetDriverInfo = InventoryCommandSupport.ParsePairs(result.GetValue(driverInfo)),
                UnsetDriverInfo = result.GetValue(unsetDriverInfo) ?? [],
                SetInstanceInfo = InventoryCommandSupport.ParsePairs(result.GetValue(instanceInfo)),
                UnsetInstanceInfo = result.GetValue(unsetInstanceInfo) ?? [],
                ProvisionState = result.GetValue(provisionState),
                TargetProvisionState = result.GetValue(targetProvisionState),
                PowerState = result.GetValue(powerState),
                ConductorGroup = result.GetValue(group),
                BootInterface = result.GetValue(bootInterface),
                DeployInterface = result.GetValue(deployInterface),
                ClearLastError = result.GetValue(clearLastError),
            };
            if (changes.IsEmpty)
            {
                throw new ArgumentException("Nothing to change: give at least one of --name, --bmc, --instance-info, --provision-state … (see 'ironic node set --help').");
            }
            var inventory = await InventoryCommandSupport.OpenStoreAsync(result, store, cancellationToken).ConfigureAwait(false);
            await using (inventory.ConfigureAwait(false))
            {
                var updated = await NodeRegistration.UpdateAsync(inventory, result.GetValue(node)!, changes, cancellationToken).ConfigureAwait(false);
                if (result.GetValue(json))
                {
                    context.WriteJson(updated.Redacted(), IronicJsonContext.Default.Node);
                }
                else
                {
                    var ports = await inventory.ListPortsAsync(updated.Uuid, cancellationToken).ConfigureAwait(false);
                    InventoryCommandSupport.WriteNodeProperties(context, updated, ports);
                }
            }
            return 0;
        }));
        return command;
    }

    private static Command DeleteCommand(CliContext context)
    {
        var node = new Argument<string>("node") { Description = "The node's name or UUID." };
        var store = CliContext.StoreOption();
        var json = CliContext.JsonOption();
        var command = new Command("delete", "Delete a node with its ports and artifacts (refused while a conductor holds it).") { node, store, json };
        command.SetAction((result, cancellationToken) => InventoryCommandSupport.RunAsync(context, async () =>
        {
            var inventory = await InventoryCommandSupport.OpenStoreAsync(result, store, cancellationToken).ConfigureAwait(false);
            await using (inventory.ConfigureAwait(false))
            {
                var deleted = await NodeRegistration.DeleteAsync(inventory, result.GetValue(node)!, cancellationToken).ConfigureAwait(false);
                if (result.GetValue(json)) context.WriteJson(deleted.Redacted(), IronicJsonContext.Default.Node);
                else context.Output.WriteLine($"Deleted node '{deleted.Name}' ({deleted.Uuid:D}).");
            }
            return 0;
        }));
        return command;
    }
}
