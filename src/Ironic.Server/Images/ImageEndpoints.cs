using Ironic.Core.Status;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Ironic.Server.Images;

/// <summary>
/// <c>GET/HEAD /v1/images/{node}/{file}</c>: asks the providers in order and serves the first
/// hit with Range (one range: 206, unsatisfiable: 416), ETag, If-None-Match (304),
/// If-Modified-Since, If-Range, Last-Modified and Accept-Ranges, as BMCs and iPXE expect from an
/// image server. Several ranges in one request are answered with the whole file (RFC 9110 allows it).
/// </summary>
internal sealed class ImageEndpoints(IReadOnlyList<INodeImageProvider> providers, NodeActivityLog? activity = null, string serverName = "", Core.Deploy.NodeImageReads? reads = null)
{
    public async Task ServeAsync(HttpContext context, string node, string file)
    {
        NodeImage? image = null;
        foreach (var provider in providers)
        {
            image = await provider.OpenAsync(node, file, context.RequestAborted).ConfigureAwait(false);
            if (image is not null) break;
        }
        if (image is null)
        {
            await PlainResponses.NotFoundAsync(context).ConfigureAwait(false);
            return;
        }
        // GETs of a deployed node's ISO are counted while they run: a one-shot release waits until they are over.
        var counted = reads is not null && image.DeployedNode is { } deployed && HttpMethods.IsGet(context.Request.Method) ? deployed : (Guid?)null;
        if (counted is { } begun) reads!.Begin(begun, DateTimeOffset.UtcNow);
        await using (image.ConfigureAwait(false))
        {
            try
            {
                context.Response.Headers.CacheControl = "no-cache";
                var result = Results.Stream(
                    image.Content,
                    image.ContentType,
                    fileDownloadName: null,
                    lastModified: image.LastModified,
                    entityTag: EntityTagHeaderValue.Parse(image.ETag),
                    enableRangeProcessing: true);
                await result.ExecuteAsync(context).ConfigureAwait(false);
            }
            finally
            {
                if (counted is { } ended) reads!.End(ended, context.Response.StatusCode is StatusCodes.Status200OK or StatusCodes.Status206PartialContent, DateTimeOffset.UtcNow);
            }
        }
        if (HttpMethods.IsGet(context.Request.Method))
        {
            // Recorded once served (or refused with 304/416): the status page shows what the BMC really got.
            var range = context.Request.Headers.Range.ToString();
            activity?.RecordImage(node, new ImageDownload(DateTimeOffset.UtcNow, file, context.Response.StatusCode, range.Length == 0 ? null : range, serverName));
        }
    }
}
