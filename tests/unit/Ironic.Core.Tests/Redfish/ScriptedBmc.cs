using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Ironic.Core.Tests.Redfish;

/// <summary>
/// An in-memory BMC for unit tests: serves JSON resources by path, lets a test script any
/// answer, and records every request (method, path, headers, body) for assertions.
/// </summary>
internal sealed class ScriptedBmc : HttpMessageHandler
{
    public const string User = "admin";
    public const string Password = "s3cret-Passw0rd";
    public const string Token = "tok-0123456789abcdef";

    public Dictionary<string, JsonObject> Resources { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> ETags { get; } = new(StringComparer.Ordinal);
    public List<RecordedRequest> Requests { get; } = [];
    private readonly List<(string Method, string Path, Func<RecordedRequest, HttpResponseMessage?> Answer)> _scripts = [];
    public bool SessionsEnabled { get; set; } = true;
    public int TokenGeneration { get; private set; }

    public sealed record RecordedRequest(string Method, string Path, string? Body, string? Token, string? Authorization, string? IfMatch);

    public ScriptedBmc()
    {
        Resources["/redfish/v1/"] = Json("""{"@odata.id":"/redfish/v1/","Systems":{"@odata.id":"/redfish/v1/Systems"},"Managers":{"@odata.id":"/redfish/v1/Managers"},"Links":{"Sessions":{"@odata.id":"/redfish/v1/SessionService/Sessions"}}}""");
        Resources["/redfish/v1/Systems"] = Json("""{"Members":[{"@odata.id":"/redfish/v1/Systems/1"}]}""");
        Resources["/redfish/v1/Systems/1"] = Json("""
            {"@odata.id":"/redfish/v1/Systems/1","Id":"1","PowerState":"Off",
             "Boot":{"BootSourceOverrideTarget":"None","BootSourceOverrideEnabled":"Disabled","BootSourceOverrideMode":"Legacy",
                     "BootSourceOverrideTarget@Redfish.AllowableValues":["None","Pxe","Cd","Hdd"]},
             "Actions":{"#ComputerSystem.Reset":{"target":"/redfish/v1/Systems/1/Actions/ComputerSystem.Reset","ResetType@Redfish.AllowableValues":["On","ForceOff","GracefulShutdown","ForceRestart"]}},
             "Links":{"ManagedBy":[{"@odata.id":"/redfish/v1/Managers/1"}]}}
            """);
        Resources["/redfish/v1/Managers"] = Json("""{"Members":[{"@odata.id":"/redfish/v1/Managers/1"}]}""");
        Resources["/redfish/v1/Managers/1"] = Json("""{"@odata.id":"/redfish/v1/Managers/1","VirtualMedia":{"@odata.id":"/redfish/v1/Managers/1/VirtualMedia"}}""");
        Resources["/redfish/v1/Managers/1/VirtualMedia"] = Json("""{"Members":[{"@odata.id":"/redfish/v1/Managers/1/VirtualMedia/Floppy"},{"@odata.id":"/redfish/v1/Managers/1/VirtualMedia/Cd"}]}""");
        Resources["/redfish/v1/Managers/1/VirtualMedia/Floppy"] = Json("""{"@odata.id":"/redfish/v1/Managers/1/VirtualMedia/Floppy","Id":"Floppy","MediaTypes":["Floppy","USBStick"],"Inserted":false}""");
        Resources["/redfish/v1/Managers/1/VirtualMedia/Cd"] = Json("""
            {"@odata.id":"/redfish/v1/Managers/1/VirtualMedia/Cd","Id":"Cd","MediaTypes":["CD","DVD"],"Image":null,"Inserted":false,"WriteProtected":true,
             "Actions":{"#VirtualMedia.InsertMedia":{"target":"/redfish/v1/Managers/1/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia"},
                        "#VirtualMedia.EjectMedia":{"target":"/redfish/v1/Managers/1/VirtualMedia/Cd/Actions/VirtualMedia.EjectMedia"}}}
            """);
        // Default behaviour of the actions: insert and eject change the slot, reset changes power.
        On("POST", "/redfish/v1/Managers/1/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia", r =>
        {
            var body = JsonNode.Parse(r.Body!)!.AsObject();
            var slot = Resources["/redfish/v1/Managers/1/VirtualMedia/Cd"];
            slot["Image"] = body["Image"]!.GetValue<string>();
            slot["Inserted"] = true;
            return Answer(HttpStatusCode.NoContent);
        });
        On("POST", "/redfish/v1/Managers/1/VirtualMedia/Cd/Actions/VirtualMedia.EjectMedia", _ =>
        {
            var slot = Resources["/redfish/v1/Managers/1/VirtualMedia/Cd"];
            slot["Image"] = null;
            slot["Inserted"] = false;
            return Answer(HttpStatusCode.NoContent);
        });
        On("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", r =>
        {
            var type = JsonNode.Parse(r.Body!)!["ResetType"]!.GetValue<string>();
            Resources["/redfish/v1/Systems/1"]["PowerState"] = type is "ForceOff" or "GracefulShutdown" ? "Off" : "On";
            return Answer(HttpStatusCode.NoContent);
        });
    }

    public static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    /// <summary>Scripts an answer; the newest script for a method+path wins; returning null falls through to the next.</summary>
    public void On(string method, string path, Func<RecordedRequest, HttpResponseMessage?> answer) => _scripts.Insert(0, (method, path, answer));

    public static HttpResponseMessage Answer(HttpStatusCode status, string? json = null)
    {
        var response = new HttpResponseMessage(status);
        if (json is not null) response.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return response;
    }

    public static HttpResponseMessage Error(HttpStatusCode status, string messageId, string message) =>
        Answer(status, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = "Base.1.8.GeneralError",
                ["message"] = "A general error has occurred. See ExtendedInfo for more information.",
                ["@Message.ExtendedInfo"] = new JsonArray(new JsonObject { ["MessageId"] = messageId, ["Message"] = message }),
            },
        }.ToJsonString());

    public IEnumerable<RecordedRequest> To(string method, string path) => Requests.Where(r => r.Method == method && r.Path == path);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        var recorded = new RecordedRequest(
            request.Method.Method, path, body,
            request.Headers.TryGetValues("X-Auth-Token", out var t) ? t.First() : null,
            request.Headers.Authorization?.ToString(),
            request.Headers.TryGetValues("If-Match", out var m) ? m.First() : null);
        lock (Requests) Requests.Add(recorded);

        foreach (var (method, p, answer) in _scripts.ToList())
        {
            if (method == recorded.Method && p == path && answer(recorded) is { } scripted)
            {
                if (!Authorized(recorded) && path is not "/redfish/v1/SessionService/Sessions" and not "/redfish/v1/") return Error(HttpStatusCode.Unauthorized, "Base.1.8.NoValidSession", "There is no valid session established with the implementation.");
                return scripted;
            }
        }
        if (recorded.Method == "POST" && path == "/redfish/v1/SessionService/Sessions")
        {
            if (!SessionsEnabled) return Answer(HttpStatusCode.MethodNotAllowed);
            var credentials = JsonNode.Parse(body!)!;
            if (credentials["UserName"]?.GetValue<string>() != User || credentials["Password"]?.GetValue<string>() != Password)
            {
                return Error(HttpStatusCode.Unauthorized, "Base.1.8.ResourceAtUriUnauthorized", "While accessing the resource at /redfish/v1/SessionService/Sessions, the service received an authorization error: invalid username or password.");
            }
            TokenGeneration++;
            var created = Answer(HttpStatusCode.Created, """{"@odata.id":"/redfish/v1/SessionService/Sessions/7"}""");
            created.Headers.Add("X-Auth-Token", CurrentToken);
            created.Headers.Location = new Uri("/redfish/v1/SessionService/Sessions/7", UriKind.Relative);
            return created;
        }
        if (path != "/redfish/v1/" && !Authorized(recorded))
        {
            return Error(HttpStatusCode.Unauthorized, "Base.1.8.NoValidSession", "There is no valid session established with the implementation.");
        }
        if (recorded.Method == "DELETE") return Answer(HttpStatusCode.NoContent);
        if (recorded.Method == "GET" && Resources.TryGetValue(path, out var resource))
        {
            var ok = Answer(HttpStatusCode.OK, resource.ToJsonString());
            if (ETags.TryGetValue(path, out var etag)) ok.Headers.TryAddWithoutValidation("ETag", etag);
            return ok;
        }
        return Error(HttpStatusCode.NotFound, "Base.1.8.ResourceMissingAtURI", $"The resource at the URI {path} was not found.");
    }

    public string CurrentToken => $"{Token}-{TokenGeneration}";

    private bool Authorized(RecordedRequest r) =>
        r.Token == CurrentToken
        || r.Authorization == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
}
