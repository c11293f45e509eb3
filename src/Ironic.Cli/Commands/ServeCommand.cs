using System.CommandLine;
using Ironic.Server;

namespace Ironic.Cli.Commands;

/// <summary><c>ironic serve</c>: runs a boot server in the foreground until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var listen = new Option<string?>("--listen") { Description = $"Address and port to listen on (default: [api]host_ip:port of --config, else {BootServerOptions.DefaultListen})." };
        var name = new Option<string?>("--name") { Description = "This server's conductor name on the hash ring (default: [DEFAULT]host, else the host name)." };
        var config = new Option<string?>("--config") { Description = "An ironic.conf-style file: [api], [pxe], [conductor], [database] and [boot_server] options." };
        var exitOnStdinClose = new Option<bool>("--exit-on-stdin-close") { Description = "Stop when standard input closes (used by Start-IronicBootServer to supervise the server)." };
        var store = CliContext.StoreOption();
        var command = new Command("serve", "Run a boot server: the boot configuration API, image serving and the status page.") { listen, store, name, config, exitOnStdinClose };
        command.SetAction(async (result, cancellationToken) =>
        {
            BootServer server;
            try
            {
                var options = ResolveOptions(result.GetValue(config), result.GetValue(listen), result.GetValue(store), result.GetValue(name));
                server = BootServer.Create(options);
                await server.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return context.Fail(e);
            }
            await using (server.ConfigureAwait(false))
            {
                context.Output.WriteLine($"ironic boot server '{server.Options.Name}' listening on {server.Address} (store: {server.Options.Store})");
                await context.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, server.Stopping);
                if (result.GetValue(exitOnStdinClose)) _ = WatchStdinAsync(stop);
                try { await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { }
                await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
                context.Output.WriteLine("ironic boot server stopped");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Defaults, then the config file, then $IRONIC_BOOT_SHARED_SECRET, then the flags: flags win.</summary>
    internal static BootServerOptions ResolveOptions(string? configFile, string? listen, string? store, string? name)
    {
        var options = new BootServerOptions();
        if (!string.IsNullOrWhiteSpace(configFile)) options = IronicConfigFile.Load(configFile, options);
        options = IronicConfigFile.ApplyEnvironment(options);
        if (!string.IsNullOrWhiteSpace(listen)) options = options with { Listen = listen };
        if (!string.IsNullOrWhiteSpace(store) || string.IsNullOrWhiteSpace(configFile) || options.Store == Core.Inventory.StoreLocation.Default)
        {
            options = options with { Store = Core.Inventory.StoreLocation.Resolve(store) };
        }
        if (!string.IsNullOrWhiteSpace(name)) options = options with { Name = name };
        BootServerOptions.ParseListen(options.Listen);
        return options;
    }

    private static async Task WatchStdinAsync(CancellationTokenSource stop)
    {
        var buffer = new byte[256];
        await using var stdin = Console.OpenStandardInput();
        try
        {
            while (await stdin.ReadAsync(buffer, stop.Token).ConfigureAwait(false) > 0) { }
        }
        catch (OperationCanceledException) { return; }
        catch (IOException) { }
        await stop.CancelAsync().ConfigureAwait(false);
    }
}
