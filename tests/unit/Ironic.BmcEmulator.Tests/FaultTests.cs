using System.Net;

namespace Ironic.BmcEmulation.Tests;

/// <summary>Faults a test switches on at run time, to drive a client's retry and re-authentication paths.</summary>
public class FaultTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task FailNext_FailsExactlyThatManyRequests_WithTheStatusAsked_AndAppliesNothing()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var redfish = new Redfish(bmc);
        bmc.FailNext(2, 500);

        var first = await redfish.PostAsync("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", """{"ResetType":"On"}""");
        var second = await redfish.GetAsync("/redfish/v1/Systems/1");
        Assert.Equal("Off", bmc.State.PowerState);
        var third = await redfish.GetAsync("/redfish/v1/Systems/1");

        Assert.Equal(HttpStatusCode.InternalServerError, first.Status);
        Assert.Equal("Base.1.12.InternalError", first.MessageId);
        Assert.Equal(HttpStatusCode.InternalServerError, second.Status);
        Assert.Equal(HttpStatusCode.OK, third.Status);
    }

    [Fact]
    public async Task AddFault_HitsOnlyTheMatchingRequests_InTheMiddleOfASequence()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var redfish = new Redfish(bmc);
        bmc.AddFault(new RequestFault { Method = "POST", PathEndsWith = "ComputerSystem.Reset", BodyContains = "\"On\"", Status = 500, Message = "power supply fault (test)" });

        var off = await redfish.PostAsync("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", """{"ResetType":"ForceOff"}""");
        var on = await redfish.PostAsync("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", """{"ResetType":"On"}""");
        Assert.Equal("Off", bmc.State.PowerState);
        var again = await redfish.PostAsync("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", """{"ResetType":"On"}""");

        Assert.Equal(HttpStatusCode.NoContent, off.Status);
        Assert.Equal(HttpStatusCode.InternalServerError, on.Status);
        Assert.Contains("power supply fault (test)", on.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, again.Status);
        Assert.Equal("On", bmc.State.PowerState);
    }

    [Fact]
    public async Task AddFault_WithADelayOnly_HoldsTheAnswerBack_ThenAnswers()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var redfish = new Redfish(bmc);
        bmc.AddFault(new RequestFault { Method = "GET", PathEndsWith = "/Systems/1", Status = 0, Delay = TimeSpan.FromMilliseconds(600) });

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var slow = await redfish.GetAsync("/redfish/v1/Systems/1");
        var slowTook = watch.Elapsed;
        watch.Restart();
        await redfish.GetAsync("/redfish/v1/Systems/1");

        Assert.Equal(HttpStatusCode.OK, slow.Status);
        Assert.True(slowTook >= TimeSpan.FromMilliseconds(550), $"{slowTook}");
        Assert.True(watch.Elapsed < slowTook, "only the first matching request is held back");
    }

    [Fact]
    public async Task DropNext_AbortsTheConnection_ThenServesAgain()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var redfish = new Redfish(bmc);
        bmc.DropNext(1);

        await Assert.ThrowsAsync<HttpRequestException>(() => redfish.GetAsync("/redfish/v1/Systems/1"));

        Assert.Equal(HttpStatusCode.OK, (await redfish.GetAsync("/redfish/v1/Systems/1")).Status);
        Assert.Equal([0, 200], bmc.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task ExpireSessions_MakesTheTokenA401_AndANewSessionWorks()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var anonymous = new Redfish(bmc, user: null);
        const string login = """{"UserName":"admin","Password":"password"}""";
        var token = (await anonymous.PostAsync("/redfish/v1/SessionService/Sessions", login)).Header("X-Auth-Token")!;

        bmc.ExpireSessions();

        var expired = await anonymous.GetAsync("/redfish/v1/Systems/1", new Dictionary<string, string> { ["X-Auth-Token"] = token });
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Equal(0, bmc.State.SessionCount);
        var fresh = (await anonymous.PostAsync("/redfish/v1/SessionService/Sessions", login)).Header("X-Auth-Token")!;
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/redfish/v1/Systems/1", new Dictionary<string, string> { ["X-Auth-Token"] = fresh })).Status);
    }
}
