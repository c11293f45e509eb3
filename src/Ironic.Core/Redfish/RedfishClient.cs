using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ironic.Core.Redfish;

/// <summary>
/// Talks Redfish to one BMC: a session (X-Auth-Token) with fall-back to Basic, one
/// re-authentication on 401, retries where they are safe, If-Match on PATCH with the
/// sequence real BMCs need, and 202 tasks polled to the end. Every failure is a
/// <see cref="RedfishException"/> that quotes the BMC; no message or log line carries the
/// password or the session token.
/// </summary>
public sealed class RedfishClient : IAsyncDisposable, IDisposable
{
    public const string ServiceRootPath = "/redfish/v1/";
    private const string DefaultSessionsPath = "/redfish/v1/SessionService/Sessions";

    private readonly RedfishClientOptions _options;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _authLock = new(1, 1);
    private Authentication? _auth;
    private JsonElement? _serviceRoot;
    private bool _disposed;

    /// <param name="options">The BMC and how to reach it.</param>
    /// <param name="handler">For tests: the handler that answers instead of the network. Not disposed here.</param>
    public RedfishClient(RedfishClientOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _http = handler is null
            ? new HttpClient(CreateHandler(options), disposeHandler: true)
            : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan; // per request, below, so a timeout is told from a cancellation
    }

    public RedfishClientOptions Options => _options;

    /// <summary>"session", "basic" or "none": how the client authenticates now (for logs and tests).</summary>
    public string AuthenticationMode => _auth?.Mode ?? "none";

    private static SocketsHttpHandler CreateHandler(RedfishClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.RequestTimeout < TimeSpan.FromSeconds(30) ? options.RequestTimeout : TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
            UseCookies = false,
        };
        if (!options.VerifyTls)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (options.CaBundlePath is { Length: > 0 } bundlePath)
        {
            var bundle = LoadCaBundle(bundlePath);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => ValidateWithBundle(certificate, errors, bundle);
        }
        return handler;
    }

    private static X509Certificate2Collection LoadCaBundle(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The CA bundle '{path}' does not exist. Give a PEM file with the certificate(s) that signed the BMC's certificate.", path);
        }
        var bundle = new X509Certificate2Collection();
        try
        {
            bundle.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new ArgumentException($"The CA bundle '{path}' could not be read as PEM certificates: {e.Message}", nameof(path), e);
        }
        if (bundle.Count == 0)
        {
            throw new ArgumentException($"The CA bundle '{path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).", nameof(path));
        }
        return bundle;
    }

    private static bool ValidateWithBundle(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection bundle)
    {
        if (errors == SslPolicyErrors.None) return true;
        // A wrong host name or a missing certificate is never excused by a CA bundle.
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(bundle);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    // ---- resources -------------------------------------------------------------------------

    /// <summary>The service root (<c>/redfish/v1/</c>), read once.</summary>
    public async Task<JsonElement> GetServiceRootAsync(CancellationToken cancellationToken)
    {
        if (_serviceRoot is { } root) return root;
        var resource = await GetAsync(ServiceRootPath, cancellationToken).ConfigureAwait(false);
        _serviceRoot = resource.Body;
        return resource.Body;
    }

    /// <summary>Reads one resource; retries on 5xx and connection errors.</summary>
    public async Task<RedfishResource> GetAsync(string path, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, path, null, null, cancellationToken).ConfigureAwait(false);
        if (response.Body is not { } body)
        {
            throw new RedfishException($"GET {Describe(path)} answered {(int)response.StatusCode} without a JSON body; expected a Redfish resource. Check that the address is a Redfish service.",
                new RedfishFailure("GET", Resolve(path), response.StatusCode, []));
        }
        return new RedfishResource(path, body, response.ETag, response.Allow);
    }

    /// <summary>
    /// POSTs an action or a new member. A 202 with a Location is a task: it is polled until it
    /// ends, and its failure becomes a <see cref="RedfishActionRefusedException"/>.
    /// </summary>
    /// <param name="body">The JSON body; null sends an empty body.</param>
    public Task<RedfishResponse> PostAsync(string path, JsonNode? body, CancellationToken cancellationToken) =>
        PostAsync(path, body, retryWhenInUse: true, cancellationToken);

    /// <inheritdoc cref="PostAsync(string, JsonNode?, CancellationToken)"/>
    /// <param name="retryWhenInUse">
    /// False when a ResourceInUse answer is final for this request (inserting into a slot that
    /// holds another image): it is thrown at once instead of being asked again.
    /// </param>
    public async Task<RedfishResponse> PostAsync(string path, JsonNode? body, bool retryWhenInUse, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Post, path, body, null, cancellationToken, retryWhenInUse).ConfigureAwait(false);
        return await FollowTaskAsync("POST", path, response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// PATCHes a resource with If-Match. On 412 it retries with a fresh strong ETag, then the
    /// weak one made strong, then without If-Match, as BMCs differ in what they accept.
    /// </summary>
    /// <param name="etag">The ETag read with the resource, if any; when null the resource is read for one.</param>
    public Task<RedfishResponse> PatchAsync(string path, JsonNode body, string? etag, CancellationToken cancellationToken) =>
        PatchAsync(path, body, etag, retryWhenInUse: true, cancellationToken);

    /// <inheritdoc cref="PatchAsync(string, JsonNode, string?, CancellationToken)"/>
    /// <param name="retryWhenInUse">False when a ResourceInUse answer is final for this request (see <see cref="PostAsync(string, JsonNode?, bool, CancellationToken)"/>).</param>
    public async Task<RedfishResponse> PatchAsync(string path, JsonNode body, string? etag, bool retryWhenInUse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        etag ??= (await GetAsync(path, cancellationToken).ConfigureAwait(false)).ETag;
        var tried = new List<string?>();
        RedfishException? last = null;
        IEnumerable<string?> candidates = [etag];
        for (var round = 0; round < 2; round++)
        {
            foreach (var candidate in candidates)
            {
                if (tried.Contains(candidate)) continue;
                tried.Add(candidate);
                try
                {
                    var response = await SendAsync(HttpMethod.Patch, path, body, candidate, cancellationToken, retryWhenInUse).ConfigureAwait(false);
                    return await FollowTaskAsync("PATCH", path, response, cancellationToken).ConfigureAwait(false);
                }
                catch (RedfishException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.PreconditionRequired)
                {
                    last = e;
                    _options.Log?.Invoke($"PATCH {Describe(path)}: the BMC refused If-Match {candidate ?? "(none)"} ({(int)e.StatusCode!}); trying the next form");
                }
            }
            // Only after a refusal: read the resource again for the forms that remain.
            candidates = await LaterIfMatchCandidatesAsync(path, etag, cancellationToken).ConfigureAwait(false);
        }
        throw last!;
    }

    // After the ETag as read was refused: a fresh one if it is strong; the weak one(s) made
    // strong; none. A 428 (If-Match required) on the last step is the BMC's final word.
    private async Task<IEnumerable<string?>> LaterIfMatchCandidatesAsync(string path, string? etag, CancellationToken cancellationToken)
    {
        string? fresh = null;
        try
        {
            fresh = (await GetAsync(path, cancellationToken).ConfigureAwait(false)).ETag;
        }
        catch (RedfishException e) when (e is not RedfishUnreachableException)
        {
            // Reading it again is a courtesy; the PATCH reports the real failure.
        }
        var list = new List<string?>();
        if (fresh is not null && !IsWeak(fresh)) list.Add(fresh);
        foreach (var e in new[] { etag, fresh })
        {
            if (e is not null && IsWeak(e)) list.Add(e[2..]);
        }
        list.Add(null);
        return list;
    }

    private static bool IsWeak(string etag) => etag.StartsWith("W/", StringComparison.Ordinal);

    /// <summary>Deletes a resource (a session on logout).</summary>
    public Task<RedfishResponse> DeleteAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, path, null, null, cancellationToken);

    // ---- tasks -----------------------------------------------------------------------------

    private async Task<RedfishResponse> FollowTaskAsync(string method, string path, RedfishResponse response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.Accepted || response.Location is null) return response;
        var monitor = response.Location;
        var deadline = Stopwatch.StartNew();
        var wait = response.RetryAfter ?? _options.TaskPollInterval;
        while (true)
        {
            if (deadline.Elapsed > _options.TaskTimeout)
            {
                throw new RedfishBusyException(
                    $"{method} {Describe(path)} started a task at {monitor.AbsolutePath} that did not finish within {_options.TaskTimeout.TotalSeconds:0} s. Look at the BMC's task list; the operation may still complete.",
                    new RedfishFailure(method, Resolve(path), HttpStatusCode.Accepted, []));
            }
            await Task.Delay(Clamp(wait), cancellationToken).ConfigureAwait(false);
            var poll = await SendAsync(HttpMethod.Get, monitor.PathAndQuery, null, null, cancellationToken).ConfigureAwait(false);
            wait = poll.RetryAfter ?? _options.TaskPollInterval;
            if (poll.StatusCode == HttpStatusCode.Accepted) continue;
            if (poll.Body is not { } task || task.String("TaskState") is not { } state) return poll; // the monitor now answers with the action's result
            switch (state)
            {
                case "New" or "Starting" or "Running" or "Pending" or "Stopping" or "Suspended" or "Service":
                    continue;
                case "Completed" when task.String("TaskStatus") is not "Critical":
                    return poll;
                default:
                    var messages = ReadMessages(task.Property("Messages"));
                    var failure = new RedfishFailure(method, Resolve(path), poll.StatusCode, messages);
                    throw new RedfishActionRefusedException(
                        $"{method} {Describe(path)} ran as task {monitor.AbsolutePath}, which ended {state}{(task.String("TaskStatus") is { } s ? $" ({s})" : "")}"
                        + (failure.BmcSaid.Length > 0 ? $". The BMC said: {Redact(failure.BmcSaid)}" : ".")
                        + " Correct what the BMC names and try again.", failure);
            }
        }
    }

    // ---- authentication --------------------------------------------------------------------

    private sealed record Authentication(string Mode, AuthenticationHeaderValue? Basic, string? Token, string? SessionPath, RedfishException? SessionRefusal);

    private async Task<Authentication> EnsureAuthenticatedAsync(Authentication? stale, CancellationToken cancellationToken)
    {
        await _authLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_auth is not null && !ReferenceEquals(_auth, stale)) return _auth;
            _auth = await LogInAsync(cancellationToken).ConfigureAwait(false);
            return _auth;
        }
        finally
        {
            _authLock.Release();
        }
    }

    private async Task<Authentication> LogInAsync(CancellationToken cancellationToken)
    {
        if (_options.Username is null) return new Authentication("none", null, null, null, null);
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.Username}:{_options.Password}")));
        if (!_options.UseSessions) return new Authentication("basic", basic, null, null, null);

        // The login is the first thing a flaky or busy BMC meets: its requests are retried like
        // every other. A BMC still unreachable or busy after the retries is reported as such.
        var sessionsPath = DefaultSessionsPath;
        try
        {
            var root = await SendWithRetriesAsync(HttpMethod.Get, ServiceRootPath, null, null, authentication: null, e => IsRetryable(HttpMethod.Get, e), cancellationToken).ConfigureAwait(false);
            if (root.Body?.Property("Links")?.Link("Sessions") is { } link) sessionsPath = link;
            if (root.Body is { } rootBody) _serviceRoot = rootBody;
        }
        catch (RedfishException e) when (e is not RedfishUnreachableException and not RedfishBusyException)
        {
            // Some BMCs want credentials even for the service root: the standard path will do.
        }

        var credentials = new JsonObject { ["UserName"] = _options.Username, ["Password"] = _options.Password ?? "" };
        try
        {
            // Creating a session is asked again after any connection error, not only when the
            // request never left: a second try changes nothing but the BMC's session list, where
            // an orphan from a lost answer times out on its own.
            var response = await SendWithRetriesAsync(HttpMethod.Post, sessionsPath, credentials, null, authentication: null,
                e => IsRetryable(HttpMethod.Post, e, resendAfterLostAnswer: true), cancellationToken).ConfigureAwait(false);
            if (response.IsSuccess && response.SessionToken is { Length: > 0 } token)
            {
                lock (_tokensSeen) _tokensSeen.Add(token);
                var location = response.Location?.PathAndQuery ?? response.Body?.String("@odata.id");
                _options.Log?.Invoke($"session created{(location is null ? "" : $" at {location}")}");
                return new Authentication("session", null, token, location, null);
            }
            _options.Log?.Invoke($"POST {sessionsPath} answered {(int)response.StatusCode} without X-Auth-Token; using Basic authentication");
            return new Authentication("basic", basic, null, null, null);
        }
        catch (RedfishException e) when (e is not RedfishUnreachableException and not RedfishBusyException)
        {
            // A busy BMC (503) was asked again above rather than pushed onto Basic for the whole run.
            _options.Log?.Invoke($"no session ({(e.StatusCode is { } s ? ((int)s).ToString(CultureInfo.InvariantCulture) : "no answer")}); using Basic authentication");
            return new Authentication("basic", basic, null, null, e);
        }
    }

    // Every session token handed out, so that none can leak into a message even after a refresh.
    private readonly List<string> _tokensSeen = [];

    private void ApplyAuthentication(HttpRequestMessage request, Authentication? authentication)
    {
        if (authentication?.Token is { } token) request.Headers.Add("X-Auth-Token", token);
        else if (authentication?.Basic is { } basic) request.Headers.Authorization = basic;
    }

    /// <summary>Ends the session (DELETE), if there is one; errors are logged, not thrown.</summary>
    public async Task LogOutAsync(CancellationToken cancellationToken)
    {
        var auth = _auth;
        _auth = null;
        if (auth?.SessionPath is not { } sessionPath) return;
        try
        {
            await SendOnceAsync(HttpMethod.Delete, sessionPath, null, null, auth, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedfishException or OperationCanceledException)
        {
            _options.Log?.Invoke($"logout from {sessionPath} failed: {Redact(e.Message)}");
        }
    }

    // ---- the request loop ------------------------------------------------------------------

    private async Task<RedfishResponse> SendAsync(HttpMethod method, string path, JsonNode? body, string? ifMatch, CancellationToken cancellationToken, bool retryWhenInUse = true)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var auth = _auth ?? await EnsureAuthenticatedAsync(null, cancellationToken).ConfigureAwait(false);
        var reauthenticated = false;
        while (true)
        {
            try
            {
                return await SendWithRetriesAsync(method, path, body, ifMatch, auth,
                    e => IsRetryable(method, e) && (retryWhenInUse || !e.HasMessageId("ResourceInUse")), cancellationToken).ConfigureAwait(false);
            }
            catch (RedfishAuthenticationException) when (!reauthenticated && auth.Mode == "session")
            {
                // The session expired or the BMC dropped it: one new session, one more try.
                reauthenticated = true;
                _options.Log?.Invoke("the session was refused (401); creating a new one");
                auth = await EnsureAuthenticatedAsync(auth, cancellationToken).ConfigureAwait(false);
            }
            catch (RedfishAuthenticationException e) when (auth.Mode == "basic" && auth.SessionRefusal is { } refusal)
            {
                var failure = new RedfishFailure(e.Method, e.Url, e.StatusCode, [.. refusal.BmcMessages, .. e.BmcMessages]);
                throw new RedfishAuthenticationException(
                    $"The BMC at {_options.BmcAddress} refused the credentials of user '{_options.Username}' for a session and for Basic authentication"
                    + (failure.BmcSaid.Length > 0 ? $". The BMC said: {Redact(failure.BmcSaid)}" : "")
                    + ". Check the user name and password (and that the account is not locked).", failure);
            }
        }
    }

    /// <summary>One request, repeated while <paramref name="retryable"/> says the failure may pass, up to the read or write retries.</summary>
    private async Task<RedfishResponse> SendWithRetriesAsync(HttpMethod method, string path, JsonNode? body, string? ifMatch, Authentication? authentication,
        Func<RedfishException, bool> retryable, CancellationToken cancellationToken)
    {
        var retries = method == HttpMethod.Get || method == HttpMethod.Head ? _options.ReadRetries : _options.WriteRetries;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await SendOnceAsync(method, path, body, ifMatch, authentication, cancellationToken).ConfigureAwait(false);
            }
            catch (RedfishException e) when (attempt < retries && retryable(e))
            {
                var delay = e.RetryAfter ?? Backoff(attempt);
                _options.Log?.Invoke($"{method} {Describe(path)}: {(e.StatusCode is { } s ? $"{(int)s}" : "no answer")}, retry {attempt + 1} of {retries} in {delay.TotalSeconds:0.##} s");
                await Task.Delay(Clamp(delay), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <param name="resendAfterLostAnswer">
    /// The write may be sent again after any connection error, even one that may have reached the
    /// BMC (creating a session: a duplicate only adds a session that times out).
    /// </param>
    private static bool IsRetryable(HttpMethod method, RedfishException e, bool resendAfterLostAnswer = false)
    {
        var isRead = method == HttpMethod.Get || method == HttpMethod.Head;
        if (e is RedfishUnreachableException u)
        {
            // A certificate the client refuses stays refused; otherwise a read can always be
            // repeated, a write only when it never reached the BMC.
            if (u.InnerException is AuthenticationException or HttpRequestException { InnerException: AuthenticationException }) return false;
            return isRead || resendAfterLostAnswer || u.InnerException is HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } };
        }
        if (e.StatusCode is not { } status) return false;
        if (isRead) return (int)status >= 500 && status != HttpStatusCode.NotImplemented;
        return e is RedfishBusyException && status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.Conflict;
    }

    private static bool SaysBusy(IReadOnlyList<RedfishMessage> messages) =>
        messages.Any(m => RedfishFailure.MessageIdIs(m.MessageId, "ResourceInUse") || RedfishFailure.MessageIdIs(m.MessageId, "ServiceTemporarilyUnavailable")
            || m.Message?.Contains("busy", StringComparison.OrdinalIgnoreCase) == true
            || m.Message?.Contains("try again", StringComparison.OrdinalIgnoreCase) == true
            || m.Message?.Contains("in progress", StringComparison.OrdinalIgnoreCase) == true);

    private TimeSpan Backoff(int attempt) => TimeSpan.FromTicks(_options.RetryDelay.Ticks * (1L << Math.Min(attempt, 6)));

    private TimeSpan Clamp(TimeSpan delay) => delay < TimeSpan.Zero ? TimeSpan.Zero : delay > _options.MaxRetryAfter ? _options.MaxRetryAfter : delay;

    private async Task<RedfishResponse> SendOnceAsync(HttpMethod method, string path, JsonNode? body, string? ifMatch, Authentication? authentication, CancellationToken cancellationToken)
    {
        var url = Resolve(path);
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation("OData-Version", "4.0");
        ApplyAuthentication(request, authentication);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        else if (method == HttpMethod.Post || method == HttpMethod.Patch)
        {
            request.Content = new ByteArrayContent([]);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        var clock = Stopwatch.StartNew();
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or AuthenticationException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _options.Log?.Invoke($"{method} {Describe(path)} -> no answer ({clock.ElapsedMilliseconds} ms)");
            throw Unreachable(method, url, e);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            _options.Log?.Invoke($"{method} {Describe(path)} -> {(int)response.StatusCode} ({clock.ElapsedMilliseconds} ms)");
            JsonElement? json = null;
            if (!string.IsNullOrWhiteSpace(text))
            {
                try
                {
                    using var document = JsonDocument.Parse(text);
                    json = document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    // Some BMCs answer errors in HTML; the status still tells what happened.
                }
            }
            var etag = response.Headers.ETag?.ToString() ?? (response.Headers.TryGetValues("ETag", out var raw) ? raw.FirstOrDefault() : null) ?? json?.String("@odata.etag");
            var allow = response.Content.Headers.Allow.Count > 0
                ? response.Content.Headers.Allow.ToList()
                : response.Headers.TryGetValues("Allow", out var allowed) ? allowed.SelectMany(a => a.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList() : [];
            var location = response.Headers.Location is { } l ? (l.IsAbsoluteUri ? l : new Uri(_options.BmcAddress, l)) : null;
            var retryAfter = response.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - DateTimeOffset.UtcNow,
                _ => (TimeSpan?)null,
            };
            var result = new RedfishResponse(response.StatusCode, json, etag, allow, location, retryAfter)
            {
                SessionToken = response.Headers.TryGetValues("X-Auth-Token", out var tokens) ? tokens.FirstOrDefault() : null,
            };
            if (result.IsSuccess) return result;
            throw Failed(method, url, result);
        }
    }

    private RedfishUnreachableException Unreachable(HttpMethod method, Uri url, Exception e)
    {
        var reason = e switch
        {
            OperationCanceledException => string.Create(CultureInfo.InvariantCulture, $"no answer within {_options.RequestTimeout.TotalSeconds:0.#} s"),
            HttpRequestException { InnerException: AuthenticationException tls } => $"the TLS handshake failed ({tls.Message}); if the BMC has a self-signed certificate, pass its CA bundle, or skip the check explicitly (-SkipCertificateCheck, --insecure)",
            AuthenticationException tls => $"the TLS handshake failed ({tls.Message})",
            HttpRequestException { InnerException: SocketException s } => s.Message,
            _ => e.Message,
        };
        return new RedfishUnreachableException(
            $"No BMC answered {method} {Describe(url.PathAndQuery)} at {_options.BmcAddress}: {Redact(reason)}. Check the address, that the BMC is on the network, and any firewall between.",
            new RedfishFailure(method.Method, url, null, []), e);
    }

    private RedfishException Failed(HttpMethod method, Uri url, RedfishResponse response)
    {
        var messages = ReadErrorMessages(response.Body);
        var failure = new RedfishFailure(method.Method, url, response.StatusCode, messages);
        var said = failure.BmcSaid.Length > 0 ? $" The BMC said: {Redact(failure.BmcSaid)}." : "";
        var what = $"{method} {Describe(url.PathAndQuery)} at {_options.BmcAddress} answered {(int)response.StatusCode} {ReasonOf(response.StatusCode)}.{said}";
        RedfishException e = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new RedfishAuthenticationException($"{what} Check the user name and password.", failure),
            HttpStatusCode.Forbidden when method != HttpMethod.Get => new RedfishActionRefusedException($"{what} The user '{_options.Username}' may lack the privilege for this; use an account with the Administrator or Operator role.", failure),
            HttpStatusCode.NotFound => new RedfishNotFoundException($"{what} The BMC has no such resource; check the system path and that the BMC offers this function.", failure),
            HttpStatusCode.ServiceUnavailable => new RedfishBusyException($"{what} The BMC is busy; try again later.", failure) { RetryAfter = response.RetryAfter },
            HttpStatusCode.Conflict when SaysBusy(messages) => new RedfishBusyException($"{what} The resource is busy; try again later.", failure) { RetryAfter = response.RetryAfter },
            var s when (int)s is >= 400 and < 500 && method != HttpMethod.Get => new RedfishActionRefusedException($"{what} Correct what the BMC names and try again.", failure),
            var s when (int)s >= 500 && method != HttpMethod.Get => new RedfishActionRefusedException($"{what} The BMC failed the request; look at its log.", failure),
            _ => new RedfishException($"{what}", failure),
        };
        return e;
    }

    private static string ReasonOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.PreconditionFailed => "Precondition Failed",
        HttpStatusCode.PreconditionRequired => "Precondition Required",
        _ => status.ToString(),
    };

    // {"error": {"code", "message", "@Message.ExtendedInfo": [...]}}; some BMCs put the
    // ExtendedInfo at the top level, some send only code and message.
    private List<RedfishMessage> ReadErrorMessages(JsonElement? body)
    {
        if (body is not { ValueKind: JsonValueKind.Object } b) return [];
        var error = b.Property("error") ?? b;
        var messages = ReadMessages(error.Property("@Message.ExtendedInfo"));
        if (messages.Count == 0 && b.Property("@Message.ExtendedInfo") is { } top) messages = ReadMessages(top);
        if (messages.Count == 0 && (error.String("code") is not null || error.String("message") is not null))
        {
            messages.Add(new RedfishMessage(error.String("code"), error.String("message")));
        }
        return messages.Select(m => m with { Message = m.Message is null ? null : Redact(m.Message) }).ToList();
    }

    private static List<RedfishMessage> ReadMessages(JsonElement? array)
    {
        if (array is not { ValueKind: JsonValueKind.Array } a) return [];
        return a.EnumerateArray()
            .Where(e => e.ValueKind == JsonValueKind.Object)
            .Select(e => new RedfishMessage(e.String("MessageId"), e.String("Message"), e.String("Resolution")))
            .Where(m => m.MessageId is not null || m.Message is not null)
            .ToList();
    }

    // ---- helpers ---------------------------------------------------------------------------

    /// <summary>The absolute URL of a path on this BMC (an absolute URL must point at the same BMC).</summary>
    public Uri Resolve(string path)
    {
        if (Uri.TryCreate(path, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            return absolute;
        }
        return new Uri(_options.BmcAddress, path);
    }

    private string Describe(string path) => Redact(path);

    /// <summary>Removes the password and the session token from a text bound for a log or a message.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] tokens;
        lock (_tokensSeen) tokens = [.. _tokensSeen];
        foreach (var secret in tokens.Prepend(_options.Password))
        {
            if (secret is { Length: >= 3 }) text = text.Replace(secret, "***", StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>The longest a dispose waits for the BMC to end the session.</summary>
    public static readonly TimeSpan LogoutTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Logs out (at most <see cref="LogoutTimeout"/>, and each request's own timeout), then releases the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        try
        {
            using var timeout = new CancellationTokenSource(LogoutTimeout);
            await LogOutAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _disposed = true;
            _http.Dispose();
            _authLock.Dispose();
        }
    }

    /// <summary>
    /// Logs out as <see cref="DisposeAsync"/> does, blocking the caller for as long (a session left
    /// open holds one of the BMC's few session slots until it times out there). Prefer
    /// <c>await using</c>; this is for callers that can only dispose synchronously.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        // The same bounded logout and release; on the thread pool, so that no synchronization
        // context of the caller can deadlock the wait.
        Task.Run(() => DisposeAsync().AsTask(), CancellationToken.None).GetAwaiter().GetResult();
    }
}
