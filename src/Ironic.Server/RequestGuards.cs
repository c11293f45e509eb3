using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ironic.Server;

/// <summary>
/// Middleware that stands between the network and the handlers: no exception detail ever
/// reaches a client, and more requests in flight than the limit are shed with 503 +
/// Retry-After (which iPXE honours) instead of piling up in a queue.
/// </summary>
internal sealed class RequestGuards(BootServerOptions options, ILogger logger)
{
    private int _inFlight;

    public int InFlight => Volatile.Read(ref _inFlight);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var shed = !context.Request.Path.StartsWithSegments("/healthz", StringComparison.Ordinal);
        if (shed && Interlocked.Increment(ref _inFlight) > options.MaxConcurrentRequests)
        {
            Interlocked.Decrement(ref _inFlight);
            await PlainResponses.UnavailableAsync(context, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            return;
        }
        try
        {
            await next(context).ConfigureAwait(false);
            // Routing's own 404 (no route) and 405 (wrong method) have empty bodies: make them the one 404.
            if (!context.Response.HasStarted && context.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)
            {
                context.Response.Headers.Allow = default;
                await PlainResponses.NotFoundAsync(context).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e)
        {
            logger.LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await PlainResponses.ErrorAsync(context).ConfigureAwait(false);
            }
            else
            {
                context.Abort();
            }
        }
        finally
        {
            if (shed) Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>True when the client may use the boot API (no allow-list, or its address is in one of the networks).</summary>
    public static bool ClientAllowed(HttpContext context, IReadOnlyList<IPNetwork> allowed)
    {
        if (allowed.Count == 0) return true;
        var address = context.Connection.RemoteIpAddress;
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var network in allowed)
        {
            if (network.Contains(address)) return true;
        }
        return false;
    }
}
