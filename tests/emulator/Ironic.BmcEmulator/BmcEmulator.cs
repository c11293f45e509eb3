using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ironic.BmcEmulation;

/// <summary>
/// One emulated Redfish BMC on a real Kestrel socket. Start many in one process; each holds a
/// small resource tree, one HttpClient for image downloads and nothing else.
/// </summary>
public sealed class BmcEmulator : IAsyncDisposable
{
    private const int MaxRecordedBody = 4096;

    private readonly WebApplication _app;
    private readonly RedfishService _service;
    private readonly HttpClient _imageHttp;
    private readonly List<RecordedRequest> _requests = [];

    private BmcEmulator(WebApplication app, RedfishService service, HttpClient imageHttp, BmcState state, BmcEmulatorOptions options, X509Certificate2? certificate)
    {
        _app = app;
        _service = service;
        _imageHttp = imageHttp;
        State = state;
        Options = options;
        Certificate = certificate;
    }

    public BmcEmulatorOptions Options { get; }

    /// <summary>The base address, e.g. http://127.0.0.1:41234/ (the service root is Address + "redfish/v1").</summary>
    public Uri Address { get; private set; } = null!;

    public BmcState State { get; }

    /// <summary>The self-signed certificate served when <see cref="BmcEmulatorOptions.UseTls"/> is set (trust it as a CA bundle).</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>Every request answered so far, oldest first (a snapshot), with secrets masked.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (_requests) return _requests.ToArray(); }
    }

    /// <summary>Forgets the recorded requests (to look only at what a test step sends).</summary>
    public void ClearRequests()
    {
        lock (_requests) _requests.Clear();
    }

    /// <summary>Cancelled when the host stops by itself (SIGTERM/Ctrl+C reach Kestrel's lifetime first).</summary>
    internal CancellationToken HostStopping => _app.Lifetime.ApplicationStopping;

    /// <summary>The next <paramref name="count"/> requests are answered with <paramref name="status"/> and change nothing:
    /// 503 carries Retry-After and ServiceTemporarilyUnavailable, any other status an InternalError body.</summary>
    public void FailNext(int count, int status = 503)
    {
        if (status is < 400 or > 599) throw new ArgumentOutOfRangeException(nameof(status), status, "Give an HTTP error status (4xx or 5xx).");
        _service.FailNext(count, status);
    }

    /// <summary>
    /// Fails (or holds back) the next requests that match <paramref name="fault"/>, wherever they come in
    /// a client's sequence: <c>AddFault(new RequestFault { Method = "POST", PathEndsWith = "VirtualMedia.InsertMedia" })</c>
    /// lets the eject before it work and fails the insert.
    /// </summary>
    public void AddFault(RequestFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (fault.Status is not (0 or (>= 400 and <= 599))) throw new ArgumentOutOfRangeException(nameof(fault), fault.Status, "Give an HTTP error status (4xx or 5xx), or 0 to only delay the answer.");
        if (fault.Count < 1) throw new ArgumentOutOfRangeException(nameof(fault), fault.Count, "A fault hits at least one request.");
        _service.AddFault(fault);
    }

    /// <summary>The next <paramref name="count"/> requests have their connection aborted without an answer
    /// (the client sees an HttpRequestException); they change nothing. Recorded with status 0.</summary>
    public void DropNext(int count) => _service.DropNext(count);

    /// <summary>
    /// Every X-Auth-Token the BMC handed out, in order, including those since logged out: for
    /// tests that look for a token in a client's output (the recorded requests mask them).
    /// </summary>
    public IReadOnlyList<string> IssuedSessionTokens => _service.IssuedTokens;

    /// <summary>Every session token stops working at once (as after a BMC reset): the next request with one gets 401.</summary>
    public void ExpireSessions() => _service.ExpireSessions();

    /// <summary>Loads the mockup, applies the profile, starts listening; the answer is serving.</summary>
    public static async Task<BmcEmulator> StartAsync(BmcEmulatorOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var endpoint = BmcEmulatorOptions.ParseListen(options.Listen);
        var tree = options.MockupDirectory is null ? ResourceTree.LoadBuiltIn(options.Profile) : ResourceTree.LoadDirectory(options.MockupDirectory);
        var state = BuildState(tree, options);

        var certificate = options.UseTls ? MakeCertificate() : null;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(endpoint, listen =>
            {
                if (certificate is not null) listen.UseHttps(certificate);
            });
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();

        var imageHttp = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1), AllowAutoRedirect = true })
        {
            Timeout = TimeSpan.FromMinutes(10),
        };
        var service = new RedfishService(options, state, imageHttp);
        if (options.PreinsertedImage is { } busy) service.Preinsert(state.CdSlot.Path, busy);

        var emulator = new BmcEmulator(app, service, imageHttp, state, options, certificate);
        app.Run(emulator.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.Address = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal).TrimEnd('/') + "/");
        return emulator;
    }

    private static void Validate(BmcEmulatorOptions options)
    {
        if (options.DownloadChunkSize < 1)
            throw new ArgumentException($"DownloadChunkSize must be at least 1 byte, not {options.DownloadChunkSize}.", nameof(options));
        if (options.InitialPowerState is not ("On" or "Off"))
            throw new ArgumentException($"InitialPowerState must be \"On\" or \"Off\", not \"{options.InitialPowerState}\".", nameof(options));
        if (options.FailureProbability is < 0 or > 1 || double.IsNaN(options.FailureProbability))
            throw new ArgumentException($"FailureProbability is a probability between 0 and 1, not {options.FailureProbability}.", nameof(options));
        if (options.FailEveryNthRequest < 0)
            throw new ArgumentException($"FailEveryNthRequest must be 0 (never) or a positive count, not {options.FailEveryNthRequest}.", nameof(options));
        if (options.PreinsertedImage is { } busy && !Uri.TryCreate(busy, UriKind.Absolute, out _))
            throw new ArgumentException($"PreinsertedImage must be an absolute URL such as http://192.0.2.1/old.iso, not \"{busy}\".", nameof(options));
    }

    private static BmcState BuildState(ResourceTree tree, BmcEmulatorOptions options)
    {
        var systemPath = tree.PathsOfType("#ComputerSystem.").FirstOrDefault()
            ?? throw new InvalidDataException("The mockup has no ComputerSystem resource (@odata.type #ComputerSystem.…): the emulator needs one System to power and boot.");
        var slotPaths = tree.PathsOfType("#VirtualMedia.").ToArray();
        var quirks = options.EffectiveQuirks;
        if (quirks.HasFlag(BmcQuirks.PatchOnlyVirtualMedia))
        {
            foreach (var slot in slotPaths) tree.RemoveActions(slot);
        }
        var system = tree.Find(systemPath)!;
        system["PowerState"] = options.InitialPowerState;
        if (quirks.HasFlag(BmcQuirks.SessionsDisabled) && tree.Find(ResourceTree.Root + "/SessionService") is { } sessionService)
            sessionService["ServiceEnabled"] = false;
        return new BmcState(tree, systemPath, slotPaths);
    }

    private static X509Certificate2 MakeCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Ironic BMC emulator", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7));
    }

    private async Task HandleAsync(HttpContext context)
    {
        var http = context.Request;
        string body;
        using (var reader = new StreamReader(http.Body, Encoding.UTF8))
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        var path = ResourceTree.Normalize(Uri.UnescapeDataString(http.Path.Value ?? "/"));
        var incoming = new IncomingRequest(http.Method.ToUpperInvariant(), path, name => http.Headers.TryGetValue(name, out var v) ? v.ToString() : null, body);

        Answer answer;
        try
        {
            answer = await _service.AnswerAsync(incoming, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            answer = Answer.Of(new RedfishError(500, "InternalError",
                $"The request failed due to an internal service error: {e.GetType().Name}: {e.Message}", "Resubmit the request. If the problem persists, consider resetting the service."));
        }

        Record(http, incoming, answer.Status);
        if (ReferenceEquals(answer, Answer.Dropped))
        {
            context.Abort();
            return;
        }
        var response = context.Response;
        response.StatusCode = answer.Status;
        response.Headers["OData-Version"] = "4.0";
        foreach (var (name, value) in answer.Headers) response.Headers[name] = value;
        var text = answer.RenderedBody ?? answer.Body?.ToJsonString();
        if (text is null) return;
        var bytes = Encoding.UTF8.GetBytes(text);
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = bytes.Length;
        if (incoming.Method != "HEAD") await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private void Record(HttpRequest http, IncomingRequest incoming, int status)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in http.Headers)
        {
            headers[name] = name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
                || name.Equals("X-Auth-Token", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Cookie", StringComparison.OrdinalIgnoreCase)
                ? "***"
                : value.ToString();
        }
        var path = incoming.Path + http.QueryString.Value;
        var recorded = new RecordedRequest(DateTimeOffset.UtcNow, incoming.Method, path, status, headers, MaskBody(incoming.Body));
        lock (_requests) _requests.Add(recorded);
    }

    /// <summary>Any "Password" value in a JSON body becomes "***"; a body that is not JSON is kept (cut at 4 KiB).</summary>
    private static string? MaskBody(string body)
    {
        if (body.Length == 0) return null;
        try
        {
            var node = JsonNode.Parse(body);
            Mask(node);
            body = node?.ToJsonString() ?? body;
        }
        catch (JsonException)
        {
            // Not JSON: nothing structured to mask.
        }
        return body.Length > MaxRecordedBody ? body[..MaxRecordedBody] : body;

        static void Mask(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var key in o.Select(p => p.Key).ToArray())
                    {
                        if (key.Equals("Password", StringComparison.OrdinalIgnoreCase)) o[key] = "***";
                        else Mask(o[key]);
                    }
                    break;
                case JsonArray a:
                    foreach (var item in a) Mask(item);
                    break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _service.Dispose();
        try
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Never started: nothing to stop.
        }
        await _app.DisposeAsync().ConfigureAwait(false);
        _imageHttp.Dispose();
        Certificate?.Dispose();
    }
}
