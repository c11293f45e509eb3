using System.Net;
using System.Text.Json.Nodes;

namespace Ironic.BmcEmulation.Tests;

/// <summary>Authentication, sessions, ETags, Boot, Reset, tasks, 503s and delays: what every profile shares.</summary>
public class ProtocolTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task ServiceRoot_AnswersWithoutCredentials_AndLinksSystemsManagersSessions()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var anonymous = new Redfish(bmc, user: null);

        var root = await anonymous.GetAsync("/redfish/v1/");

        Assert.Equal(HttpStatusCode.OK, root.Status);
        Assert.Equal("/redfish/v1/Systems", root.Body!["Systems"]!["@odata.id"]!.GetValue<string>());
        Assert.Equal("/redfish/v1/Managers", root.Body["Managers"]!["@odata.id"]!.GetValue<string>());
        Assert.Equal("/redfish/v1/SessionService/Sessions", root.Body["Links"]!["Sessions"]!["@odata.id"]!.GetValue<string>());
        Assert.NotNull(root.Header("ETag"));
        Assert.Equal("/redfish/v1/", (await anonymous.GetAsync("/redfish")).Body!["v1"]!.GetValue<string>());
    }

    [Fact]
    public async Task Resource_WithoutCredentials_Is401WithExtendedInfo()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var anonymous = new Redfish(bmc, user: null);

        var answer = await anonymous.GetAsync("/redfish/v1/Systems/1");

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("Base.1.12.NoValidSession", answer.MessageId);
        Assert.Contains("Basic", answer.Header("WWW-Authenticate"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongBasicPassword_Is401_AndTheMessageSaysSo()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Password = "right" }, None);
        using var wrong = new Redfish(bmc, "admin", "wrong");
        using var right = new Redfish(bmc, "admin", "right");

        var denied = await wrong.GetAsync("/redfish/v1/Systems/1");

        Assert.Equal(HttpStatusCode.Unauthorized, denied.Status);
        Assert.Equal("Base.1.12.ResourceAtUriUnauthorized", denied.MessageId);
        Assert.Contains("user name or password is incorrect", denied.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await right.GetAsync("/redfish/v1/Systems/1")).Status);
    }

    [Fact]
    public async Task Session_TokenWorks_UntilDeleted()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var anonymous = new Redfish(bmc, user: null);

        var created = await anonymous.PostAsync("/redfish/v1/SessionService/Sessions", """{"UserName":"admin","Password":"password"}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var token = created.Header("X-Auth-Token")!;
        var location = created.Header("Location")!;
        Assert.StartsWith("/redfish/v1/SessionService/Sessions/", location, StringComparison.Ordinal);
        var withToken = new Dictionary<string, string> { ["X-Auth-Token"] = token };

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/redfish/v1/Systems/1", withToken)).Status);
        var sessions = await anonymous.GetAsync("/redfish/v1/SessionService/Sessions", withToken);
        Assert.Equal(location, sessions.Body!["Members"]![0]!["@odata.id"]!.GetValue<string>());
        Assert.Equal(1, bmc.State.SessionCount);

        Assert.Equal(HttpStatusCode.NoContent, (await anonymous.DeleteAsync(location, withToken)).Status);
        Assert.Equal(0, bmc.State.SessionCount);
        var after = await anonymous.GetAsync("/redfish/v1/Systems/1", withToken);
        Assert.Equal(HttpStatusCode.Unauthorized, after.Status);
        Assert.Equal("Base.1.12.NoValidSession", after.MessageId);
    }

    [Fact]
    public async Task Session_WithWrongPassword_Is401_WithTheBmcWords()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var anonymous = new Redfish(bmc, user: null);

        var answer = await anonymous.PostAsync("/redfish/v1/SessionService/Sessions", """{"UserName":"admin","Password":"nope"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Null(answer.Header("X-Auth-Token"));
        Assert.Contains("user name or password is incorrect", answer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionsDisabled_SessionPostIs405_ButBasicWorks()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Quirks = BmcQuirks.SessionsDisabled }, None);
        using var basic = new Redfish(bmc);

        var answer = await basic.PostAsync("/redfish/v1/SessionService/Sessions", """{"UserName":"admin","Password":"password"}""");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, answer.Status);
        Assert.Equal("Base.1.12.OperationNotAllowed", answer.MessageId);
        Assert.Equal(HttpStatusCode.OK, (await basic.GetAsync("/redfish/v1/Systems/1")).Status);
        Assert.False((await basic.GetAsync("/redfish/v1/SessionService")).Body!["ServiceEnabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Patch_WithStaleETag_Is412_WithCurrentOneSucceeds()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var redfish = new Redfish(bmc);
        var etag = await redfish.ETagAsync("/redfish/v1/Systems/1");
        Assert.Equal(HttpStatusCode.OK, (await redfish.PatchAsync("/redfish/v1/Systems/1", """{"Boot":{"BootSourceOverrideTarget":"Pxe"}}""", etag)).Status);

        var stale = await redfish.PatchAsync("/redfish/v1/Systems/1", """{"Boot":{"BootSourceOverrideTarget":"Cd"}}""", etag);

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.Status);
        Assert.Equal("Base.1.12.PreconditionFailed", stale.MessageId);
        Assert.Equal("Pxe", bmc.State.Boot.Target);
        var fresh = await redfish.PatchAsync("/redfish/v1/Systems/1", """{"Boot":{"BootSourceOverrideTarget":"Cd"}}""", await redfish.ETagAsync("/redfish/v1/Systems/1"));
        Assert.Equal(HttpStatusCode.OK, fresh.Status);
        Assert.Equal("Cd", bmc.State.Boot.Target);
    }

    [Fact]
    public async Task Generic_PatchWithoutIfMatch_IsAccepted()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var redfish = new Redfish(bmc);

        var answer = await redfish.PatchAsync("/redfish/v1/Systems/1", """{"Boot":{"BootSourceOverrideTarget":"Cd","BootSourceOverrideEnabled":"Once","BootSourceOverrideMode":"Legacy"}}""");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(new BootOverride("Cd", "Once", "Legacy"), bmc.State.Boot);
        Assert.Equal("Once", answer.Body!["Boot"]!["BootSourceOverrideEnabled"]!.GetValue<string>());
    }

    [Fact]
    public async Task BrokenETags_EvenTheCurrentETagIs412_ButNoIfMatchWorks()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Quirks = BmcQuirks.BrokenETags }, None);
        using var redfish = new Redfish(bmc);
        const string body = """{"Boot":{"BootSourceOverrideTarget":"Cd"}}""";
        var etag = await redfish.ETagAsync("/redfish/v1/Systems/1");

        Assert.Equal(HttpStatusCode.PreconditionFailed, (await redfish.PatchAsync("/redfish/v1/Systems/1", body, etag)).Status);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await redfish.PatchAsync("/redfish/v1/Systems/1", body, "W/" + etag)).Status);
        Assert.Equal("None", bmc.State.Boot.Target);
        Assert.Equal(HttpStatusCode.OK, (await redfish.PatchAsync("/redfish/v1/Systems/1", body)).Status);
        Assert.Equal("Cd", bmc.State.Boot.Target);
    }

    [Fact]
    public async Task BootTarget_NotInAllowableValues_Is400PropertyValueNotInList()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var redfish = new Redfish(bmc);

        var answer = await redfish.PatchAsync("/redfish/v1/Systems/1", """{"Boot":{"BootSourceOverrideTarget":"Floppy"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("Base.1.12.PropertyValueNotInList", answer.MessageId);
        Assert.Contains("Floppy", answer.Message, StringComparison.Ordinal);
        Assert.Equal("None", bmc.State.Boot.Target);
    }

    [Fact]
    public async Task Patch_UnknownOrReadOnlyProperty_IsRefused()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var redfish = new Redfish(bmc);

        Assert.Equal("Base.1.12.PropertyUnknown", (await redfish.PatchAsync("/redfish/v1/Systems/1", """{"Bogus":1}""")).MessageId);
        Assert.Equal("Base.1.12.PropertyNotWritable", (await redfish.PatchAsync("/redfish/v1/Systems/1", """{"PowerState":"On"}""")).MessageId);
        Assert.Equal("Base.1.12.MalformedJSON", (await redfish.PatchAsync("/redfish/v1/Systems/1", "{not json")).MessageId);
    }

    [Theory]
    [InlineData("On", "On")]
    [InlineData("ForceRestart", "On")]
    [InlineData("PowerCycle", "On")]
    [InlineData("ForceOff", "Off")]
    [InlineData("GracefulShutdown", "Off")]
    public async Task Reset_SetsPowerState(string resetType, string expected)
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { InitialPowerState = expected == "On" ? "Off" : "On" }, None);
        using var redfish = new Redfish(bmc);

        var answer = await redfish.PostAsync("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", $$"""{"ResetType":"{{resetType}}"}""");

        Assert.Equal(HttpStatusCode.NoContent, answer.Status);
        Assert.Equal(expected, bmc.State.PowerState);
        Assert.Equal(expected, (await redfish.GetAsync("/redfish/v1/Systems/1")).Body!["PowerState"]!.GetValue<string>());
    }

    [Fact]
    public async Task Boots_RecordDeviceAndImage_OnceIsUsedUp_ContinuousStays()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { PreinsertedImage = "http://192.0.2.1/old.iso" }, None);
        using var redfish = new Redfish(bmc);
        const string reset = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset";

        await redfish.PostAsync(reset, """{"ResetType":"On"}""");
        await redfish.PatchAsync("/redfish/v1/Systems/1", """{"Boot":{"BootSourceOverrideTarget":"Cd","BootSourceOverrideEnabled":"Once"}}""");
        await redfish.PostAsync(reset, """{"ResetType":"ForceRestart"}""");
        await redfish.PostAsync(reset, """{"ResetType":"On"}"""); // already on: no boot
        await redfish.PatchAsync("/redfish/v1/Systems/1", """{"Boot":{"BootSourceOverrideTarget":"Pxe","BootSourceOverrideEnabled":"Continuous"}}""");
        await redfish.PostAsync(reset, """{"ResetType":"PowerCycle"}""");

        Assert.Equal(
            [("Hdd", (string?)null, false), ("Cd", "http://192.0.2.1/old.iso", true), ("Pxe", null, true)],
            bmc.State.Boots.Select(b => (b.Device, b.Image, b.FromOverride)));
        Assert.Equal(new BootOverride("Pxe", "Continuous", "UEFI"), bmc.State.Boot);
    }

    [Fact]
    public async Task Reset_TypeTheProfileDoesNotAllow_Is400WithTheAllowedValueInTheMessage()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = BmcProfile.Ilo }, None);
        using var redfish = new Redfish(bmc);
        var allowed = (await redfish.GetAsync("/redfish/v1/Systems/1")).Body!["Actions"]!["#ComputerSystem.Reset"]!["ResetType@Redfish.AllowableValues"]!.AsArray();
        Assert.DoesNotContain(allowed, v => v!.GetValue<string>() == "PowerCycle");

        var answer = await redfish.PostAsync("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", """{"ResetType":"PowerCycle"}""");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("Base.1.12.ActionParameterValueNotInList", answer.MessageId);
        Assert.Equal("Base.1.12.ActionParameterMissing", (await redfish.PostAsync("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", "{}")).MessageId);
        Assert.Equal("Off", bmc.State.PowerState);
    }

    [Fact]
    public async Task Reset_WithTransitionDelay_ReadsPoweringOnFirst()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { PowerTransitionDelay = TimeSpan.FromMilliseconds(300) }, None);
        using var redfish = new Redfish(bmc);

        await redfish.PostAsync("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", """{"ResetType":"On"}""");

        Assert.Equal("PoweringOn", bmc.State.PowerState);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (bmc.State.PowerState != "On") await Task.Delay(20, timeout.Token);
    }

    [Fact]
    public async Task ActionsAsTasks_Answer202WithTaskMonitor_AndApplyTheChangeWhenTheTaskEnds()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Quirks = BmcQuirks.ActionsAsTasks, TaskDuration = TimeSpan.FromMilliseconds(400) }, None);
        using var redfish = new Redfish(bmc);

        var accepted = await redfish.PostAsync("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", """{"ResetType":"On"}""");

        Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
        Assert.Equal("1", accepted.Header("Retry-After"));
        var monitor = accepted.Header("Location")!;
        Assert.StartsWith("/redfish/v1/TaskService/TaskMonitors/", monitor, StringComparison.Ordinal);
        Assert.Equal("Running", accepted.Body!["TaskState"]!.GetValue<string>());
        Assert.Equal("Off", bmc.State.PowerState);
        var running = await redfish.GetAsync(monitor);
        Assert.Equal(HttpStatusCode.Accepted, running.Status);

        RedfishAnswer polled;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        do
        {
            await Task.Delay(50, timeout.Token);
            polled = await redfish.GetAsync(monitor);
        }
        while (polled.Status == HttpStatusCode.Accepted);
        Assert.Equal(HttpStatusCode.OK, polled.Status);
        Assert.Equal("Completed", polled.Body!["TaskState"]!.GetValue<string>());
        Assert.Equal("On", bmc.State.PowerState);
        var task = await redfish.GetAsync(polled.Body["@odata.id"]!.GetValue<string>());
        Assert.Equal("Completed", task.Body!["TaskState"]!.GetValue<string>());
    }

    [Fact]
    public async Task FailEveryNthRequest_Answers503WithRetryAfter_OnExactlyThoseRequests()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { FailEveryNthRequest = 3, RetryAfterSeconds = 2 }, None);
        using var redfish = new Redfish(bmc);

        var statuses = new List<HttpStatusCode>();
        RedfishAnswer? unavailable = null;
        for (var i = 0; i < 6; i++)
        {
            var answer = await redfish.GetAsync("/redfish/v1/Systems/1");
            statuses.Add(answer.Status);
            if (answer.Status == HttpStatusCode.ServiceUnavailable) unavailable = answer;
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable], statuses);
        Assert.Equal("2", unavailable!.Header("Retry-After"));
        Assert.Equal("Base.1.12.ServiceTemporarilyUnavailable", unavailable.MessageId);
    }

    [Fact]
    public async Task FailureProbability_WithOneSeed_FailsTheSameRequestsEveryRun()
    {
        async Task<string> PatternAsync()
        {
            await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { FailureProbability = 0.3, FailureSeed = 7 }, None);
            using var redfish = new Redfish(bmc);
            var pattern = "";
            for (var i = 0; i < 30; i++) pattern += (await redfish.GetAsync("/redfish/v1")).Status == HttpStatusCode.ServiceUnavailable ? 'x' : '.';
            return pattern;
        }

        var first = await PatternAsync();
        var second = await PatternAsync();

        Assert.Equal(first, second);
        Assert.Contains('x', first);
        Assert.Contains('.', first);
    }

    [Fact]
    public async Task ResponseDelay_OutlastsAClientTimeoutShorterThanIt()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { ResponseDelay = TimeSpan.FromSeconds(3) }, None);
        using var http = new HttpClient { BaseAddress = bmc.Address, Timeout = TimeSpan.FromMilliseconds(200) };

        await Assert.ThrowsAsync<TaskCanceledException>(() => http.GetAsync("redfish/v1"));
    }

    [Fact]
    public async Task RecordedRequests_MaskPasswordsAndTokens()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Password = "s3cret-pw" }, None);
        using var anonymous = new Redfish(bmc, user: null);
        using var basic = new Redfish(bmc, "admin", "s3cret-pw");
        var token = (await anonymous.PostAsync("/redfish/v1/SessionService/Sessions", """{"UserName":"admin","Password":"s3cret-pw"}""")).Header("X-Auth-Token")!;
        await anonymous.GetAsync("/redfish/v1/Systems/1", new Dictionary<string, string> { ["X-Auth-Token"] = token });
        await basic.GetAsync("/redfish/v1/Managers");

        var requests = bmc.Requests;

        Assert.Equal(["POST", "GET", "GET"], requests.Select(r => r.Method));
        Assert.Equal([201, 200, 200], requests.Select(r => r.Status));
        Assert.Equal("/redfish/v1/Managers", requests[2].Path);
        Assert.Equal("***", requests[1].Headers["X-Auth-Token"]);
        Assert.Equal("***", requests[2].Headers["Authorization"]);
        Assert.Equal("***", JsonNode.Parse(requests[0].Body!)!["Password"]!.GetValue<string>());
        var everything = string.Join("\n", requests.Select(r => $"{r.Path} {r.Body} {string.Join(",", r.Headers.Values)}"));
        Assert.DoesNotContain("s3cret-pw", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(token, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String("admin:s3cret-pw"u8), everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MockupDirectory_InDmtfLayout_IsServed()
    {
        var dir = Directory.CreateTempSubdirectory("bmc-mockup-");
        try
        {
            void Write(string relative, string json)
            {
                var folder = Path.Combine(dir.FullName, "redfish", "v1", relative);
                Directory.CreateDirectory(folder);
                File.WriteAllText(Path.Combine(folder, "index.json"), json);
            }
            Write("", """{"@odata.id":"/redfish/v1/","@odata.type":"#ServiceRoot.v1_5_0.ServiceRoot","Systems":{"@odata.id":"/redfish/v1/Systems"}}""");
            Write("Systems", """{"@odata.id":"/redfish/v1/Systems","@odata.type":"#ComputerSystemCollection.ComputerSystemCollection","Members":[{"@odata.id":"/redfish/v1/Systems/437XR1138R2"}]}""");
            Write("Systems/437XR1138R2", """{"@odata.id":"/redfish/v1/Systems/437XR1138R2","@odata.type":"#ComputerSystem.v1_1_0.ComputerSystem","Id":"437XR1138R2","PowerState":"On","Boot":{"BootSourceOverrideTarget":"None","BootSourceOverrideEnabled":"Disabled","BootSourceOverrideTarget@Redfish.AllowableValues":["None","Cd"]},"Actions":{"#ComputerSystem.Reset":{"target":"/redfish/v1/Systems/437XR1138R2/Actions/ComputerSystem.Reset","ResetType@Redfish.AllowableValues":["On","ForceOff"]}}}""");

            await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { MockupDirectory = dir.FullName }, None);
            using var redfish = new Redfish(bmc);

            Assert.Equal("/redfish/v1/Systems/437XR1138R2", bmc.State.SystemPath);
            Assert.Equal(HttpStatusCode.OK, (await redfish.GetAsync("/redfish/v1/Systems/437XR1138R2/")).Status);
            Assert.Equal(HttpStatusCode.NoContent, (await redfish.PostAsync("/redfish/v1/Systems/437XR1138R2/Actions/ComputerSystem.Reset", """{"ResetType":"ForceOff"}""")).Status);
            Assert.Equal("Off", bmc.State.PowerState);
            Assert.Empty(bmc.State.Slots);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task MockupDirectory_Missing_SaysWhatToGive()
    {
        var e = await Assert.ThrowsAsync<DirectoryNotFoundException>(() =>
            BmcEmulator.StartAsync(new BmcEmulatorOptions { MockupDirectory = "/nonexistent/mockup" }, None));
        Assert.Contains("index.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_ServesTheSelfSignedCertificate_WhichAClientCanTrust()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { UseTls = true }, None);
        Assert.Equal("https", bmc.Address.Scheme);
        using var strict = new HttpClient { BaseAddress = bmc.Address };
        await Assert.ThrowsAsync<HttpRequestException>(() => strict.GetAsync("redfish/v1"));

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert!.Thumbprint == bmc.Certificate!.Thumbprint };
        using var trusting = new Redfish(bmc, handler: handler);
        Assert.Equal(HttpStatusCode.OK, (await trusting.GetAsync("/redfish/v1")).Status);
    }

    [Theory]
    [InlineData("InitialPowerState")]
    [InlineData("FailureProbability")]
    [InlineData("DownloadChunkSize")]
    [InlineData("PreinsertedImage")]
    public async Task Options_OutOfRange_AreRefusedNamingTheOption(string option)
    {
        var options = option switch
        {
            "InitialPowerState" => new BmcEmulatorOptions { InitialPowerState = "Maybe" },
            "FailureProbability" => new BmcEmulatorOptions { FailureProbability = 1.5 },
            "DownloadChunkSize" => new BmcEmulatorOptions { DownloadChunkSize = 0 },
            _ => new BmcEmulatorOptions { PreinsertedImage = "old.iso" },
        };

        var e = await Assert.ThrowsAsync<ArgumentException>(() => BmcEmulator.StartAsync(options, None));

        Assert.Contains(option, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_AnswersHeadersWithoutBody()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var redfish = new Redfish(bmc);

        var head = await redfish.SendAsync(HttpMethod.Head, "/redfish/v1/Systems/1", null, null);

        Assert.Equal(HttpStatusCode.OK, head.Status);
        Assert.Null(head.Body);
        Assert.Equal(await redfish.ETagAsync("/redfish/v1/Systems/1"), head.Header("ETag"));
        Assert.Equal("GET, HEAD, PATCH", head.Header("Allow"));
        Assert.Equal(HttpStatusCode.NotFound, (await redfish.GetAsync("/redfish/v1/Systems/2")).Status);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await redfish.DeleteAsync("/redfish/v1/Systems/1")).Status);
    }

    [Fact]
    public void CommandLine_ReadsProfileQuirksAndPasswordFile()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "from-file\n");
        try
        {
            var options = Program.ParseArguments(["--listen", "127.0.0.1:0", "--profile", "ilo", "--username", "root", "--password-file", file, "--add-quirks", "ActionsAsTasks", "--fail-every", "5", "--image-fetch", "head"]);

            Assert.Equal(BmcProfile.Ilo, options.Profile);
            Assert.Equal("root", options.UserName);
            Assert.Equal("from-file", options.Password);
            Assert.Equal(BmcProfiles.DefaultQuirks(BmcProfile.Ilo) | BmcQuirks.ActionsAsTasks, options.Quirks);
            Assert.Equal(5, options.FailEveryNthRequest);
            Assert.Equal(ImageFetchMode.HeadOnly, options.ImageFetch);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void CommandLine_RefusesAPasswordInArgv_AndUnknownNames()
    {
        Assert.Contains("--password-file", Assert.Throws<ArgumentException>(() => Program.ParseArguments(["--password", "x"])).Message, StringComparison.Ordinal);
        Assert.Contains("openbmc", Assert.Throws<ArgumentException>(() => Program.ParseArguments(["--profile", "bogus"])).Message, StringComparison.Ordinal);
        Assert.Contains("ActionsAsTasks", Assert.Throws<ArgumentException>(() => Program.ParseArguments(["--quirks", "Nope"])).Message, StringComparison.Ordinal);
    }
}
