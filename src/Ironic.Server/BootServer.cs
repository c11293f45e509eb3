using Ironic.Core;
using Ironic.Core.Boot;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ironic.Server;

/// <summary>
/// One boot server: builds the Kestrel application, maps the endpoints and runs it until
/// stopped. `ironic serve` runs one in the foreground; tests start several in-process.
/// </summary>
public sealed class BootServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BootServer(WebApplication app, BootServerOptions options) => (_app, Options) = (app, options);

    public BootServerOptions Options { get; }

    /// <summary>The address it really listens on (after port 0 was resolved); set once started.</summary>
    public Uri? Address { get; private set; }

    public static BootServer Create(BootServerOptions options, Action<ILoggingBuilder>? logging = null)
    {
        var endpoint = BootServerOptions.ParseListen(options.Listen);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(endpoint);
        });
        builder.Logging.ClearProviders();
        if (logging is not null) logging(builder.Logging);
        else builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, IronicJsonContext.Default));

        var app = builder.Build();
        var server = new BootServer(app, options);
        server.MapEndpoints();
        return server;
    }

    private void MapEndpoints()
    {
        _app.MapGet("/healthz", () => Results.Json(
            new BootServerHealth("ok", Options.Name, IronicInfo.Version, Options.Store.ToString()),
            IronicJsonContext.Default.BootServerHealth));
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address.Replace("[::]", "[::1]", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>Stops accepting requests and lets those in flight finish.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
