using System.Security.Cryptography;
using System.Text;
using Ironic.Core.Boot;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ironic.Server;

/// <summary>
/// The boot configuration API: <c>GET /v1/boot/{mac}/{name}</c> (any server), the internal
/// route the owner answers forwarded requests on, and the catch-all <c>GET /boot.ipxe</c>.
/// </summary>
internal sealed class BootEndpoints(
    BootServerOptions options,
    BootConfigService service,
    ConductorMembership membership,
    BootForwarder forwarder,
    ILogger logger,
    Action<Core.Inventory.Node>? bootConfigServed = null,
    Core.Status.NodeActivityLog? activity = null)
{
    private readonly BootLookupCache _cache = new(options.BootCacheTtl);

    private readonly byte[] _catchAll = Encoding.UTF8.GetBytes(IpxeScripts.RenderCatchAll(options.BootConfig.ApiRootUrl));
    private readonly byte[]? _secretHash = options.SharedSecret is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.SharedSecret));

    public async Task CatchAllAsync(HttpContext context)
    {
        if (!options.BootConfig.UseBootConfigApi || !RequestGuards.ClientAllowed(context, options.AllowedNetworks))
        {
            await PlainResponses.NotFoundAsync(context).ConfigureAwait(false);
            return;
        }
        await WriteAsync(context, StatusCodes.Status200OK, IpxeScripts.ContentType, _catchAll).ConfigureAwait(false);
    }

    /// <summary>Public route: find the node, let its owner render (here or by forwarding), relay.</summary>
    public async Task BootAsync(HttpContext context, string mac, string name)
    {
        var cancellationToken = context.RequestAborted;
        var allowed = RequestGuards.ClientAllowed(context, options.AllowedNetworks);
        var request = BootConfigService.ParseRequest(mac, name);
        // The lookup runs for every request, allowed or not, well formed or not: same work, same timing.
        var node = await _cache.FindNodeAsync(service, request, cancellationToken).ConfigureAwait(false);
        if (!allowed || node is null)
        {
            await PlainResponses.NotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        var owner = _cache.OwnerOf(membership.Ring, node, request.MacAddress);
        if (owner is null)
        {
            await PlainResponses.NotFoundAsync(context).ConfigureAwait(false);
            return;
        }
        if (owner.Name == membership.Self.Name)
        {
            await RenderAsync(context, node, request).ConfigureAwait(false);
            return;
        }
        if (!forwarder.CanForward)
        {
            logger.LogError("Node {Node} belongs to conductor {Owner}, but no shared secret is configured to forward to it; set [boot_server]shared_secret or ${Env}.",
                node.Uuid, owner.Name, BootServerOptions.SecretEnvironmentVariable);
            await PlainResponses.UnavailableAsync(context, options.HeartbeatTimeout).ConfigureAwait(false);
            return;
        }
        var answer = await forwarder.ForwardAsync(owner, request.MacAddress, request.Name, cancellationToken).ConfigureAwait(false);
        if (answer is null)
        {
            // The owner is down or slow; once its heartbeat is stale the ring moves its nodes and a retry succeeds.
            logger.LogWarning("Conductor {Owner} at {Url} did not answer a forwarded boot request within {Timeout} s", owner.Name, owner.InternalUrl, options.ForwardTimeout.TotalSeconds);
            await PlainResponses.UnavailableAsync(context, options.HeartbeatInterval).ConfigureAwait(false);
            return;
        }
        if (answer.Status == StatusCodes.Status404NotFound)
        {
            await PlainResponses.NotFoundAsync(context).ConfigureAwait(false);
            return;
        }
        if (answer.Status == StatusCodes.Status503ServiceUnavailable)
        {
            // The owner is shedding load: pass its Retry-After on, so iPXE waits as the owner asked.
            await PlainResponses.UnavailableAsync(context, answer.RetryAfter ?? TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            return;
        }
        await WriteAsync(context, answer.Status, answer.ContentType ?? PlainResponses.TextPlain, answer.Body).ConfigureAwait(false);
    }

    /// <summary>Internal route: a forwarded request, answered only with the right shared secret.</summary>
    public async Task InternalBootAsync(HttpContext context, string mac, string name)
    {
        var authorized = SecretMatches(context.Request.Headers[BootServerOptions.SecretHeader].ToString());
        var request = BootConfigService.ParseRequest(mac, name);
        var node = await _cache.FindNodeAsync(service, request, context.RequestAborted).ConfigureAwait(false);
        if (!authorized || node is null)
        {
            await PlainResponses.NotFoundAsync(context).ConfigureAwait(false);
            return;
        }
        // The forwarder's ring said this server owns the node; render without asking again, so that
        // two servers with briefly different rings can never bounce a request between them.
        await RenderAsync(context, node, request).ConfigureAwait(false);
    }

    private async Task RenderAsync(HttpContext context, Core.Inventory.Node node, BootConfigRequest request)
    {
        var config = await _cache.RenderAsync(service, node, request, context.RequestAborted).ConfigureAwait(false);
        if (config is null)
        {
            await PlainResponses.NotFoundAsync(context).ConfigureAwait(false);
            return;
        }
        await WriteAsync(context, StatusCodes.Status200OK, config.ContentType, config.Content).ConfigureAwait(false);
        // The node fetched its script: a ramdisk deploy waiting for that call-back can finish.
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            // The owner renders every fetch of its nodes (forwarded or not), so its status page has them all.
            activity?.RecordBootConfig(node.Uuid, DateTimeOffset.UtcNow, request.MacAddress, request.Name, options.Name);
            bootConfigServed?.Invoke(node);
        }
    }

    /// <summary>Forgets the cached lookups of a node whose state changed (see <see cref="BootLookupCache.Forget"/>).</summary>
    public void Forget(Guid nodeUuid) => _cache.Forget(nodeUuid);

    /// <summary>Constant-time comparison of SHA-256 digests, so neither content nor length leaks through timing.</summary>
    private bool SecretMatches(string presented)
    {
        if (_secretHash is null || presented.Length == 0) return false;
        return CryptographicOperations.FixedTimeEquals(_secretHash, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
    }

    private static Task WriteAsync(HttpContext context, int status, string contentType, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        response.Headers.CacheControl = "no-store";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, 0, body.Length, context.RequestAborted);
    }
}
