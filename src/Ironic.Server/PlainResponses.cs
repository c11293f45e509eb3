using System.Text;
using Microsoft.AspNetCore.Http;

namespace Ironic.Server;

/// <summary>
/// The few bodies a client ever sees on failure. The 404 is one constant, byte for byte,
/// whatever went wrong, so that it tells a prober nothing.
/// </summary>
internal static class PlainResponses
{
    public static readonly byte[] NotFoundBody = Encoding.ASCII.GetBytes("Not Found\n");
    public static readonly byte[] UnavailableBody = Encoding.ASCII.GetBytes("Service Unavailable\n");
    public static readonly byte[] ErrorBody = Encoding.ASCII.GetBytes("Internal Server Error\n");
    public const string TextPlain = "text/plain; charset=utf-8";

    public static Task NotFoundAsync(HttpContext context) => WriteAsync(context, StatusCodes.Status404NotFound, NotFoundBody);

    public static Task UnavailableAsync(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return WriteAsync(context, StatusCodes.Status503ServiceUnavailable, UnavailableBody);
    }

    public static Task ErrorAsync(HttpContext context) => WriteAsync(context, StatusCodes.Status500InternalServerError, ErrorBody);

    public static Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = TextPlain;
        response.ContentLength = body.Length;
        response.Headers.CacheControl = "no-store";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, 0, body.Length, context.RequestAborted);
    }
}
