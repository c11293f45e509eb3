using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Ironic.Core.Redfish;

namespace Ironic.Core.Tests.Redfish;

public class RedfishClientTests
{
    private static RedfishClientOptions Options(List<string>? log = null, string password = ScriptedBmc.Password) =>
        new(new Uri("https://bmc.test"))
        {
            Username = ScriptedBmc.User,
            Password = password,
            RetryDelay = TimeSpan.FromMilliseconds(1),
            TaskPollInterval = TimeSpan.FromMilliseconds(1),
            Log = log is null ? null : line => { lock (log) log.Add(line); },
        };

    [Fact]
    public async Task Session_IsCreated_UsedAsXAuthToken_AndDeletedOnDispose()
    {
        using var bmc = new ScriptedBmc();
        var client = new RedfishClient(Options(), bmc);
        await client.GetAsync("/redfish/v1/Systems/1", CancellationToken.None);
        Assert.Equal("session", client.AuthenticationMode);
        await client.DisposeAsync();

        Assert.Single(bmc.To("POST", "/redfish/v1/SessionService/Sessions"));
        Assert.Equal(bmc.CurrentToken, bmc.To("GET", "/redfish/v1/Systems/1").Single().Token);
        var logout = bmc.To("DELETE", "/redfish/v1/SessionService/Sessions/7").Single();
        Assert.Equal(bmc.CurrentToken, logout.Token);
    }

    [Fact]
    public async Task SynchronousDispose_AlsoLogsOut()
    {
        using var bmc = new ScriptedBmc();
        var client = new RedfishClient(Options(), bmc);
        await client.GetAsync("/redfish/v1/Systems/1", CancellationToken.None);

        client.Dispose();

        var logout = Assert.Single(bmc.To("DELETE", "/redfish/v1/SessionService/Sessions/7"));
        Assert.Equal(bmc.CurrentToken, logout.Token);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetAsync("/redfish/v1/Systems/1", CancellationToken.None));
    }

    [Fact]
    public async Task SynchronousDispose_OfABmcThatDoesNotAnswerTheLogout_ReturnsAfterTheRequestTimeout()
    {
        using var bmc = new ScriptedBmc();
        using var hanging = new HangingLogout(bmc);
        var log = new List<string>();
        var client = new RedfishClient(Options(log) with { RequestTimeout = TimeSpan.FromMilliseconds(300) }, hanging);
        await client.GetAsync("/redfish/v1/Systems/1", CancellationToken.None);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        client.Dispose();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Dispose took {watch.Elapsed}");
        Assert.Contains(log, l => l.StartsWith("logout from /redfish/v1/SessionService/Sessions/7 failed: No BMC answered DELETE", StringComparison.Ordinal));
    }

    /// <summary>A BMC that never answers DELETE (the logout); everything else goes to the scripted BMC.</summary>
    private sealed class HangingLogout(HttpMessageHandler bmc) : DelegatingHandler(bmc)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Delete) await Task.Delay(Timeout.Infinite, cancellationToken);
            return await base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task Sessions_Refused_FallsBackToBasic()
    {
        using var bmc = new ScriptedBmc { SessionsEnabled = false };
        await using var client = new RedfishClient(Options(), bmc);
        var system = await client.GetAsync("/redfish/v1/Systems/1", CancellationToken.None);
        Assert.Equal("Off", system.Body.String("PowerState"));
        Assert.Equal("basic", client.AuthenticationMode);
        Assert.StartsWith("Basic ", bmc.To("GET", "/redfish/v1/Systems/1").Single().Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BusySessionService_IsAskedAgain_RatherThanFallingBackToBasic()
    {
        using var bmc = new ScriptedBmc();
        var busy = 1;
        bmc.On("POST", "/redfish/v1/SessionService/Sessions", _ => busy-- > 0 ? ScriptedBmc.Error(HttpStatusCode.ServiceUnavailable, "Base.1.8.ServiceTemporarilyUnavailable", "busy") : null);
        await using var client = new RedfishClient(Options(), bmc);
        await client.GetAsync("/redfish/v1/Systems/1", CancellationToken.None);
        Assert.Equal("session", client.AuthenticationMode);
        Assert.Equal(2, bmc.To("POST", "/redfish/v1/SessionService/Sessions").Count());
    }

    /// <summary>What SocketsHttpHandler throws when the BMC resets the connection before answering.</summary>
    private static HttpResponseMessage Dropped() =>
        throw new HttpRequestException("An error occurred while sending the request.", new IOException("Unable to read data from the transport connection: Connection reset by peer."));

    [Fact]
    public async Task FirstLogin_ADroppedServiceRootAndADroppedSessionPost_AreRetried()
    {
        using var bmc = new ScriptedBmc();
        var (rootDrops, sessionDrops) = (1, 1);
        bmc.On("GET", "/redfish/v1/", _ => rootDrops-- > 0 ? Dropped() : null);
        bmc.On("POST", "/redfish/v1/SessionService/Sessions", _ => sessionDrops-- > 0 ? Dropped() : null);
        var log = new List<string>();
        await using var client = new RedfishClient(Options(log), bmc);

        var system = await client.GetAsync("/redfish/v1/Systems/1", CancellationToken.None);

        Assert.Equal("Off", system.Body.String("PowerState"));
        Assert.Equal("session", client.AuthenticationMode);
        Assert.Equal(2, bmc.To("GET", "/redfish/v1/").Count());
        Assert.Equal(2, bmc.To("POST", "/redfish/v1/SessionService/Sessions").Count());
        Assert.Contains(log, l => l.StartsWith("GET /redfish/v1/: no answer, retry 1 of 3", StringComparison.Ordinal));
        Assert.Contains(log, l => l.StartsWith("POST /redfish/v1/SessionService/Sessions: no answer, retry 1 of 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FirstLogin_AServiceRootAnswering503_IsAskedAgain()
    {
        using var bmc = new ScriptedBmc();
        var busy = 2;
        bmc.On("GET", "/redfish/v1/", _ => busy-- > 0 ? ScriptedBmc.Error(HttpStatusCode.ServiceUnavailable, "Base.1.8.ServiceTemporarilyUnavailable", "The service is starting.") : null);
        await using var client = new RedfishClient(Options(), bmc);

        await client.GetAsync("/redfish/v1/Systems/1", CancellationToken.None);

        Assert.Equal(3, bmc.To("GET", "/redfish/v1/").Count());
        Assert.Equal("session", client.AuthenticationMode);
    }

    [Fact]
    public async Task FirstLogin_ABmcBusyThroughEveryRetry_IsReportedBusy_QuotingIt_NotPushedOntoBasic()
    {
        using var bmc = new ScriptedBmc();
        bmc.On("POST", "/redfish/v1/SessionService/Sessions", _ => ScriptedBmc.Error(HttpStatusCode.ServiceUnavailable, "Base.1.8.ServiceTemporarilyUnavailable", "Too many sessions are being created."));
        await using var client = new RedfishClient(Options(), bmc);

        var e = await Assert.ThrowsAsync<RedfishBusyException>(() => client.GetAsync("/redfish/v1/Systems/1", CancellationToken.None));

        Assert.Equal(4, bmc.To("POST", "/redfish/v1/SessionService/Sessions").Count());
        Assert.Empty(bmc.To("GET", "/redfish/v1/Systems/1"));
        Assert.Contains("The BMC said: Base.1.8.ServiceTemporarilyUnavailable: Too many sessions are being created.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstLogin_ABmcThatNeverAnswers_IsUnreachable_AfterTheReadRetries()
    {
        using var bmc = new ScriptedBmc();
        bmc.On("GET", "/redfish/v1/", _ => Dropped());
        await using var client = new RedfishClient(Options(), bmc);

        var e = await Assert.ThrowsAsync<RedfishUnreachableException>(() => client.GetAsync("/redfish/v1/Systems/1", CancellationToken.None));

        Assert.Equal(4, bmc.To("GET", "/redfish/v1/").Count());
        Assert.Contains("No BMC answered GET /redfish/v1/ at https://bmc.test/", e.Message, StringComparison.Ordinal);
        Assert.Empty(bmc.To("POST", "/redfish/v1/SessionService/Sessions"));
    }

    [Fact]
    public async Task ExpiredSession_ReauthenticatesOnce_AndRetries()
    {
        using var bmc = new ScriptedBmc();
        await using var client = new RedfishClient(Options(), bmc);
        await client.GetAsync("/redfish/v1/Systems/1", CancellationToken.None);
        var expired = true;
        bmc.On("GET", "/redfish/v1/Systems/1", r => expired && r.Token is not null ? Expire() : null);
        HttpResponseMessage Expire()
        {
            expired = false;
            return ScriptedBmc.Error(HttpStatusCode.Unauthorized, "Base.1.8.NoValidSession", "session expired");
        }

        await client.GetAsync("/redfish/v1/Systems/1", CancellationToken.None);
        Assert.Equal(2, bmc.To("POST", "/redfish/v1/SessionService/Sessions").Count());
    }

    [Fact]
    public async Task WrongPassword_ThrowsAuthenticationError_QuotingTheBmc_WithoutThePassword()
    {
        using var bmc = new ScriptedBmc();
        var log = new List<string>();
        await using var client = new RedfishClient(Options(log, password: "wrong-password-123"), bmc);
        var e = await Assert.ThrowsAsync<RedfishAuthenticationException>(() => client.GetAsync("/redfish/v1/Systems/1", CancellationToken.None));
        Assert.Contains("invalid username or password", e.Message, StringComparison.Ordinal);
        Assert.Contains("admin", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password-123", e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password-123", string.Join("\n", log), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_IsRetried_On5xx_ButPostIsNotRetried_On500()
    {
        using var bmc = new ScriptedBmc();
        await using var client = new RedfishClient(Options(), bmc);
        var failures = 2;
        bmc.On("GET", "/redfish/v1/Systems/1", _ => failures-- > 0 ? ScriptedBmc.Answer(HttpStatusCode.InternalServerError) : null);
        await client.GetAsync("/redfish/v1/Systems/1", CancellationToken.None);
        Assert.Equal(3, bmc.To("GET", "/redfish/v1/Systems/1").Count());

        bmc.On("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", _ => ScriptedBmc.Error(HttpStatusCode.InternalServerError, "Base.1.8.InternalError", "The request failed due to an internal service error."));
        var e = await Assert.ThrowsAsync<RedfishActionRefusedException>(() =>
            client.PostAsync("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", new JsonObject { ["ResetType"] = "On" }, CancellationToken.None));
        Assert.Single(bmc.To("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"));
        Assert.Contains("Base.1.8.InternalError: The request failed due to an internal service error.", e.Message, StringComparison.Ordinal);
        Assert.Contains("POST /redfish/v1/Systems/1/Actions/ComputerSystem.Reset", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_IsRetried_On503_ThenGivesUpAsBusy()
    {
        using var bmc = new ScriptedBmc();
        await using var client = new RedfishClient(Options() with { WriteRetries = 2 }, bmc);
        bmc.On("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", _ => ScriptedBmc.Error(HttpStatusCode.ServiceUnavailable, "Base.1.8.ServiceTemporarilyUnavailable", "The service is temporarily unavailable. Retry in 1 seconds."));
        var e = await Assert.ThrowsAsync<RedfishBusyException>(() =>
            client.PostAsync("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", new JsonObject { ["ResetType"] = "On" }, CancellationToken.None));
        Assert.Equal(3, bmc.To("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset").Count());
        Assert.Contains("The service is temporarily unavailable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_On412_RetriesWithTheWeakETagMadeStrong()
    {
        using var bmc = new ScriptedBmc();
        bmc.ETags["/redfish/v1/Systems/1"] = "W/\"abc\"";
        bmc.On("PATCH", "/redfish/v1/Systems/1", r => r.IfMatch == "\"abc\"" ? ScriptedBmc.Answer(HttpStatusCode.NoContent)
            : ScriptedBmc.Error(HttpStatusCode.PreconditionFailed, "Base.1.8.PreconditionFailed", "The ETag supplied did not match the ETag required to change this resource."));
        await using var client = new RedfishClient(Options(), bmc);
        await client.PatchAsync("/redfish/v1/Systems/1", new JsonObject { ["AssetTag"] = "x" }, null, CancellationToken.None);
        Assert.Equal(["W/\"abc\"", "\"abc\""], bmc.To("PATCH", "/redfish/v1/Systems/1").Select(r => r.IfMatch));
    }

    [Fact]
    public async Task Patch_WhenNoETagWorks_TriesWithoutIfMatchLast()
    {
        using var bmc = new ScriptedBmc();
        bmc.ETags["/redfish/v1/Systems/1"] = "\"abc\"";
        bmc.On("PATCH", "/redfish/v1/Systems/1", r => r.IfMatch is null ? ScriptedBmc.Answer(HttpStatusCode.NoContent)
            : ScriptedBmc.Error(HttpStatusCode.PreconditionFailed, "Base.1.8.PreconditionFailed", "ETag mismatch"));
        await using var client = new RedfishClient(Options(), bmc);
        await client.PatchAsync("/redfish/v1/Systems/1", new JsonObject { ["AssetTag"] = "x" }, null, CancellationToken.None);
        Assert.Equal(["\"abc\"", null], bmc.To("PATCH", "/redfish/v1/Systems/1").Select(r => r.IfMatch));
    }

    [Fact]
    public async Task Accepted_WithLocation_IsPolledAsATask_AndItsFailureQuotesTheTaskMessages()
    {
        using var bmc = new ScriptedBmc();
        var polls = 0;
        bmc.On("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", _ =>
        {
            var accepted = ScriptedBmc.Answer(HttpStatusCode.Accepted);
            accepted.Headers.Location = new Uri("/redfish/v1/TaskService/TaskMonitors/3", UriKind.Relative);
            accepted.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero);
            return accepted;
        });
        bmc.On("GET", "/redfish/v1/TaskService/TaskMonitors/3", _ => ++polls < 3
            ? ScriptedBmc.Answer(HttpStatusCode.Accepted, """{"TaskState":"Running"}""")
            : ScriptedBmc.Answer(HttpStatusCode.OK, """{"TaskState":"Exception","TaskStatus":"Critical","Messages":[{"MessageId":"IDRAC.2.8.SYS446","Message":"Unable to complete the operation because the server is in POST."}]}"""));
        await using var client = new RedfishClient(Options(), bmc);
        var e = await Assert.ThrowsAsync<RedfishActionRefusedException>(() =>
            client.PostAsync("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", new JsonObject { ["ResetType"] = "On" }, CancellationToken.None));
        Assert.Equal(3, polls);
        Assert.Contains("IDRAC.2.8.SYS446: Unable to complete the operation because the server is in POST.", e.Message, StringComparison.Ordinal);
        Assert.Contains("Exception", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClosedPort_IsUnreachable_WithAClearMessage()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var client = new RedfishClient(new RedfishClientOptions(new Uri($"http://127.0.0.1:{port}"))
        {
            Username = "admin",
            Password = "pw-never-shown",
            ReadRetries = 1,
            RetryDelay = TimeSpan.FromMilliseconds(1),
        });
        var e = await Assert.ThrowsAsync<RedfishUnreachableException>(() => client.GetAsync("/redfish/v1/Systems", CancellationToken.None));
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("Check the address", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-never-shown", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Options_RefuseCredentialsInTheAddress()
    {
        var e = Assert.Throws<ArgumentException>(() => new RedfishClientOptions(new Uri("https://root:calvin@bmc.test")));
        Assert.DoesNotContain("calvin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_MissingCaBundle_IsNamed()
    {
        var options = new RedfishClientOptions(new Uri("https://bmc.test")) { CaBundlePath = "/nonexistent/ca.pem" };
        var e = Assert.Throws<FileNotFoundException>(() => new RedfishClient(options));
        Assert.Contains("/nonexistent/ca.pem", e.Message, StringComparison.Ordinal);
    }
}
