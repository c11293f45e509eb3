using System.Net;
using System.Text.Json.Nodes;
using Ironic.Core.Hardware;
using Ironic.Core.Redfish;

namespace Ironic.Core.Tests.Redfish;

public class RedfishVirtualMediaTests
{
    private const string Cd = "/redfish/v1/Managers/1/VirtualMedia/Cd";
    private const string Insert = Cd + "/Actions/VirtualMedia.InsertMedia";
    private const string Eject = Cd + "/Actions/VirtualMedia.EjectMedia";
    private static readonly Uri Image = new("http://10.0.0.5:8080/images/node1.iso");

    private static RedfishHardware Hardware(ScriptedBmc bmc, List<string>? log = null) =>
        new(new RedfishClientOptions(new Uri("https://bmc.test"))
        {
            Username = ScriptedBmc.User,
            Password = ScriptedBmc.Password,
            RetryDelay = TimeSpan.FromMilliseconds(1),
            Log = log is null ? null : line => { lock (log) log.Add(line); },
        }, null, bmc)
        {
            InsertOptions = new VirtualMediaInsertOptions { VerifyTimeout = TimeSpan.FromMilliseconds(50), VerifyInterval = TimeSpan.FromMilliseconds(5), SettleTime = TimeSpan.Zero },
            PowerOptions = new RedfishPowerOptions { Timeout = TimeSpan.FromSeconds(2), PollInterval = TimeSpan.FromMilliseconds(5) },
        };

    [Fact]
    public async Task Insert_PicksTheCdSlotUnderTheManager_WithTheMinimalBody()
    {
        using var bmc = new ScriptedBmc();
        await using var hardware = Hardware(bmc);
        var slot = await hardware.InsertVirtualMediaAsync(Image, hardware.InsertOptions, CancellationToken.None);
        Assert.Equal(Cd, slot.Path);
        Assert.True(slot.Holds(Image));
        Assert.Equal("""{"Image":"http://10.0.0.5:8080/images/node1.iso"}""", bmc.To("POST", Insert).Single().Body);
    }

    [Fact]
    public async Task Insert_RetriesWithTransferProtocolType_WhenTheBmcSaysItIsMissing()
    {
        using var bmc = new ScriptedBmc();
        bmc.On("POST", Insert, r => r.Body!.Contains("TransferProtocolType", StringComparison.Ordinal) ? null
            : ScriptedBmc.Error(HttpStatusCode.BadRequest, "Base.1.8.ActionParameterMissing", "The action VirtualMedia.InsertMedia requires the parameter TransferProtocolType to be present in the request body."));
        await using var hardware = Hardware(bmc);
        await hardware.InsertVirtualMediaAsync(Image, CancellationToken.None);
        var bodies = bmc.To("POST", Insert).Select(r => JsonNode.Parse(r.Body!)!).ToList();
        Assert.Equal(2, bodies.Count);
        Assert.Equal("HTTP", bodies[1]["TransferProtocolType"]!.GetValue<string>());
    }

    [Fact]
    public async Task Insert_RefusedUrl_QuotesTheBmc_AndGivesUrlAdvice()
    {
        using var bmc = new ScriptedBmc();
        bmc.On("POST", Insert, _ => ScriptedBmc.Error(HttpStatusCode.BadRequest, "Base.1.8.ActionParameterValueFormatError",
            "The value http://10.0.0.5/x?y=1 for the parameter Image in the action InsertMedia is of a different format than the parameter can accept."));
        await using var hardware = Hardware(bmc);
        var e = await Assert.ThrowsAsync<RedfishActionRefusedException>(() => hardware.InsertVirtualMediaAsync(new Uri("http://10.0.0.5/x?y=1"), CancellationToken.None));
        Assert.Contains("is of a different format than the parameter can accept", e.Message, StringComparison.Ordinal);
        Assert.Contains("end in .iso", e.Message, StringComparison.Ordinal);
        Assert.Contains("carry no query string", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Insert_IntoABusySlot_FailsClearly_UnlessAskedToReplace()
    {
        using var bmc = new ScriptedBmc();
        bmc.Resources[Cd]["Image"] = "http://other/old.iso";
        bmc.Resources[Cd]["Inserted"] = true;
        await using var hardware = Hardware(bmc);
        var e = await Assert.ThrowsAsync<RedfishBusyException>(() => hardware.InsertVirtualMediaAsync(Image, CancellationToken.None));
        Assert.Equal(
            $"The BMC at https://bmc.test/ reports that its virtual media slot {Cd} already holds Image 'http://other/old.iso', Inserted true, so {Image} was not inserted. "
            + "Eject it first (Set-VirtualMedia -Eject, ironic vmedia eject), or ask for it to be replaced (-Force, --force).", e.Message);
        Assert.Empty(bmc.To("POST", Insert));

        var slot = await hardware.InsertVirtualMediaAsync(Image, hardware.InsertOptions with { EjectBusySlot = true }, CancellationToken.None);
        Assert.True(slot.Holds(Image));
        Assert.Single(bmc.To("POST", Eject));
    }

    [Fact]
    public async Task Insert_WhenTheBmcAnswersResourceInUse_QuotesIt_NamesWhatTheSlotHolds_AndAsksOnlyOnce()
    {
        using var bmc = new ScriptedBmc();
        // The slot read empty, but by the time the insert arrives another client has filled it.
        bmc.On("POST", Insert, _ =>
        {
            bmc.Resources[Cd]["Image"] = "http://other/raced.iso";
            bmc.Resources[Cd]["Inserted"] = true;
            return ScriptedBmc.Error(HttpStatusCode.Conflict, "Base.1.8.ResourceInUse", "The change to the requested resource failed because the resource is in use or in transition.");
        });
        await using var hardware = Hardware(bmc);

        var e = await Assert.ThrowsAsync<RedfishBusyException>(() => hardware.InsertVirtualMediaAsync(Image, CancellationToken.None));

        Assert.Single(bmc.To("POST", Insert));
        Assert.Equal(HttpStatusCode.Conflict, e.StatusCode);
        Assert.True(e.HasMessageId("ResourceInUse"));
        Assert.Contains($"refused to insert {Image} into {Cd}: it answered 409 and said: Base.1.8.ResourceInUse: The change to the requested resource failed because the resource is in use or in transition.", e.Message, StringComparison.Ordinal);
        Assert.Contains("The slot now reads Image 'http://other/raced.iso', Inserted true.", e.Message, StringComparison.Ordinal);
        Assert.Contains("Eject it first", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Insert_WithoutActions_PatchesTheSlot_WithIfMatch()
    {
        using var bmc = new ScriptedBmc();
        bmc.Resources[Cd].Remove("Actions");
        bmc.Resources[Cd]["@Redfish.WriteableProperties"] = new JsonArray("Image", "Inserted", "WriteProtected");
        bmc.ETags[Cd] = "\"e1\"";
        bmc.On("PATCH", Cd, r =>
        {
            if (r.IfMatch != "\"e1\"") return ScriptedBmc.Error(HttpStatusCode.PreconditionRequired, "Base.1.8.PreconditionRequired", "If-Match required");
            var body = JsonNode.Parse(r.Body!)!;
            bmc.Resources[Cd]["Image"] = body["Image"]?.GetValue<string>();
            bmc.Resources[Cd]["Inserted"] = body["Inserted"]!.GetValue<bool>();
            return ScriptedBmc.Answer(HttpStatusCode.NoContent);
        });
        await using var hardware = Hardware(bmc);
        await hardware.InsertVirtualMediaAsync(Image, CancellationToken.None);
        var patch = JsonNode.Parse(bmc.To("PATCH", Cd).First().Body!)!;
        Assert.True(patch["Inserted"]!.GetValue<bool>());
        Assert.True(patch["WriteProtected"]!.GetValue<bool>());

        await hardware.EjectVirtualMediaAsync(CancellationToken.None);
        Assert.False(bmc.Resources[Cd]["Inserted"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Eject_RetriesWithAnEmptyJsonObject_WhenTheEmptyBodyIsRefused()
    {
        using var bmc = new ScriptedBmc();
        bmc.Resources[Cd]["Image"] = Image.AbsoluteUri;
        bmc.Resources[Cd]["Inserted"] = true;
        bmc.On("POST", Eject, r => string.IsNullOrEmpty(r.Body) ? ScriptedBmc.Error(HttpStatusCode.BadRequest, "Base.1.8.MalformedJSON", "The request body submitted was malformed JSON.") : null);
        await using var hardware = Hardware(bmc);
        await hardware.EjectVirtualMediaAsync(CancellationToken.None);
        Assert.Equal(["", "{}"], bmc.To("POST", Eject).Select(r => r.Body));
        Assert.False(bmc.Resources[Cd]["Inserted"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Eject_ThatTheBmcRefusesButThatReadsEmpty_IsSuccess()
    {
        using var bmc = new ScriptedBmc();
        bmc.Resources[Cd]["Image"] = Image.AbsoluteUri;
        bmc.Resources[Cd]["Inserted"] = true;
        bmc.On("POST", Eject, _ =>
        {
            bmc.Resources[Cd]["Image"] = null;
            bmc.Resources[Cd]["Inserted"] = false;
            return ScriptedBmc.Error(HttpStatusCode.Conflict, "Base.1.8.ActionNotSupported", "Media is not inserted.");
        });
        await using var hardware = Hardware(bmc);
        await hardware.EjectVirtualMediaAsync(CancellationToken.None);
        Assert.Single(bmc.To("POST", Eject));
    }

    [Fact]
    public async Task AttachAndBoot_InsertsSetsBootOnceToCdAndPowersOn()
    {
        using var bmc = new ScriptedBmc();
        bmc.On("PATCH", "/redfish/v1/Systems/1", r =>
        {
            var boot = JsonNode.Parse(r.Body!)!["Boot"]!.AsObject();
            foreach (var (key, value) in boot) bmc.Resources["/redfish/v1/Systems/1"]["Boot"]![key] = value!.DeepClone();
            return ScriptedBmc.Answer(HttpStatusCode.NoContent);
        });
        await using var hardware = Hardware(bmc);
        await hardware.AttachAndBootAsync(new VirtualMediaBootRequest(Image) { BootOnce = true, PowerOn = true, Mode = BootMode.Uefi }, CancellationToken.None);

        var boot = bmc.Resources["/redfish/v1/Systems/1"]["Boot"]!;
        Assert.Equal("Cd", boot["BootSourceOverrideTarget"]!.GetValue<string>());
        Assert.Equal("Once", boot["BootSourceOverrideEnabled"]!.GetValue<string>());
        Assert.Equal("UEFI", boot["BootSourceOverrideMode"]!.GetValue<string>());
        Assert.Equal(HardwarePowerState.On, await hardware.GetPowerStateAsync(CancellationToken.None));
        Assert.Equal("""{"ResetType":"On"}""", bmc.To("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset").Single().Body);
    }

    [Fact]
    public async Task NoCdSlot_IsNotFound_NamingTheSlotsThatExist()
    {
        using var bmc = new ScriptedBmc();
        bmc.Resources[Cd]["MediaTypes"] = new JsonArray("USBStick");
        await using var hardware = Hardware(bmc);
        var e = await Assert.ThrowsAsync<RedfishNotFoundException>(() => hardware.InsertVirtualMediaAsync(Image, CancellationToken.None));
        Assert.Contains("Floppy [Floppy/USBStick]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_NeverAppear_InLogsOrErrors()
    {
        using var bmc = new ScriptedBmc();
        var log = new List<string>();
        bmc.On("POST", Insert, _ => ScriptedBmc.Error(HttpStatusCode.BadRequest, "Base.1.8.ActionParameterValueFormatError", $"bad image (echoing the password {ScriptedBmc.Password} like a careless BMC)"));
        var hardware = Hardware(bmc, log);
        var e = await Assert.ThrowsAsync<RedfishActionRefusedException>(() => hardware.InsertVirtualMediaAsync(Image, CancellationToken.None));
        await hardware.DisposeAsync();
        var all = string.Join("\n", log) + "\n" + e;
        Assert.Contains("POST " + Insert + " -> 400", all, StringComparison.Ordinal);
        Assert.DoesNotContain(ScriptedBmc.Password, all, StringComparison.Ordinal);
        Assert.DoesNotContain(ScriptedBmc.Token, all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GracefulShutdown_ThatDoesNotHappen_FallsBackToForceOff_WhenAsked()
    {
        using var bmc = new ScriptedBmc();
        bmc.Resources["/redfish/v1/Systems/1"]["PowerState"] = "On";
        bmc.On("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", r =>
            r.Body!.Contains("GracefulShutdown", StringComparison.Ordinal) ? ScriptedBmc.Answer(HttpStatusCode.NoContent) : null); // the OS ignores it
        await using var hardware = new RedfishHardware(new RedfishClientOptions(new Uri("https://bmc.test")) { Username = ScriptedBmc.User, Password = ScriptedBmc.Password }, null, bmc)
        {
            PowerOptions = new RedfishPowerOptions { Timeout = TimeSpan.FromMilliseconds(100), PollInterval = TimeSpan.FromMilliseconds(10), ForceOffAfterGracefulTimeout = true },
        };
        await hardware.SetPowerStateAsync(PowerAction.GracefulShutdown, CancellationToken.None);
        Assert.Equal(["""{"ResetType":"GracefulShutdown"}""", """{"ResetType":"ForceOff"}"""], bmc.To("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset").Select(r => r.Body));
        Assert.Equal(HardwarePowerState.Off, await hardware.GetPowerStateAsync(CancellationToken.None));
    }

    [Fact]
    public async Task GracefulShutdown_ThatDoesNotHappen_TimesOut_QuotingTheState()
    {
        using var bmc = new ScriptedBmc();
        bmc.Resources["/redfish/v1/Systems/1"]["PowerState"] = "On";
        bmc.On("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", _ => ScriptedBmc.Answer(HttpStatusCode.NoContent));
        await using var hardware = new RedfishHardware(new RedfishClientOptions(new Uri("https://bmc.test")) { Username = ScriptedBmc.User, Password = ScriptedBmc.Password }, null, bmc)
        {
            PowerOptions = new RedfishPowerOptions { Timeout = TimeSpan.FromMilliseconds(100), PollInterval = TimeSpan.FromMilliseconds(10) },
        };
        var e = await Assert.ThrowsAsync<TimeoutException>(() => hardware.SetPowerStateAsync(PowerAction.GracefulShutdown, CancellationToken.None));
        Assert.Contains("still reads PowerState 'On'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetTypes_FromActionInfo_AreHonoured()
    {
        using var bmc = new ScriptedBmc();
        var reset = bmc.Resources["/redfish/v1/Systems/1"]["Actions"]!["#ComputerSystem.Reset"]!.AsObject();
        reset.Remove("ResetType@Redfish.AllowableValues");
        reset["@Redfish.ActionInfo"] = "/redfish/v1/Systems/1/ResetActionInfo";
        bmc.Resources["/redfish/v1/Systems/1/ResetActionInfo"] = ScriptedBmc.Json("""{"Parameters":[{"Name":"ResetType","AllowableValues":["ForceOn","ForceOff"]}]}""");
        await using var hardware = Hardware(bmc);
        await hardware.SetPowerStateAsync(PowerAction.On, CancellationToken.None);
        Assert.Equal("""{"ResetType":"ForceOn"}""", bmc.To("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset").Single().Body);
    }

    [Fact]
    public async Task SeveralSystems_WithoutASystemId_IsAnErrorListingThem()
    {
        using var bmc = new ScriptedBmc();
        bmc.Resources["/redfish/v1/Systems"] = ScriptedBmc.Json("""{"Members":[{"@odata.id":"/redfish/v1/Systems/1"},{"@odata.id":"/redfish/v1/Systems/2"}]}""");
        await using var hardware = Hardware(bmc);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => hardware.GetPowerStateAsync(CancellationToken.None));
        Assert.Contains("/redfish/v1/Systems/2", e.Message, StringComparison.Ordinal);
        Assert.Contains("--system", e.Message, StringComparison.Ordinal);
    }
}
