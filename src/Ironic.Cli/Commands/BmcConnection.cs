using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ironic.Core.Redfish;

namespace Ironic.Cli.Commands;

/// <summary>
/// The flags every BMC command shares (--bmc, --system, --username, --password-file,
/// --insecure, --ca-bundle, --timeout, --verbose, --json) and how they become a
/// <see cref="RedfishHardware"/>. The password comes from a file or $IRONIC_BMC_PASSWORD, never argv.
/// </summary>
internal sealed class BmcConnection
{
    public const string PasswordVariable = "IRONIC_BMC_PASSWORD";
    public const string UsernameVariable = "IRONIC_BMC_USERNAME";

    public Option<string> Bmc { get; } = new("--bmc") { Description = "The BMC's address, e.g. https://10.0.0.10.", Required = true };
    public Option<string?> System { get; } = new("--system") { Description = "The system: a path (/redfish/v1/Systems/1) or an id; default: the BMC's only system." };
    public Option<string?> Username { get; } = new("--username") { Description = $"The BMC user (default: ${UsernameVariable})." };
    public Option<FileInfo?> PasswordFile { get; } = new("--password-file") { Description = $"A file whose first line is the BMC password (default: ${PasswordVariable})." };
    public Option<bool> Insecure { get; } = new("--insecure") { Description = "Do not verify the BMC's TLS certificate." };
    public Option<FileInfo?> CaBundle { get; } = new("--ca-bundle") { Description = "A PEM file of CA certificates to trust for the BMC." };
    public Option<int> Timeout { get; } = new("--timeout") { Description = "Seconds to wait for power changes and media insertion.", DefaultValueFactory = _ => 300 };
    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Print each Redfish request (method, path, status) to stderr." };
    public Option<bool> Json { get; } = CliContext.JsonOption();

    public void AddTo(Command command)
    {
        command.Add(Bmc);
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
                await using var hardware = Open(result, context, forceOffAfterGracefulTimeout?.Invoke(result) ?? false);
                await action(result, hardware, cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return context.Fail(e);
            }
        });
    }

    public RedfishHardware Open(ParseResult result, CliContext context, bool forceOffAfterGracefulTimeout = false)
    {
        var address = result.GetValue(Bmc)!;
        if (!address.Contains("://", StringComparison.Ordinal)) address = "https://" + address;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var bmc))
        {
            throw new ArgumentException($"--bmc '{result.GetValue(Bmc)}' is not a URL; give it as https://host[:port].");
        }
        var username = result.GetValue(Username) ?? Environment.GetEnvironmentVariable(UsernameVariable);
        var password = ReadPassword(result.GetValue(PasswordFile));
        if (password is not null && username is null)
        {
            throw new ArgumentException($"A BMC password was given but no user: pass --username or set ${UsernameVariable}.");
        }
        var timeout = TimeSpan.FromSeconds(Math.Max(1, result.GetValue(Timeout)));
        var verbose = result.GetValue(Verbose);
        var options = new RedfishClientOptions(bmc)
        {
            Username = username,
            Password = password,
            VerifyTls = !result.GetValue(Insecure),
            CaBundlePath = result.GetValue(CaBundle)?.FullName,
            Log = verbose ? line => context.Error.WriteLine($"ironic: {line}") : null,
        };
        return new RedfishHardware(options, result.GetValue(System))
        {
            PowerOptions = new RedfishPowerOptions { Timeout = timeout, ForceOffAfterGracefulTimeout = forceOffAfterGracefulTimeout },
            InsertOptions = new VirtualMediaInsertOptions { VerifyTimeout = timeout < TimeSpan.FromSeconds(60) ? timeout : TimeSpan.FromSeconds(60) },
        };
    }

    private static string? ReadPassword(FileInfo? file)
    {
        if (file is null) return Environment.GetEnvironmentVariable(PasswordVariable);
        if (!file.Exists) throw new FileNotFoundException($"The password file '{file.FullName}' does not exist.", file.FullName);
        using var reader = file.OpenText();
        return reader.ReadLine() ?? "";
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
