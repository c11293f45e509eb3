using System.Collections.Concurrent;
using Ironic.Core;
using Ironic.Core.Boot;
using Ironic.Core.Deploy;
using Ironic.Core.Hardware;
using Ironic.Core.Inventory;
using Ironic.Core.Status;
using Ironic.Server.Images;
using Ironic.Server.Status;
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
/// It joins the conductor ring of the inventory it shares once it listens, and leaves it when stopped.
/// </summary>
public sealed class BootServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IInventoryStore _store;
    private readonly bool _ownsStore;
    private readonly List<INodeImageProvider> _imageProviders = [];
    private readonly BootForwarder _forwarder;
    private readonly RequestGuards _guards;
    private readonly ILogger _logger;
    private ConductorMembership? _membership;
    private BootEndpoints? _boot;
    private readonly bool _ownsImageCache;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Guid, Task> _callbacks = new();
    private readonly OneShotReleaser _oneShot;
    private readonly CancellationTokenSource _housekeepingStop = new();
    private Task _housekeeping = Task.CompletedTask;

    private BootServer(WebApplication app, BootServerOptions options, IInventoryStore store, bool ownsStore, ImageCache? imageCache, NodeHardwareFactory hardware)
    {
        (_app, Options, _store, _ownsStore) = (app, options, store, ownsStore);
        _ownsImageCache = imageCache is null;
        ImageCache = imageCache ?? ImageCache.Open(new ImageCacheOptions
        {
            Directory = options.ImageCacheDirectory ?? ImageCacheOptions.DefaultDirectory,
            MaxBytes = options.ImageCacheMaxBytes,
        });
        _logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ironic.Server");
        _forwarder = new BootForwarder(options.SharedSecret, options.ForwardTimeout);
        _guards = new RequestGuards(options, _logger);
        if (options.ImagesDirectory is not null) _imageProviders.Add(new DirectoryImageProvider(options.ImagesDirectory));
        // Node ISOs (overlays) first: the artifact provider must not serve a node's raw delta as boot.iso.
        _imageProviders.Insert(0, new OverlayImageProvider(store, ImageCache, _logger));
        _imageProviders.Add(new StoreArtifactImageProvider(store));
        BootConfig = new BootConfigService(store, options.BootConfig);
        _oneShot = new OneShotReleaser(store, ImageCache, hardware, ImageReads, options.Name, options.OneShotSettleTime);
    }

    /// <summary>The longest MAC (as sent, percent-escapes included) that still reaches the boot API and gets its 404.</summary>
    public const int MaxMacLength = 64 * 1024;

    /// <summary>Kestrel's request-line limit, CRLF included: a MAC of <see cref="MaxMacLength"/> plus the rest of the route, a short query and the version.</summary>
    public const int MaxRequestLineSize = MaxMacLength + 1024;

    /// <summary>Kestrel's limit on the request headers together (each line with its CRLF).</summary>
    public const int MaxRequestHeadersTotalSize = 64 * 1024;

    /// <summary>Kestrel's limit on the number of request header lines (its default).</summary>
    public const int MaxRequestHeaderCount = 100;

    public BootServerOptions Options { get; }

    public BootConfigService BootConfig { get; }

    /// <summary>The last boot-config fetch and image download per node that this server handled (the status page's columns).</summary>
    public NodeActivityLog Activity { get; } = new();

    /// <summary>The GETs of deployed node ISOs this server is serving and has served (what the one-shot release waits for).</summary>
    public NodeImageReads ImageReads { get; } = new();

    /// <summary>The base images of deploys, shared with deploys run in this process.</summary>
    public ImageCache ImageCache { get; }

    /// <summary>What recovery found at start: nodes whose reservation outlived its holder.</summary>
    public IReadOnlyList<RecoveredNode> Recovered { get; private set; } = [];

    /// <summary>The address it really listens on (after port 0 was resolved); set once started.</summary>
    public Uri? Address { get; private set; }

    /// <summary>
    /// Cancelled when the host stops on its own: the hosting layer takes SIGTERM (and Ctrl+C) to
    /// stop the application, and whoever runs the server in the foreground must then return.
    /// </summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>The conductor ring as this server currently sees it; null before start.</summary>
    public ConductorRing? Ring => _membership?.Ring;

    /// <summary>
    /// Builds a server. <paramref name="store"/> shares an already open inventory (tests, several
    /// servers in one process); without it the server opens <see cref="BootServerOptions.Store"/> itself.
    /// <paramref name="hardware"/> drives the BMCs of nodes whose one-shot ISO it releases (default: fake and redfish).
    /// </summary>
    public static BootServer Create(BootServerOptions options, Action<ILoggingBuilder>? logging = null, IInventoryStore? store = null, ImageCache? imageCache = null, NodeHardwareFactory? hardware = null)
    {
        var endpoint = BootServerOptions.ParseListen(options.Listen);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Big enough that any MAC up to MaxMacLength reaches the app and gets the one 404; what
            // is bigger still Kestrel refuses itself (414/431, empty body) before any handler runs.
            k.Limits.MaxRequestLineSize = MaxRequestLineSize;
            k.Limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalSize;
            k.Limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            k.Listen(endpoint);
        });
        builder.Logging.ClearProviders();
        if (logging is not null) logging(builder.Logging);
        else builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, IronicJsonContext.Default));

        var app = builder.Build();
        var server = new BootServer(app, options, store ?? InventoryStores.Open(options.Store), ownsStore: store is null, imageCache, hardware ?? DeployHardware.CreateFactory());
        server.MapEndpoints();
        return server;
    }

    /// <summary>Adds a source of /v1/images files, asked before the built-in ones (an ISO overlay, a deploy's files).</summary>
    public void AddImageProvider(INodeImageProvider provider) => _imageProviders.Insert(0, provider);

    private void MapEndpoints()
    {
        _app.Use((context, next) => _guards.InvokeAsync(context, next));
        _app.MapGet("/healthz", () => Results.Json(
            new BootServerHealth("ok", Options.Name, IronicInfo.Version, Options.Store.ToString()),
            IronicJsonContext.Default.BootServerHealth));
        _app.MapMethods("/boot.ipxe", [HttpMethods.Get, HttpMethods.Head], context => Boot.CatchAllAsync(context));
        _app.MapMethods("/v1/boot/{mac}/{name}", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, string mac, string name) => Boot.BootAsync(context, mac, name));
        _app.MapGet(BootForwarder.InternalPrefix + "{mac}/{name}", (HttpContext context, string mac, string name) => Boot.InternalBootAsync(context, mac, name));
        var images = new ImageEndpoints(_imageProviders, Activity, Options.Name, ImageReads);
        _app.MapMethods("/v1/images/{node}/{file}", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, string node, string file) => images.ServeAsync(context, node, file));
        if (Options.StatusPage) _app.MapGet("/", context => StatusAsync(context));
        // Everything else — unknown paths, paths Kestrel normalized away from a route ("../"), other
        // methods — gets the very same 404 as a refused boot request (see RequestGuards).
    }

    /// <summary>GET /: the read-only status page (nodes, owners, last boot events, ring membership).</summary>
    private async Task StatusAsync(HttpContext context)
    {
        var membership = _membership;
        if (membership is null)
        {
            await PlainResponses.UnavailableAsync(context, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            return;
        }
        var status = await GetStatusAsync(context.Request.Query["state"].ToString(), context.RequestAborted).ConfigureAwait(false);
        var body = System.Text.Encoding.UTF8.GetBytes(StatusPage.Render(status));
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = StatusPage.ContentType;
        response.ContentLength = body.Length;
        response.Headers.CacheControl = "no-store";
        // The page has no script and loads nothing: say so to the browser too.
        response.Headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>What the status page shows, as data: nodes from the store, the ring this server uses, and its own boot events.</summary>
    public async Task<BootServerStatus> GetStatusAsync(string? stateFilter, CancellationToken cancellationToken)
    {
        var membership = _membership ?? throw new InvalidOperationException("The boot server has not been started.");
        var nodes = await _store.ListNodesAsync(cancellationToken).ConfigureAwait(false);
        var conductors = await _store.ListConductorsAsync(cancellationToken).ConfigureAwait(false);
        return BootServerStatus.Build(Options.Name, Options.Store.ToString(), nodes, conductors, membership.Ring, Activity, DateTimeOffset.UtcNow, stateFilter);
    }

    /// <summary>A node in wait call-back fetched its boot script: finish its deploy (in the background; the answer is already sent).</summary>
    private void NodeCalledBack(Node node)
    {
        if (!RamdiskDeploy.IsWaitingForCallBack(node)) return;
        // Its state is about to change: drop what this request just cached of it (the call-back drops it again when done).
        _boot?.Forget(node.Uuid);
        _callbacks.GetOrAdd(node.Uuid, uuid => Task.Run(async () =>
        {
            try
            {
                var after = await RamdiskDeploy.OnBootConfigFetchedAsync(_store, uuid, Options.Name, TimeSpan.FromSeconds(30), _stopping.Token).ConfigureAwait(false);
                // The node left wait call-back: the boot API must stop handing it a script now, not after the lookup cache's TTL.
                _boot?.Forget(uuid);
                _logger.LogInformation("Node {Node} fetched its boot script; now '{State}'.", node.Name, after?.ProvisionState);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogError("Node {Node} fetched its boot script, but marking its deploy done failed: {Message}", node.Name, e.Message);
            }
            catch (OperationCanceledException)
            {
                // The server stops; the node stays in wait call-back and fetching again finishes it.
            }
            finally
            {
                _callbacks.TryRemove(uuid, out _);
            }
        }));
    }

    /// <summary>Waits for node call-backs being recorded (tests; shutdown).</summary>
    internal Task CallbacksDone() => Task.WhenAll(_callbacks.Values);

    private BootEndpoints Boot => _boot ?? throw new InvalidOperationException("The boot server has not been started.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        Recovered = await DeployRecovery.RecoverAsync(_store, Options.Name, Options.HeartbeatTimeout, cancellationToken).ConfigureAwait(false);
        foreach (var node in Recovered)
        {
            _logger.LogWarning("Recovery: node {Node} was reserved by {Holder} in '{Before}': {Reason}; now '{After}'.", node.NodeName, node.Holder, node.StateBefore, node.Reason, node.StateAfter);
        }
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address.Replace("[::]", "[::1]", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        if (Options.SharedSecret is null)
        {
            _logger.LogWarning("No shared secret ([boot_server]shared_secret or ${Env}): this server cannot forward to or answer other servers.", BootServerOptions.SecretEnvironmentVariable);
        }
        var self = new Conductor(Options.Name, Options.InternalUrl ?? Address, DateTimeOffset.UtcNow) { ConductorGroup = Options.ConductorGroup };
        _membership = new ConductorMembership(_store, self, Options.HeartbeatInterval, Options.HeartbeatTimeout, _logger, Options.HashPartitionExponent);
        _boot = new BootEndpoints(Options, BootConfig, _membership, _forwarder, _logger, NodeCalledBack, Activity);
        await _membership.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (var node in await _oneShot.ResumeAsync(self.InternalUrl, cancellationToken).ConfigureAwait(false))
        {
            _logger.LogInformation("One-shot: node {Node}'s ISO was read before this server restarted; it is ejected once no read has come for {Seconds} s.", node.Name, Options.OneShotSettleTime.TotalSeconds);
        }
        // Deploy work a server does on its own until it stops: one-shot releases soon after the settle
        // time (often enough to follow it, rarely enough to cost nothing), stale reservations swept.
        var oneShotInterval = TimeSpan.FromTicks(Math.Clamp(Options.OneShotSettleTime.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(5).Ticks));
        _housekeeping = Task.WhenAll(
            Task.Run(() => RepeatAsync(oneShotInterval, ReleaseOneShotIsosAsync, _housekeepingStop.Token), CancellationToken.None),
            Task.Run(() => RepeatAsync(Options.ReservationSweepInterval, SweepReservationsAsync, _housekeepingStop.Token), CancellationToken.None));
    }

    private async Task ReleaseOneShotIsosAsync(CancellationToken cancellationToken)
    {
        foreach (var outcome in await _oneShot.SweepAsync(cancellationToken).ConfigureAwait(false))
        {
            if (outcome.Error is null) _logger.LogInformation("One-shot: node {Node} has read its ISO; ejected it and dropped the node's overlay.", outcome.NodeName);
            else _logger.LogError("One-shot: releasing the ISO of node {Node} failed ({Message}); trying again in {Seconds} s.", outcome.NodeName, outcome.Error.Message, Options.OneShotSettleTime.TotalSeconds);
        }
    }

    private async Task SweepReservationsAsync(CancellationToken cancellationToken)
    {
        foreach (var node in await DeployRecovery.SweepAsync(_store, Options.Name, Options.HeartbeatTimeout, cancellationToken).ConfigureAwait(false))
        {
            _logger.LogWarning("Node {Node} was reserved by {Holder} in '{Before}': {Reason}; now '{After}'.", node.NodeName, node.Holder, node.StateBefore, node.Reason, node.StateAfter);
        }
    }

    /// <summary>Runs <paramref name="work"/> every <paramref name="interval"/> until stopped; a failed round is logged and the next one tries again.</summary>
    private async Task RepeatAsync(TimeSpan interval, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await work(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The inventory is unreachable for a moment, say: the next round tries again.
                    _logger.LogError("Deploy housekeeping ({Work}) failed: {Message}", work.Method.Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task StopHousekeepingAsync()
    {
        await _housekeepingStop.CancelAsync().ConfigureAwait(false);
        await _housekeeping.ConfigureAwait(false);
    }

    /// <summary>Leaves the ring, stops accepting requests and lets those in flight finish.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await StopHousekeepingAsync().ConfigureAwait(false);
        if (_membership is not null) await _membership.StopAsync(cancellationToken).ConfigureAwait(false);
        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops without leaving the ring, as a crashed process would: the others notice only when
    /// the heartbeat goes stale. For tests of failover.
    /// </summary>
    internal async Task CrashAsync()
    {
        await StopHousekeepingAsync().ConfigureAwait(false);
        if (_membership is not null) await _membership.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try { await CallbacksDone().ConfigureAwait(false); } catch (OperationCanceledException) { }
        await StopHousekeepingAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _housekeepingStop.Dispose();
        if (_ownsImageCache) ImageCache.Dispose();
        if (_membership is not null) await _membership.DisposeAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _forwarder.Dispose();
        if (_ownsStore) await _store.DisposeAsync().ConfigureAwait(false);
    }
}
