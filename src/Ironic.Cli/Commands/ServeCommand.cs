using System.CommandLine;
using Ironic.Server;

namespace Ironic.Cli.Commands;

/// <summary><c>ironic serve</c>: runs a boot server in the foreground until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var listen = new Option<string>("--listen") { Description = "Address and port to listen on.", DefaultValueFactory = _ => BootServerOptions.DefaultListen };
        var name = new Option<string?>("--name") { Description = "This server's conductor name on the hash ring (default: the host name)." };
        var store = CliContext.StoreOption();
        var command = new Command("serve", "Run a boot server: the boot configuration API, image serving and the status page.") { listen, store, name };
        command.SetAction(async (result, cancellationToken) =>
        {
            BootServer server;
            try
            {
                var options = new BootServerOptions { Listen = result.GetValue(listen)!, Store = CliContext.ResolveStore(result, store) };
                if (result.GetValue(name) is { Length: > 0 } n) options = options with { Name = n };
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
                try { await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false); }
                catch (OperationCanceledException) { }
                await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
                context.Output.WriteLine("ironic boot server stopped");
            }
            return 0;
        });
        return command;
    }
}
