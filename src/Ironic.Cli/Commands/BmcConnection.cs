using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ironic.Core.Inventory;
using Ironic.Core.Redfish;

namespace Ironic.Cli.Commands;

/// <summary>
/// The flags every BMC command shares (--bmc, --system, --username, --password-file,
/// --insecure, --ca-bundle, --timeout, --verbose, --json) and how they become a
/// <see cref="RedfishHardware"/>. The password comes from a file or $IRONIC_BMC_PASSWORD, never argv.
/// </summary>
internal sealed class BmcConnection
{
    public const string UsernameVariable = "IRONIC_BMC_USERNAME";

    public Option<string?> Bmc { get; } = new("--bmc") { Description = "The BMC's address, e.g. https://10.0.0.10 (or give --node)." };
    public Option<string?> Node { get; } = new("--node") { Description = "A node of the inventory (name or UUID): its driver_info gives the BMC, system and credentials." };
    public Option<string?> Store { get; } = CliContext.StoreOption();
    public Option<string?> System { get; } = new("--system") { Description = "The system: a path (/redfish/v1/Systems/1) or an id; default: the BMC's only system." };
    public Option<string?> Username { get; } = new("--username") { Description = $"The BMC user (default: ${UsernameVariable})." };
    public Option<FileInfo?> PasswordFile { get; } = new("--password-file") { Description = $"A file whose first line is the BMC password (default: ${InventoryCommandSupport.PasswordEnvironmentVariable})." };
    public Option<bool> Insecure { get; } = new("--insecure") { Description = "Do not verify the BMC's TLS certificate." };
    public Option<FileInfo?> CaBundle { get; } = new("--ca-bundle") { Description = "A PEM file of CA certificates to trust for the BMC." };
    public Option<int> Timeout { get; } = new("--timeout") { Description = "Seconds to wait for power changes and media insertion.", DefaultValueFactory = _ => 300 };
    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Print each Redfish request (method, path, status) to stderr." };
    public Option<bool> Json { get; } = CliContext.JsonOption();

    public void AddTo(Command command)
    {
        command.Add(Bmc);
        command.Add(Node);
        command.Add(Store);
        command.Add(System);
        command.Add(Username);
        command.Add(PasswordFile);
        command.Add(Insecure);
        command.Add(CaBundle);
        command.Add(Timeout);
        command.Add(Verbose);
        command.Add(Json);
    }

    /// <summary>
    /// Adds these options to <paramref name="command"/> and runs <paramref name="action"/> against the
    /// opened BMC; any failure becomes the CLI's one-line error and exit code.
    /// </summary>
    public void SetAction(Command command, CliContext context, Func<ParseResult, RedfishHardware, CancellationToken, Task> action,
        Func<ParseResult, bool>? forceOffAfterGracefulTimeout = null)
    {
        AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                await using var hardware = await OpenAsync(result, context, forceOffAfterGracefulTimeout?.Invoke(result) ?? false, cancellationToken).ConfigureAwait(false);
                await action(result, hardware, cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return context.Fail(e);
            }
        });
    }

    /// <summary>The BMC of --bmc (credentials from --username/--password-file or the environment), or of --node (from the inventory).</summary>
    public async Task<RedfishHardware> OpenAsync(ParseResult result, CliContext context, bool forceOffAfterGracefulTimeout, CancellationToken cancellationToken)
    {
        var (bmcText, nodeName) = (result.GetValue(Bmc), result.GetValue(Node));
        if ((bmcText is null) == (nodeName is null))
        {
            throw new ArgumentException(bmcText is null
                ? "Say which BMC: --bmc https://host[:port] (with --username and --password-file), or --node NAME of the inventory."
                : "Give --bmc or --node, not both: a node names its own BMC.");
        }
        var credentialsGiven = result.GetValue(Username) is not null || result.GetValue(PasswordFile) is not null;
        var username = result.GetValue(Username) ?? Environment.GetEnvironmentVariable(UsernameVariable);
        var password = await InventoryCommandSupport.ReadPasswordAsync(result.GetValue(PasswordFile)?.FullName, cancellationToken).ConfigureAwait(false);
        RedfishNodeTarget target;
        if (nodeName is not null)
        {
            await using var inventory = await InventoryCommandSupport.OpenStoreAsync(result, Store, cancellationToken).ConfigureAwait(false);
            var node = await inventory.GetNodeAsync(nodeName, cancellationToken).ConfigureAwait(false)
                ?? throw NodeNotFoundException.ForNode(nodeName);
            target = RedfishNodeTarget.FromNode(node);
        }
        else if (RedfishNodeTarget.TryParseBmcAddress(bmcText, out var bmc))
        {
            target = new RedfishNodeTarget(bmc, null, null, null, VerifyTls: true);
            credentialsGiven = true;
        }
        else
        {
            throw new ArgumentException($"--bmc '{bmcText}' is not a URL; give it as https://host[:port].");
        }
        // A node's own credentials, unless the command line gives others.
        target = target.WithOverrides(result.GetValue(System), credentialsGiven, username, password, result.GetValue(Insecure), result.GetValue(CaBundle)?.FullName);
        if (target.Password is not null && target.Username is null)
        {
            throw new ArgumentException($"A BMC password was given but no user: pass --username or set ${UsernameVariable}.");
        }
        var verbose = result.GetValue(Verbose);
        return target.OpenForCommand(TimeSpan.FromSeconds(Math.Max(1, result.GetValue(Timeout))), forceOffAfterGracefulTimeout,
            verbose ? line => context.Error.WriteLine($"ironic: {line}") : null);
    }

    /// <summary>Prints slots as a table, or JSON with --json.</summary>
    public void WriteSlots(ParseResult result, CliContext context, IEnumerable<VirtualMediaSlot> slots)
    {
        var list = slots.ToList();
        if (result.GetValue(Json))
        {
            var array = new JsonArray(list.Select(s => (JsonNode)new JsonObject
            {
                ["id"] = s.Id,
                ["path"] = s.Path,
                ["media_types"] = new JsonArray(s.MediaTypes.Select(t => (JsonNode?)t).ToArray()),
                ["image"] = s.Image,
                ["inserted"] = s.Inserted,
                ["write_protected"] = s.WriteProtected,
                ["health"] = s.Health,
            }).ToArray());
            context.Output.WriteLine(array.ToJsonString(new global::System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            return;
        }
        context.WriteTable(
            ["ID", "MEDIA", "INSERTED", "IMAGE", "PATH"],
            list.Select(s => (IReadOnlyList<string?>)[s.Id, string.Join(",", s.MediaTypes), s.Inserted?.ToString(CultureInfo.InvariantCulture) ?? "-", s.Image ?? "", s.Path]));
    }

    /// <summary>Prints one state line, or JSON with --json.</summary>
    public void WriteState(ParseResult result, CliContext context, string system, string key, string? value)
    {
        if (result.GetValue(Json))
        {
            context.Output.WriteLine(new JsonObject { ["system"] = system, [key] = value }.ToJsonString());
            return;
        }
        context.WriteProperties([("System", system), (key switch { "power_state" => "PowerState", "boot_target" => "BootSourceOverrideTarget", _ => key }, value)]);
    }
}
