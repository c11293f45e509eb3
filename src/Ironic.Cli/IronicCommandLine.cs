using System.CommandLine;
using Ironic.Cli.Commands;
using Ironic.Core;

namespace Ironic.Cli;

/// <summary>
/// The `ironic` command tree. Each noun lives in its own file under Commands/ and is added
/// here with one line; the nouns, verbs and flags are a contract (../shared/DESIGN.md).
/// </summary>
public static class IronicCommandLine
{
    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand($"ironic {IronicInfo.Version}: boot bare-metal servers from boot ISOs, Redfish virtual media and iPXE.");
        root.Subcommands.Add(ServeCommand.Create(context));
        root.Subcommands.Add(BootConfigCommand.Create(context));
        root.Subcommands.Add(ConductorCommand.Create(context));
        root.Subcommands.Add(DeployCommand.Create(context));
        root.Subcommands.Add(NodeCommand.Create(context));
        root.Subcommands.Add(PortCommand.Create(context));
        root.Subcommands.Add(VmediaCommand.Create(context));
        root.Subcommands.Add(PowerCommand.Create(context));
        root.Subcommands.Add(BootDeviceCommand.Create(context));
        root.Subcommands.Add(IsoCommand.Create(context));
        return root;
    }

    /// <summary>Runs one command line; returns the exit code (0 ok, 1 failure, 2 usage).</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(output, error);
        var root = Build(context);
        var config = new InvocationConfiguration { Output = output, Error = error };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Usage errors exit 2 (as getopt tools do), so scripts can tell them from failed work.
            foreach (var e in parsed.Errors) await error.WriteLineAsync($"ironic: {e.Message}").ConfigureAwait(false);
            await error.WriteLineAsync("Run 'ironic --help' (or 'ironic <command> --help') for usage.").ConfigureAwait(false);
            return 2;
        }
        try
        {
            return await parsed.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
    }
}
