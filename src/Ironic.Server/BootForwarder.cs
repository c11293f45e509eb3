using System.Net;
using Ironic.Core.Inventory;

namespace Ironic.Server;

/// <summary>What the owner answered to a forwarded request; null body when it did not answer in time.</summary>
internal sealed record ForwardedAnswer(int Status, string? ContentType, byte[] Body, TimeSpan? RetryAfter = null);

/// <summary>
/// Sends a boot request to the node's owner over the internal route with the shared secret,
/// and brings back its status and body (the client never sees a redirect). Pooled
/// connections keep forwarding cheap; a short timeout keeps a dead owner from holding a
/// client longer than that.
/// </summary>
internal sealed class BootForwarder : IDisposable
{
    public const string InternalPrefix = "/internal/v1/boot/";

    private readonly HttpClient _http;
    private readonly string? _secret;

    public BootForwarder(string? secret, TimeSpan timeout)
    {
        _secret = secret;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = timeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = 256,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            AllowAutoRedirect = false,
            // Per-request work the internal route has no use for: cookies and trace headers.
            UseCookies = false,
            ActivityHeadersPropagator = null,
        };
        _http = new HttpClient(handler) { Timeout = timeout };
    }

    public bool CanForward => _secret is not null;

    /// <summary>Asks the owner; null when it cannot be reached or does not answer within the timeout.</summary>
    public async Task<ForwardedAnswer?> ForwardAsync(Conductor owner, string mac, string name, CancellationToken cancellationToken)
    {
        var url = new Uri(owner.InternalUrl, InternalPrefix + Uri.EscapeDataString(mac) + "/" + Uri.EscapeDataString(name));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation(BootServerOptions.SecretHeader, _secret);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return new ForwardedAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), body, response.Headers.RetryAfter?.Delta);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}
