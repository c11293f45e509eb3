using System.Net;
using System.Text.Json;

namespace Ironic.Core.Redfish;

/// <summary>A Redfish resource as read: its path, its JSON body, its ETag and the methods its Allow header lists.</summary>
public sealed record RedfishResource(string Path, JsonElement Body, string? ETag, IReadOnlyList<string> Allow)
{
    /// <summary>True when the Allow header lists the method (a BMC that sends no Allow header says nothing).</summary>
    public bool Allows(string method) => Allow.Any(a => a.Equals(method, StringComparison.OrdinalIgnoreCase));
}

/// <summary>The answer to one request, after retries: status, body (when JSON), and the headers the client acts on.</summary>
public sealed record RedfishResponse(
    HttpStatusCode StatusCode,
    JsonElement? Body,
    string? ETag,
    IReadOnlyList<string> Allow,
    Uri? Location,
    TimeSpan? RetryAfter)
{
    public bool IsSuccess => (int)StatusCode is >= 200 and < 300;

    /// <summary>The X-Auth-Token of a session POST; kept out of ToString and logs.</summary>
    internal string? SessionToken { get; init; }

    /// <summary>Prints the status and headers the client acts on, never the session token.</summary>
    public override string ToString() => $"{(int)StatusCode} {StatusCode}{(Location is null ? "" : $" Location: {Location.AbsolutePath}")}";
}

/// <summary>Small readers over Redfish JSON, which BMCs fill unevenly: a missing or null property is null here.</summary>
public static class RedfishJson
{
    public static JsonElement? Property(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static string? String(this JsonElement element, string name) =>
        element.Property(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static bool? Bool(this JsonElement element, string name) =>
        element.Property(name) is { } value && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    /// <summary>The <c>@odata.id</c> of a link property (<c>"VirtualMedia": {"@odata.id": "..."}</c>).</summary>
    public static string? Link(this JsonElement element, string name) => element.Property(name)?.String("@odata.id");

    public static IReadOnlyList<string> Strings(this JsonElement element, string name) =>
        element.Property(name) is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];

    /// <summary>The <c>@odata.id</c> of each entry of a link array (<c>Members</c>, <c>Links.ManagedBy</c>).</summary>
    public static IReadOnlyList<string> Links(this JsonElement element, string name) =>
        element.Property(name) is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().Select(e => e.String("@odata.id")).OfType<string>().ToList()
            : [];
}
