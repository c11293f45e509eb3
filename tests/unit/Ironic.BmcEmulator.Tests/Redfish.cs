using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Ironic.BmcEmulation.Tests;

/// <summary>An answer read whole: status, headers, JSON body (null when empty).</summary>
internal sealed record RedfishAnswer(HttpStatusCode Status, HttpResponseHeaders Headers, HttpContentHeaders? ContentHeaders, JsonNode? Body)
{
    public string? Header(string name) =>
        Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
        : ContentHeaders is not null && ContentHeaders.TryGetValues(name, out var content) ? string.Join(", ", content)
        : null;

    /// <summary>The MessageId of the first @Message.ExtendedInfo entry, e.g. "Base.1.12.ActionParameterMissing".</summary>
    public string? MessageId => Body?["error"]?["@Message.ExtendedInfo"]?[0]?["MessageId"]?.GetValue<string>();

    public string? Message => Body?["error"]?["@Message.ExtendedInfo"]?[0]?["Message"]?.GetValue<string>();
}

/// <summary>A raw HttpClient speaking to an emulator with Basic auth (or none), as a client under test would.</summary>
internal sealed class Redfish : IDisposable
{
    private readonly HttpClient _http;

    public Redfish(BmcEmulator emulator, string? user = "admin", string? password = "password", HttpMessageHandler? handler = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = emulator.Address;
        _http.Timeout = TimeSpan.FromSeconds(30);
        if (user is not null)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
    }

    public HttpClient Http => _http;

    public Task<RedfishAnswer> GetAsync(string path, IDictionary<string, string>? headers = null) => SendAsync(HttpMethod.Get, path, null, headers);

    public Task<RedfishAnswer> PostAsync(string path, string? json, IDictionary<string, string>? headers = null) => SendAsync(HttpMethod.Post, path, json, headers);

    public Task<RedfishAnswer> PatchAsync(string path, string json, string? ifMatch = null) =>
        SendAsync(HttpMethod.Patch, path, json, ifMatch is null ? null : new Dictionary<string, string> { ["If-Match"] = ifMatch });

    public Task<RedfishAnswer> DeleteAsync(string path, IDictionary<string, string>? headers = null) => SendAsync(HttpMethod.Delete, path, null, headers);

    public async Task<RedfishAnswer> SendAsync(HttpMethod method, string path, string? json, IDictionary<string, string>? headers)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new RedfishAnswer(response.StatusCode, response.Headers, response.Content.Headers, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>GET the resource for its ETag.</summary>
    public async Task<string> ETagAsync(string path) =>
        (await GetAsync(path)).Header("ETag") ?? throw new InvalidOperationException($"{path} answered without an ETag.");

    public void Dispose() => _http.Dispose();
}
