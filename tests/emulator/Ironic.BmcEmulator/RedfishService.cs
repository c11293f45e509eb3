using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ironic.BmcEmulation;

/// <summary>An answer before it is written: status, extra headers, JSON body (or none).</summary>
internal sealed record Answer(int Status, JsonNode? Body, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The body already serialized (a GET renders once for the ETag and the answer); wins over Body.</summary>
    public string? RenderedBody { get; init; }

    public static Answer Of(RedfishError error) => new(error.Status, error.ToJson(), error.Headers);

    public static Answer NoContent { get; } = new(204, null, new Dictionary<string, string>());

    /// <summary>No answer at all: the connection is aborted (a BMC that falls over mid-request).</summary>
    public static Answer Dropped { get; } = new(0, null, new Dictionary<string, string>());
}

/// <summary>A request as the service sees it: method, normalized path, headers, raw body.</summary>
internal sealed record IncomingRequest(string Method, string Path, Func<string, string?> Header, string Body);

/// <summary>
/// The Redfish behaviour of one BMC: authentication, GET with ETags, PATCH with If-Match, sessions,
/// Reset, InsertMedia/EjectMedia, task monitors and the profile's quirks. One per emulator; thread-safe
/// through <see cref="BmcState.Gate"/>.
/// </summary>
internal sealed class RedfishService : IDisposable
{
    /// <summary>Longest image URL a BMC with <see cref="BmcQuirks.RequireIsoExtension"/> takes (iDRAC and bmcweb cap paths near 256).</summary>
    private const int MaxImageUrlLength = 255;
    private const string TaskMonitors = ResourceTree.Root + "/TaskService/TaskMonitors/";
    private static readonly string[] StandardResetTypes = ["On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "Nmi", "ForceOn", "PushPowerButton", "PowerCycle"];
    private static readonly string[] InsertParameters = ["Image", "Inserted", "WriteProtected", "TransferProtocolType", "TransferMethod", "UserName", "Password", "MediaType"];

    private readonly BmcEmulatorOptions _options;
    private readonly BmcQuirks _quirks;
    private readonly BmcState _state;
    private readonly ImageDownloader _downloader;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Random _failureRandom;
    private readonly Dictionary<string, string> _sessionsByToken = new(StringComparer.Ordinal);
    private readonly List<string> _issuedTokens = [];
    private readonly Dictionary<string, TaskRecord> _tasks = new(StringComparer.Ordinal);
    private readonly string _sessionsPath;
    private long _requestCount;
    private int _failNextCount;
    private int _failNextStatus = 503;
    private int _dropNextCount;
    private readonly List<(RequestFault Fault, int Left)> _faults = [];
    private int _nextSessionId;
    private int _nextTaskId;
    private int _powerGeneration;

    public RedfishService(BmcEmulatorOptions options, BmcState state, HttpClient imageHttp)
    {
        _options = options;
        _quirks = options.EffectiveQuirks;
        _state = state;
        _downloader = new ImageDownloader(imageHttp, options.DownloadChunkSize);
        _failureRandom = new Random(options.FailureSeed);
        var root = state.Tree.Find(ResourceTree.Root)!;
        _sessionsPath = ResourceTree.Normalize(
            root["Links"]?["Sessions"]?["@odata.id"]?.GetValue<string>()
            ?? state.Tree.Find(root["SessionService"]?["@odata.id"]?.GetValue<string>() ?? "")?["Sessions"]?["@odata.id"]?.GetValue<string>()
            ?? ResourceTree.Root + "/SessionService/Sessions");
    }

    public async Task<Answer> AnswerAsync(IncomingRequest request, CancellationToken cancellationToken)
    {
        if (_options.ResponseDelay > TimeSpan.Zero) await Task.Delay(_options.ResponseDelay, cancellationToken).ConfigureAwait(false);
        if (TakeOne(ref _dropNextCount)) return Answer.Dropped;
        if (TakeOne(ref _failNextCount))
        {
            var status = Volatile.Read(ref _failNextStatus);
            return Answer.Of(status == 503
                ? RedfishError.ServiceTemporarilyUnavailable(_options.RetryAfterSeconds)
                : RedfishError.InternalError(status, "the emulator was told to fail this request"));
        }
        if (TakeFault(request) is { } fault)
        {
            if (fault.Delay > TimeSpan.Zero) await Task.Delay(fault.Delay, cancellationToken).ConfigureAwait(false);
            if (fault.Status == 503) return Answer.Of(RedfishError.ServiceTemporarilyUnavailable(_options.RetryAfterSeconds));
            if (fault.Status != 0) return Answer.Of(RedfishError.InternalError(fault.Status, fault.Message));
        }
        if (ShouldFailNow()) return Answer.Of(RedfishError.ServiceTemporarilyUnavailable(_options.RetryAfterSeconds));

        var path = request.Path;
        if (path == "/redfish") return new Answer(200, new JsonObject { ["v1"] = ResourceTree.Root + "/" }, new Dictionary<string, string>());

        var isPublic = (request.Method is "GET" or "HEAD" && path == ResourceTree.Root)
            || (request.Method == "POST" && path == _sessionsPath);
        if (!isPublic && Authenticate(request) is { } denied)
        {
            var answer = Answer.Of(denied);
            return answer with { Headers = new Dictionary<string, string>(answer.Headers) { ["WWW-Authenticate"] = "Basic realm=\"Redfish\"" } };
        }

        return request.Method switch
        {
            "GET" or "HEAD" => Get(path, request.Method == "HEAD"),
            "PATCH" => Patch(request),
            "POST" => await PostAsync(request, cancellationToken).ConfigureAwait(false),
            "DELETE" => Delete(request),
            _ => Answer.Of(RedfishError.MethodNotAllowed(request.Method, path, AllowedMethods(path))),
        };
    }

    /// <summary>The next <paramref name="count"/> requests get <paramref name="status"/> (503 with Retry-After, or e.g. 500) and change nothing.</summary>
    public void FailNext(int count, int status)
    {
        Volatile.Write(ref _failNextStatus, status);
        Volatile.Write(ref _failNextCount, count);
    }

    /// <summary>Arms a fault for the next <see cref="RequestFault.Count"/> requests that match it.</summary>
    public void AddFault(RequestFault fault)
    {
        lock (_faults) _faults.Add((fault, fault.Count));
    }

    /// <summary>The first armed fault the request matches, used up by one; null when none.</summary>
    private RequestFault? TakeFault(IncomingRequest request)
    {
        lock (_faults)
        {
            var at = _faults.FindIndex(f => f.Left > 0 && f.Fault.Matches(request));
            if (at < 0) return null;
            var (fault, left) = _faults[at];
            _faults[at] = (fault, left - 1);
            return fault;
        }
    }

    /// <summary>The next <paramref name="count"/> requests have their connection aborted without an answer.</summary>
    public void DropNext(int count) => Volatile.Write(ref _dropNextCount, count);

    /// <summary>Every X-Auth-Token handed out so far, logged out or not.</summary>
    public IReadOnlyList<string> IssuedTokens
    {
        get { lock (_state.Gate) return [.. _issuedTokens]; }
    }

    /// <summary>Every session token stops working (as after a BMC reboot or timeout); Basic still works.</summary>
    public void ExpireSessions()
    {
        lock (_state.Gate)
        {
            foreach (var path in _sessionsByToken.Values) _state.Tree.Remove(path);
            _sessionsByToken.Clear();
        }
    }

    private static bool TakeOne(ref int counter)
    {
        while (true)
        {
            var now = Volatile.Read(ref counter);
            if (now <= 0) return false;
            if (Interlocked.CompareExchange(ref counter, now - 1, now) == now) return true;
        }
    }

    private bool ShouldFailNow()
    {
        var count = Interlocked.Increment(ref _requestCount);
        if (_options.FailEveryNthRequest > 0 && count % _options.FailEveryNthRequest == 0) return true;
        if (_options.FailureProbability <= 0) return false;
        lock (_failureRandom) return _failureRandom.NextDouble() < _options.FailureProbability;
    }

    // ---- authentication ----

    private RedfishError? Authenticate(IncomingRequest request)
    {
        if (request.Header("X-Auth-Token") is { Length: > 0 } token)
        {
            lock (_state.Gate) return _sessionsByToken.ContainsKey(token) ? null : RedfishError.NoValidSession();
        }
        if (request.Header("Authorization") is { } authorization && authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
            }
            catch (FormatException)
            {
                return RedfishError.BadCredentials(request.Path);
            }
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 && CredentialsMatch(decoded[..colon], decoded[(colon + 1)..]) ? null : RedfishError.BadCredentials(request.Path);
        }
        return RedfishError.NoValidSession();
    }

    private bool CredentialsMatch(string user, string password) =>
        user == _options.UserName
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(_options.Password));

    // ---- GET ----

    private Answer Get(string path, bool headOnly)
    {
        if (path.StartsWith(TaskMonitors, StringComparison.Ordinal)) return GetTaskMonitor(path[TaskMonitors.Length..]);
        lock (_state.Gate)
        {
            var resource = _state.Tree.Find(path);
            if (resource is null) return Answer.Of(RedfishError.ResourceNotFound(path));
            RefreshCollections(path, resource);
            var rendered = resource.ToJsonString();
            var headers = new Dictionary<string, string> { ["ETag"] = ETagOf(rendered), ["Allow"] = AllowedMethods(path) };
            return new Answer(200, null, headers) { RenderedBody = rendered };
        }
    }

    /// <summary>Session and task collections list what exists now.</summary>
    private void RefreshCollections(string path, JsonObject resource)
    {
        string? memberType = path == _sessionsPath ? "#Session." : path == ResourceTree.Root + "/TaskService/Tasks" ? "#Task." : null;
        if (memberType is null) return;
        var members = _state.Tree.PathsOfType(memberType).Where(p => p.StartsWith(path + "/", StringComparison.Ordinal)).ToArray();
        resource["Members"] = new JsonArray(members.Select(m => (JsonNode?)new JsonObject { ["@odata.id"] = m }).ToArray());
        resource["Members@odata.count"] = members.Length;
    }

    private string AllowedMethods(string path)
    {
        if (path == _sessionsPath) return "GET, HEAD, POST";
        if (path == _state.SystemPath) return "GET, HEAD, PATCH";
        if (_state.IsSlot(path)) return VirtualMediaPatchAllowed ? "GET, HEAD, PATCH" : "GET, HEAD";
        if (path.StartsWith(_sessionsPath + "/", StringComparison.Ordinal)) return "GET, HEAD, DELETE";
        return "GET, HEAD";
    }

    private bool VirtualMediaPatchAllowed => _options.Profile == BmcProfile.Generic || _quirks.HasFlag(BmcQuirks.PatchOnlyVirtualMedia);

    private string ETagOf(JsonObject resource) => ETagOf(resource.ToJsonString());

    private string ETagOf(string rendered)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(rendered));
        var tag = $"\"{Convert.ToHexStringLower(hash.AsSpan(0, 8))}\"";
        return _quirks.HasFlag(BmcQuirks.WeakETags) ? "W/" + tag : tag;
    }

    /// <summary>Null when the request may change the resource, else 428 or 412.</summary>
    private RedfishError? CheckIfMatch(IncomingRequest request, JsonObject resource)
    {
        var ifMatch = request.Header("If-Match");
        if (string.IsNullOrWhiteSpace(ifMatch))
            return _quirks.HasFlag(BmcQuirks.IfMatchRequired) ? RedfishError.PreconditionRequired(request.Path) : null;
        if (_quirks.HasFlag(BmcQuirks.BrokenETags) && ifMatch.Trim() != "*") return RedfishError.PreconditionFailed(request.Path);
        var current = ETagOf(resource);
        // With weak ETags the comparison is strong (RFC 9110 13.1.1): a W/ tag never matches, so a
        // client must send the tag without W/. Otherwise the comparison is weak, as most BMCs do.
        var strong = _quirks.HasFlag(BmcQuirks.WeakETags);
        var currentOpaque = current.StartsWith("W/", StringComparison.Ordinal) ? current[2..] : current;
        foreach (var candidate in ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (candidate == "*") return null;
            var isWeak = candidate.StartsWith("W/", StringComparison.Ordinal);
            if (strong && isWeak) continue;
            if ((isWeak ? candidate[2..] : candidate) == currentOpaque) return null;
        }
        return RedfishError.PreconditionFailed(request.Path);
    }

    // ---- PATCH ----

    private Answer Patch(IncomingRequest request)
    {
        var path = request.Path;
        if (ParseObject(request.Body) is not { } body) return Answer.Of(RedfishError.MalformedJson());
        lock (_state.Gate)
        {
            var resource = _state.Tree.Find(path);
            if (resource is null) return Answer.Of(RedfishError.ResourceNotFound(path));
            var isSlot = _state.IsSlot(path);
            if (path != _state.SystemPath && !(isSlot && VirtualMediaPatchAllowed))
                return Answer.Of(RedfishError.MethodNotAllowed("PATCH", path, AllowedMethods(path)));
            if (CheckIfMatch(request, resource) is { } precondition) return Answer.Of(precondition);
            var error = isSlot ? PatchSlotLocked(path, resource, body) : PatchSystemLocked(resource, body);
            if (error is not null) return Answer.Of(error);
            return new Answer(200, resource.DeepClone(), new Dictionary<string, string> { ["ETag"] = ETagOf(resource) });
        }
    }

    private static RedfishError? PatchSystemLocked(JsonObject system, JsonObject body)
    {
        foreach (var (name, _) in body)
        {
            if (name == "Boot") continue;
            return system.ContainsKey(name) ? RedfishError.PropertyNotWritable(name) : RedfishError.PropertyUnknown(name);
        }
        if (body["Boot"] is not JsonObject patch) return body.ContainsKey("Boot") ? RedfishError.PropertyValueTypeError(body["Boot"]?.ToJsonString() ?? "null", "Boot") : null;
        var boot = system["Boot"] as JsonObject ?? [];
        var changes = new List<(string Name, string Value)>();
        foreach (var (name, value) in patch)
        {
            var known = name is "BootSourceOverrideTarget" or "BootSourceOverrideEnabled"
                || (boot.ContainsKey(name) && !name.Contains('@', StringComparison.Ordinal));
            if (!known) return RedfishError.PropertyUnknown($"Boot/{name}");
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            var allowed = name switch
            {
                "BootSourceOverrideTarget" => Allowable(boot, name, ["None", "Pxe", "Cd", "Usb", "Hdd", "BiosSetup"]),
                "BootSourceOverrideEnabled" => Allowable(boot, name, ["Disabled", "Once", "Continuous"]),
                "BootSourceOverrideMode" when boot.ContainsKey(name) => Allowable(boot, name, ["UEFI", "Legacy"]),
                _ => null,
            };
            if (text is null) return RedfishError.PropertyValueTypeError(value?.ToJsonString() ?? "null", $"Boot/{name}");
            if (allowed is not null && !allowed.Contains(text, StringComparer.Ordinal)) return RedfishError.PropertyValueNotInList(text, $"Boot/{name}");
            changes.Add((name, text));
        }
        foreach (var (name, value) in changes) boot[name] = value;
        system["Boot"] = boot;
        return null;
    }

    private static string[] Allowable(JsonObject owner, string property, string[] fallback) =>
        (owner[property + "@Redfish.AllowableValues"] as JsonArray)?.Select(v => v?.GetValue<string>() ?? "").ToArray() ?? fallback;

    /// <summary>PATCH {Image, Inserted, WriteProtected} on a slot: insert when an Image is given and Inserted is not false, else eject.</summary>
    private RedfishError? PatchSlotLocked(string path, JsonObject slot, JsonObject body)
    {
        foreach (var (name, _) in body)
        {
            if (!InsertParameters.Contains(name, StringComparer.Ordinal))
                return slot.ContainsKey(name) ? RedfishError.PropertyNotWritable(name) : RedfishError.PropertyUnknown(name);
        }
        var image = body["Image"] is JsonValue iv && iv.TryGetValue<string>(out var i) ? i : null;
        var inserted = body["Inserted"] is JsonValue bv && bv.TryGetValue<bool>(out var b) ? b : (bool?)null;
        if (body.ContainsKey("Inserted") && inserted is null) return RedfishError.PropertyValueTypeError(body["Inserted"]?.ToJsonString() ?? "null", "Inserted");
        if (image is null && body.ContainsKey("Image") || inserted == false)
        {
            EjectLocked(path, slot);
            return null;
        }
        if (image is null)
        {
            // WriteProtected alone on a slot is a plain property change.
            if (body["WriteProtected"] is JsonValue wv && wv.TryGetValue<bool>(out var wp)) slot["WriteProtected"] = wp;
            return null;
        }
        if (ValidateImageLocked(path, slot, image, body, "PATCH") is { } error) return error;
        InsertLocked(path, slot, new Uri(image), body);
        return null;
    }

    // ---- POST: sessions and actions ----

    private async Task<Answer> PostAsync(IncomingRequest request, CancellationToken cancellationToken)
    {
        var path = request.Path;
        if (path == _sessionsPath) return CreateSession(request);
        string resource, action;
        lock (_state.Gate)
        {
            if (!_state.Tree.TryFindAction(path, out resource, out action))
            {
                return _state.Tree.Find(path) is null
                    ? Answer.Of(RedfishError.ResourceNotFound(path))
                    : Answer.Of(RedfishError.MethodNotAllowed("POST", path, AllowedMethods(path)));
            }
        }
        JsonObject body;
        if (string.IsNullOrWhiteSpace(request.Body))
        {
            if (action == "VirtualMedia.EjectMedia" && _quirks.HasFlag(BmcQuirks.EjectRequiresJsonBody)) return Answer.Of(RedfishError.MalformedJson());
            body = [];
        }
        else if (ParseObject(request.Body) is { } parsed) body = parsed;
        else return Answer.Of(RedfishError.MalformedJson());

        Func<Task<PlannedAction>> plan = action switch
        {
            "ComputerSystem.Reset" => () => Task.FromResult(PlanReset(resource, body)),
            "VirtualMedia.InsertMedia" => () => PlanInsertAsync(resource, body, cancellationToken),
            "VirtualMedia.EjectMedia" => () => Task.FromResult(PlanEject(resource, body)),
            "Manager.Reset" => () => Task.FromResult(new PlannedAction(null, () => { })),
            _ => () => Task.FromResult(new PlannedAction(RedfishError.MethodNotAllowed("POST", path, "GET"), null)),
        };
        var planned = await plan().ConfigureAwait(false);
        if (planned.Error is not null) return Answer.Of(planned.Error);
        if (_quirks.HasFlag(BmcQuirks.ActionsAsTasks)) return StartTask(action, planned.Apply!);
        lock (_state.Gate) planned.Apply!();
        return ActionSucceeded();
    }

    /// <summary>Either an error (refused now) or the change to apply (now, or when its task ends).</summary>
    private sealed record PlannedAction(RedfishError? Error, Action? Apply);

    private Answer ActionSucceeded()
    {
        if (_options.Profile != BmcProfile.Ilo) return Answer.NoContent;
        // iLO answers actions with 200 and a Base.Success message.
        var success = new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = "iLO.0.10.ExtendedInfo",
                ["message"] = "See @Message.ExtendedInfo for more information.",
                ["@Message.ExtendedInfo"] = new JsonArray(new JsonObject { ["MessageId"] = "Base.1.4.Success" }),
            },
        };
        return new Answer(200, success, new Dictionary<string, string>());
    }

    private Answer CreateSession(IncomingRequest request)
    {
        if (_quirks.HasFlag(BmcQuirks.SessionsDisabled)) return Answer.Of(RedfishError.SessionsNotSupported());
        if (ParseObject(request.Body) is not { } body) return Answer.Of(RedfishError.MalformedJson());
        var user = body["UserName"] is JsonValue u && u.TryGetValue<string>(out var us) ? us : null;
        var password = body["Password"] is JsonValue p && p.TryGetValue<string>(out var ps) ? ps : null;
        if (user is null) return Answer.Of(RedfishError.PropertyMissing("UserName"));
        if (password is null) return Answer.Of(RedfishError.PropertyMissing("Password"));
        if (!CredentialsMatch(user, password)) return Answer.Of(RedfishError.BadCredentials(request.Path));
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        lock (_state.Gate)
        {
            var id = (++_nextSessionId).ToString(CultureInfo.InvariantCulture);
            var path = $"{_sessionsPath}/{id}";
            var session = new JsonObject
            {
                ["@odata.type"] = "#Session.v1_3_0.Session",
                ["Id"] = id,
                ["Name"] = "User Session",
                ["UserName"] = user,
            };
            _state.Tree.Add(path, session);
            _sessionsByToken[token] = path;
            _issuedTokens.Add(token);
            return new Answer(201, session.DeepClone(), new Dictionary<string, string> { ["X-Auth-Token"] = token, ["Location"] = path });
        }
    }

    private Answer Delete(IncomingRequest request)
    {
        var path = request.Path;
        lock (_state.Gate)
        {
            if (_state.Tree.Find(path) is null) return Answer.Of(RedfishError.ResourceNotFound(path));
            if (!path.StartsWith(_sessionsPath + "/", StringComparison.Ordinal))
                return Answer.Of(RedfishError.MethodNotAllowed("DELETE", path, AllowedMethods(path)));
            _state.Tree.Remove(path);
            foreach (var token in _sessionsByToken.Where(s => s.Value == path).Select(s => s.Key).ToArray()) _sessionsByToken.Remove(token);
            return Answer.NoContent;
        }
    }

    // ---- Reset ----

    private PlannedAction PlanReset(string systemPath, JsonObject body)
    {
        const string action = "ComputerSystem.Reset";
        foreach (var (name, _) in body)
        {
            if (name != "ResetType") return new(RedfishError.ActionParameterUnknown(action, name), null);
        }
        if (body["ResetType"] is not JsonValue value || !value.TryGetValue<string>(out var resetType))
            return new(RedfishError.ActionParameterMissing(action, "ResetType"), null);
        string[] allowed;
        lock (_state.Gate)
        {
            allowed = (_state.Tree.Find(systemPath)?["Actions"]?["#ComputerSystem.Reset"] as JsonObject) is { } reset
                ? Allowable(reset, "ResetType", StandardResetTypes)
                : StandardResetTypes;
        }
        if (!allowed.Contains(resetType, StringComparer.Ordinal))
            return new(RedfishError.ActionParameterValueNotInList(resetType, "ResetType", action), null);
        return new(null, () => ApplyResetLocked(resetType));
    }

    private void ApplyResetLocked(string resetType)
    {
        var system = _state.System;
        var now = system["PowerState"]?.GetValue<string>() ?? "Off";
        var isOn = now is "On" or "PoweringOn";
        var target = resetType switch
        {
            "On" or "ForceOn" or "ForceRestart" or "GracefulRestart" or "PowerCycle" => "On",
            "ForceOff" or "GracefulShutdown" => "Off",
            "PushPowerButton" => isOn ? "Off" : "On",
            _ => isOn ? "On" : "Off", // Nmi changes nothing
        };
        var restarts = resetType is "ForceRestart" or "GracefulRestart" or "PowerCycle";
        var boots = target == "On" && (!isOn || restarts);
        var generation = ++_powerGeneration;
        if (_options.PowerTransitionDelay <= TimeSpan.Zero || (target == "On") == isOn && !restarts)
        {
            system["PowerState"] = target;
            if (boots) BootLocked();
            return;
        }
        system["PowerState"] = target == "On" ? "PoweringOn" : "PoweringOff";
        _ = FinishPowerChangeAsync(generation, target, boots);
    }

    private async Task FinishPowerChangeAsync(int generation, string target, bool boots)
    {
        try
        {
            await Task.Delay(_options.PowerTransitionDelay, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        lock (_state.Gate)
        {
            if (generation != _powerGeneration) return;
            _state.System["PowerState"] = target;
            if (boots) BootLocked();
        }
    }

    /// <summary>
    /// The server boots: from the override when one is set (a CD target takes the inserted CD image), else
    /// from disk. A one-time override is used up, as real BMCs clear it once POST has taken it.
    /// </summary>
    private void BootLocked()
    {
        var boot = _state.System["Boot"] as JsonObject;
        var enabled = boot?["BootSourceOverrideEnabled"]?.GetValue<string>() ?? "Disabled";
        var target = boot?["BootSourceOverrideTarget"]?.GetValue<string>() ?? "None";
        var fromOverride = enabled != "Disabled" && target != "None";
        var device = fromOverride ? target : "Hdd";
        var mediaType = device switch
        {
            "Cd" or "UsbCd" or "UefiCd" or "UefiUsbCd" => "CD",
            "Usb" or "UsbKey" or "Floppy" => "USBStick",
            _ => null,
        };
        string? image = null;
        if (mediaType is not null)
        {
            image = _state.SlotPathsLocked()
                .Select(p => _state.Tree.Find(p)!)
                .Where(slot => slot["Inserted"]?.GetValue<bool>() == true
                    && slot["MediaTypes"] is JsonArray types
                    && types.Any(t => t?.GetValue<string>() is { } type && (type == mediaType || mediaType == "CD" && type == "DVD")))
                .Select(slot => slot["Image"]?.GetValue<string>())
                .FirstOrDefault(i => i is not null);
        }
        _state.AddBootLocked(new BootRecord(DateTimeOffset.UtcNow, device, fromOverride ? boot?["BootSourceOverrideMode"]?.GetValue<string>() : null, image, fromOverride));
        if (fromOverride && enabled == "Once" && boot is not null)
        {
            boot["BootSourceOverrideEnabled"] = "Disabled";
            boot["BootSourceOverrideTarget"] = "None";
        }
    }

    // ---- virtual media ----

    private async Task<PlannedAction> PlanInsertAsync(string slotPath, JsonObject body, CancellationToken cancellationToken)
    {
        string image;
        lock (_state.Gate)
        {
            var slot = _state.Tree.Find(slotPath)!;
            if (body["Image"] is not JsonValue iv || !iv.TryGetValue<string>(out var i) || i.Length == 0)
                return new(RedfishError.ActionParameterMissing("VirtualMedia.InsertMedia", "Image"), null);
            image = i;
            if (ValidateImageLocked(slotPath, slot, image, body, "VirtualMedia.InsertMedia") is { } error) return new(error, null);
        }
        var url = new Uri(image);
        if (_quirks.HasFlag(BmcQuirks.ValidateImageOnInsert)
            && await _downloader.ProbeAsync(url, cancellationToken).ConfigureAwait(false) is { } unreachable)
            return new(RedfishError.ImageUnreachable(image, unreachable.Status, unreachable.Why), null);
        return new(null, () =>
        {
            var slot = _state.Tree.Find(slotPath)!;
            if (slot["Inserted"]?.GetValue<bool>() == true) return; // another insert won the race
            InsertLocked(slotPath, slot, url, body);
        });
    }

    /// <summary>The checks real BMCs make before accepting an image; null when it is accepted.</summary>
    private RedfishError? ValidateImageLocked(string slotPath, JsonObject slot, string image, JsonObject body, string action)
    {
        foreach (var (name, _) in body)
        {
            if (!InsertParameters.Contains(name, StringComparer.Ordinal)) return RedfishError.ActionParameterUnknown(action, name);
        }
        var isAction = action != "PATCH";
        if (isAction && _quirks.HasFlag(BmcQuirks.InsertedWriteProtectedRefused))
        {
            foreach (var name in (string[])["Inserted", "WriteProtected"])
            {
                if (body.ContainsKey(name)) return RedfishError.ActionParameterNotSupported(name, action);
            }
        }
        if (isAction && _quirks.HasFlag(BmcQuirks.InsertedFalseRefused) && body["Inserted"] is JsonValue ins && ins.TryGetValue<bool>(out var i) && !i)
            return RedfishError.ActionParameterNotSupported("Inserted", action);
        if (!Uri.TryCreate(image, UriKind.Absolute, out var url))
            return RedfishError.ActionParameterValueError(image, "Image", action, "it is not an absolute URL.");
        var protocol = body["TransferProtocolType"] is JsonValue tv && tv.TryGetValue<string>(out var t) ? t : null;
        if (protocol is null && body.ContainsKey("TransferProtocolType"))
            return RedfishError.PropertyValueTypeError(body["TransferProtocolType"]?.ToJsonString() ?? "null", "TransferProtocolType");
        if (protocol is null && isAction && _quirks.HasFlag(BmcQuirks.TransferProtocolTypeRequired))
            return RedfishError.ActionParameterMissing(action, "TransferProtocolType");
        if (isAction && _quirks.HasFlag(BmcQuirks.CredentialsRequired))
        {
            foreach (var name in (string[])["UserName", "Password"])
            {
                if (!body.ContainsKey(name)) return RedfishError.ActionParameterMissing(action, name);
            }
        }
        if (protocol is not null)
        {
            var allowed = slot["Actions"]?["#VirtualMedia.InsertMedia"] is JsonObject insert
                ? Allowable(insert, "TransferProtocolType", ["CIFS", "FTP", "SFTP", "HTTP", "HTTPS", "NFS", "SCP", "TFTP", "OEM"])
                : ["CIFS", "FTP", "SFTP", "HTTP", "HTTPS", "NFS", "SCP", "TFTP", "OEM"];
            if (!allowed.Contains(protocol, StringComparer.Ordinal))
                return RedfishError.ActionParameterValueNotInList(protocol, "TransferProtocolType", action);
            if (!protocol.Equals(url.Scheme, StringComparison.OrdinalIgnoreCase))
                return RedfishError.ActionParameterValueError(protocol, "TransferProtocolType", action, $"the image URL uses {url.Scheme}.");
        }
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            return RedfishError.ActionParameterValueError(image, "Image", action, "this BMC fetches images over http and https only.");
        if (_quirks.HasFlag(BmcQuirks.RequireIsoExtension)
            && (!url.AbsolutePath.EndsWith(".iso", StringComparison.OrdinalIgnoreCase) || url.Query.Length > 0))
            return RedfishError.ActionParameterValueError(image, "Image", action, "the image must be an .iso file named in the URL path, without a query string.");
        if (_quirks.HasFlag(BmcQuirks.RequireIsoExtension) && image.Length > MaxImageUrlLength)
            return RedfishError.ActionParameterValueError(image, "Image", action, $"the URL is {image.Length} characters long; at most {MaxImageUrlLength} are accepted.");
        if (slot["Inserted"]?.GetValue<bool>() == true)
            return RedfishError.ResourceInUse(slotPath, slot["Image"]?.GetValue<string>() ?? "an image");
        return null;
    }

    /// <summary>Marks the slot inserted and starts the background fetch of the image.</summary>
    private void InsertLocked(string slotPath, JsonObject slot, Uri url, JsonObject body)
    {
        slot["Image"] = url.ToString();
        slot["ImageName"] = Path.GetFileName(url.AbsolutePath);
        slot["Inserted"] = true;
        slot["WriteProtected"] = body["WriteProtected"] is JsonValue wv && wv.TryGetValue<bool>(out var wp) ? wp : true;
        slot["TransferProtocolType"] = body["TransferProtocolType"]?.GetValue<string>() ?? url.Scheme.ToUpperInvariant();
        slot["ConnectedVia"] = "URI";
        slot["Status"] = new JsonObject { ["State"] = "Enabled", ["Health"] = "OK" };

        var runtime = _state.Runtime(slotPath);
        runtime.DownloadCancellation?.Cancel();
        runtime.DownloadCancellation = null;
        runtime.FirstInsert.TrySetResult();
        if (_options.ImageFetch == ImageFetchMode.None)
        {
            runtime.Download = ImageDownload.NotStarted;
            runtime.Finished = SlotRuntime.NewFinished(completed: true);
            return;
        }
        var headOnly = _options.ImageFetch == ImageFetchMode.HeadOnly;
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var finished = SlotRuntime.NewFinished(completed: false);
        runtime.DownloadCancellation = cancellation;
        runtime.Finished = finished;
        runtime.Download = new ImageDownload(ImageDownloadStatus.InProgress, url.ToString(), null, 0, null, 0, null);
        _ = Task.Run(() => _downloader.RunAsync(url, headOnly, download => ReportDownload(slotPath, cancellation, finished, download), cancellation.Token));
    }

    private void ReportDownload(string slotPath, CancellationTokenSource owner, TaskCompletionSource finished, ImageDownload download)
    {
        lock (_state.Gate)
        {
            var runtime = _state.Runtime(slotPath);
            if (!ReferenceEquals(runtime.DownloadCancellation, owner)) return; // ejected or replaced
            runtime.Download = download;
            if (download.Status is ImageDownloadStatus.InProgress) return;
            runtime.DownloadCancellation = null;
            owner.Dispose();
            if (download.Status == ImageDownloadStatus.Failed && _state.Tree.Find(slotPath) is { } slot)
            {
                if (_quirks.HasFlag(BmcQuirks.EjectOnDownloadFailure))
                {
                    slot["Inserted"] = false;
                    slot["ConnectedVia"] = "NotConnected";
                }
                slot["Status"] = new JsonObject { ["State"] = "Enabled", ["Health"] = "Critical" };
            }
            finished.TrySetResult();
        }
    }

    private PlannedAction PlanEject(string slotPath, JsonObject body)
    {
        foreach (var (name, _) in body)
            return new(RedfishError.ActionParameterUnknown("VirtualMedia.EjectMedia", name), null);
        if (_quirks.HasFlag(BmcQuirks.EjectEmptySlotRefused))
        {
            lock (_state.Gate)
            {
                if (_state.Tree.Find(slotPath)?["Inserted"]?.GetValue<bool>() != true) return new(RedfishError.NothingToEject(slotPath), null);
            }
        }
        return new(null, () => EjectLocked(slotPath, _state.Tree.Find(slotPath)!));
    }

    private void EjectLocked(string slotPath, JsonObject slot)
    {
        slot["Image"] = null;
        slot["ImageName"] = null;
        slot["Inserted"] = false;
        slot["ConnectedVia"] = "NotConnected";
        slot["TransferProtocolType"] = null;
        slot["Status"] = new JsonObject { ["State"] = "Enabled", ["Health"] = "OK" };
        var runtime = _state.Runtime(slotPath);
        if (runtime.DownloadCancellation is { } cancellation)
        {
            runtime.DownloadCancellation = null;
            runtime.Download = runtime.Download with { Status = ImageDownloadStatus.Cancelled, Error = "ejected before the download finished" };
            cancellation.Cancel();
            cancellation.Dispose();
            runtime.Finished.TrySetResult();
        }
    }

    /// <summary>A busy slot: inserted at start, nothing fetched.</summary>
    public void Preinsert(string slotPath, string image)
    {
        lock (_state.Gate)
        {
            var slot = _state.Tree.Find(slotPath)!;
            var url = new Uri(image);
            slot["Image"] = image;
            slot["ImageName"] = Path.GetFileName(url.AbsolutePath);
            slot["Inserted"] = true;
            slot["ConnectedVia"] = "URI";
            slot["TransferProtocolType"] = url.Scheme.ToUpperInvariant();
        }
    }

    // ---- tasks ----

    private sealed record TaskRecord(string TaskPath, DateTimeOffset Started);

    private Answer StartTask(string action, Action apply)
    {
        string id, taskPath;
        JsonObject task;
        lock (_state.Gate)
        {
            id = (++_nextTaskId).ToString(CultureInfo.InvariantCulture);
            taskPath = $"{ResourceTree.Root}/TaskService/Tasks/{id}";
            task = new JsonObject
            {
                ["@odata.type"] = "#Task.v1_4_3.Task",
                ["Id"] = id,
                ["Name"] = $"Task {id}: {action}",
                ["TaskState"] = "Running",
                ["TaskStatus"] = "OK",
                ["PercentComplete"] = 0,
                ["StartTime"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture),
                ["TaskMonitor"] = TaskMonitors + id,
                ["Messages"] = new JsonArray(),
            };
            _state.Tree.Add(taskPath, task);
            _tasks[id] = new TaskRecord(taskPath, DateTimeOffset.UtcNow);
        }
        _ = FinishTaskAsync(taskPath, apply);
        return new Answer(202, task.DeepClone(), new Dictionary<string, string>
        {
            ["Location"] = TaskMonitors + id,
            ["Retry-After"] = _options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture),
        });
    }

    private async Task FinishTaskAsync(string taskPath, Action apply)
    {
        try
        {
            await Task.Delay(_options.TaskDuration, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        lock (_state.Gate)
        {
            apply();
            if (_state.Tree.Find(taskPath) is { } task)
            {
                task["TaskState"] = "Completed";
                task["PercentComplete"] = 100;
                task["EndTime"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture);
                task["Messages"] = new JsonArray(new JsonObject { ["MessageId"] = "Base.1.12.Success", ["Message"] = "The request completed successfully." });
            }
        }
    }

    /// <summary>A task monitor answers 202 (with Retry-After) while the task runs, then 200 with the finished task.</summary>
    private Answer GetTaskMonitor(string id)
    {
        lock (_state.Gate)
        {
            if (!_tasks.TryGetValue(id, out var record) || _state.Tree.Find(record.TaskPath) is not { } task)
                return Answer.Of(RedfishError.ResourceNotFound(TaskMonitors + id));
            var running = task["TaskState"]?.GetValue<string>() == "Running";
            var headers = running
                ? new Dictionary<string, string> { ["Retry-After"] = _options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture), ["Location"] = TaskMonitors + id }
                : new Dictionary<string, string>();
            return new Answer(running ? 202 : 200, task.DeepClone(), headers);
        }
    }

    // ---- helpers ----

    private static JsonObject? ParseObject(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
