using System.Net;
using System.Text.Json.Nodes;

namespace Ironic.BmcEmulation.Tests;

/// <summary>Each vendor profile's quirks, as a Redfish client meets them (raw HTTP).</summary>
public class ProfileTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private TestImageServer _images = null!;

    public async Task InitializeAsync() => _images = await TestImageServer.StartAsync(200_000);

    public async Task DisposeAsync() => await _images.DisposeAsync();

    private string Iso => _images.UrlOf("ramdisk.iso").ToString();

    [Theory]
    [InlineData(BmcProfile.Generic, "/redfish/v1/Systems/1", "/redfish/v1/Systems/1/VirtualMedia/Cd")]
    [InlineData(BmcProfile.Idrac, "/redfish/v1/Systems/System.Embedded.1", "/redfish/v1/Managers/iDRAC.Embedded.1/VirtualMedia/CD")]
    [InlineData(BmcProfile.Ilo, "/redfish/v1/Systems/1", "/redfish/v1/Managers/1/VirtualMedia/2")]
    [InlineData(BmcProfile.Xcc, "/redfish/v1/Systems/1", "/redfish/v1/Managers/1/VirtualMedia/EXT1")]
    [InlineData(BmcProfile.Supermicro, "/redfish/v1/Systems/1", "/redfish/v1/Managers/1/VirtualMedia/CD1")]
    [InlineData(BmcProfile.OpenBmc, "/redfish/v1/Systems/system", "/redfish/v1/Managers/bmc/VirtualMedia/Slot_1")]
    public async Task Profile_PlacesSystemAndUsableCdSlotWhereTheVendorDoes(BmcProfile profile, string system, string cdSlot)
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = profile }, None);
        using var redfish = new Redfish(bmc);

        Assert.Equal(system, bmc.State.SystemPath);
        Assert.Equal(cdSlot, bmc.State.CdSlot.Path);
        var systems = await redfish.GetAsync("/redfish/v1/Systems");
        Assert.Equal(system, systems.Body!["Members"]![0]!["@odata.id"]!.GetValue<string>());
        var slot = await redfish.GetAsync(cdSlot);
        Assert.Contains(slot.Body!["MediaTypes"]!.AsArray(), t => t!.GetValue<string>() == "CD");
        var allowable = (await redfish.GetAsync(system)).Body!["Boot"]!["BootSourceOverrideTarget@Redfish.AllowableValues"]!.AsArray();
        Assert.NotEmpty(allowable);
    }

    /// <summary>The whole job on every profile: insert, verify, boot once, power on, eject — done the way each vendor needs.</summary>
    [Theory]
    [InlineData(BmcProfile.Generic)]
    [InlineData(BmcProfile.Idrac)]
    [InlineData(BmcProfile.Ilo)]
    [InlineData(BmcProfile.Xcc)]
    [InlineData(BmcProfile.Supermicro)]
    [InlineData(BmcProfile.OpenBmc)]
    public async Task Profile_InsertVerifyBootOncePowerOnEject_WithTheImageReallyFetched(BmcProfile profile)
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = profile }, None);
        using var redfish = new Redfish(bmc);
        // OpenBMC's Slot_0 is a proxy slot without actions: a client must take a slot it can insert into.
        var slot = bmc.State.CdSlot.Path;
        Assert.Equal(profile == BmcProfile.OpenBmc ? "Slot_1" : bmc.State.Slots.First(s => s.MediaTypes.Contains("CD")).Id, bmc.State.CdSlot.Id);
        var system = bmc.State.SystemPath;

        RedfishAnswer inserted;
        if (profile == BmcProfile.Xcc)
            inserted = await redfish.PatchAsync(slot, $$"""{"Image":"{{Iso}}","Inserted":true,"WriteProtected":true}""", await redfish.ETagAsync(slot));
        else
            inserted = await redfish.PostAsync($"{slot}/Actions/VirtualMedia.InsertMedia",
                profile == BmcProfile.Supermicro ? $$"""{"Image":"{{Iso}}","TransferProtocolType":"HTTP"}""" : $$"""{"Image":"{{Iso}}"}""");
        Assert.True(inserted.Status is HttpStatusCode.NoContent or HttpStatusCode.OK, $"{profile} insert answered {inserted.Status}: {inserted.Body}");

        var view = (await redfish.GetAsync(slot)).Body!;
        Assert.True(view["Inserted"]!.GetValue<bool>());
        Assert.Equal(Iso, view["Image"]!.GetValue<string>());
        var download = await bmc.State.WaitForDownloadAsync(slot, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.Equal(ImageDownloadStatus.Completed, download.Status);
        Assert.Equal(_images.Sha256, download.Sha256);

        var target = profile == BmcProfile.Supermicro ? "UsbCd" : "Cd";
        var bootBody = $$$"""{"Boot":{"BootSourceOverrideTarget":"{{{target}}}","BootSourceOverrideEnabled":"Once"}}""";
        var etag = await redfish.ETagAsync(system);
        var boot = await redfish.PatchAsync(system, bootBody, etag);
        if (boot.Status == HttpStatusCode.PreconditionFailed && etag.StartsWith("W/", StringComparison.Ordinal))
            boot = await redfish.PatchAsync(system, bootBody, etag[2..]); // iLO: the weak tag made strong
        Assert.Equal(HttpStatusCode.OK, boot.Status);
        Assert.Equal(new BootOverride(target, "Once", "UEFI"), bmc.State.Boot);

        var power = await redfish.PostAsync($"{system}/Actions/ComputerSystem.Reset", """{"ResetType":"On"}""");
        Assert.True(power.Status is HttpStatusCode.NoContent or HttpStatusCode.OK, $"{profile} reset answered {power.Status}");
        Assert.Equal("On", bmc.State.PowerState);
        var booted = Assert.Single(bmc.State.Boots);
        Assert.Equal((target, Iso, true), (booted.Device, booted.Image, booted.FromOverride));
        Assert.Equal(new BootOverride("None", "Disabled", "UEFI"), bmc.State.Boot); // Once is used up by the boot

        RedfishAnswer ejected = profile == BmcProfile.Xcc
            ? await redfish.PatchAsync(slot, """{"Image":null,"Inserted":false}""", await redfish.ETagAsync(slot))
            : await redfish.PostAsync($"{slot}/Actions/VirtualMedia.EjectMedia", "{}");
        Assert.True(ejected.Status is HttpStatusCode.NoContent or HttpStatusCode.OK, $"{profile} eject answered {ejected.Status}");
        Assert.False(bmc.State.Slot(slot).Inserted);
        Assert.Null(bmc.State.Slot(slot).Image);
    }

    [Fact]
    public async Task Generic_SlotsUnderTheSystem_AcceptActionsAndPatch_AndEmptyEjectBody()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var redfish = new Redfish(bmc);
        var system = (await redfish.GetAsync("/redfish/v1/Systems/1")).Body!;
        Assert.Equal("/redfish/v1/Systems/1/VirtualMedia", system["VirtualMedia"]!["@odata.id"]!.GetValue<string>());
        Assert.Null((await redfish.GetAsync("/redfish/v1/Managers/1")).Body!["VirtualMedia"]);
        const string slot = "/redfish/v1/Systems/1/VirtualMedia/Cd";
        Assert.Equal("GET, HEAD, PATCH", (await redfish.GetAsync(slot)).Header("Allow"));

        Assert.Equal(HttpStatusCode.OK, (await redfish.PatchAsync(slot, $$"""{"Image":"{{Iso}}","Inserted":true}""")).Status);
        Assert.True(bmc.State.Slot("Cd").Inserted);
        Assert.Equal(HttpStatusCode.NoContent, (await redfish.PostAsync($"{slot}/Actions/VirtualMedia.EjectMedia", null)).Status);
        Assert.False(bmc.State.Slot("Cd").Inserted);
    }

    [Fact]
    public async Task Idrac_RequiresIfMatch_AndRefusesNonIsoAndUnreachableImagesWithItsReason()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = BmcProfile.Idrac }, None);
        using var redfish = new Redfish(bmc);
        const string system = "/redfish/v1/Systems/System.Embedded.1";
        const string insert = "/redfish/v1/Managers/iDRAC.Embedded.1/VirtualMedia/CD/Actions/VirtualMedia.InsertMedia";

        var noIfMatch = await redfish.PatchAsync(system, """{"Boot":{"BootSourceOverrideTarget":"Cd"}}""");
        Assert.Equal((HttpStatusCode)428, noIfMatch.Status);
        Assert.Equal("Base.1.12.PreconditionRequired", noIfMatch.MessageId);

        var notIso = await redfish.PostAsync(insert, $$"""{"Image":"{{_images.UrlOf("ramdisk.img")}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, notIso.Status);
        Assert.Contains(".iso", notIso.Message, StringComparison.Ordinal);

        var withQuery = await redfish.PostAsync(insert, $$"""{"Image":"{{Iso}}?token=1"}""");
        Assert.Equal(HttpStatusCode.BadRequest, withQuery.Status);

        var tooLong = await redfish.PostAsync(insert, $$"""{"Image":"{{_images.UrlOf(new string('a', 260) + ".iso")}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.Status);
        Assert.Contains("at most 255", tooLong.Message, StringComparison.Ordinal);

        var missing = await redfish.PostAsync(insert, $$"""{"Image":"{{_images.UrlOf("missing.iso")}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Equal("Base.1.12.ResourceMissingAtURI", missing.MessageId);
        Assert.Contains("404", missing.Message, StringComparison.Ordinal);

        var unreachable = await redfish.PostAsync(insert, """{"Image":"http://127.0.0.1:1/boot.iso"}""");
        Assert.Equal(HttpStatusCode.BadRequest, unreachable.Status);
        Assert.Equal("Base.1.12.CouldNotEstablishConnection", unreachable.MessageId);
        Assert.Contains("unable to connect", unreachable.Message, StringComparison.Ordinal);
        Assert.False(bmc.State.CdSlot.Inserted);

        Assert.Equal(HttpStatusCode.NoContent, (await redfish.PostAsync(insert, $$"""{"Image":"{{Iso}}"}""")).Status);
        Assert.Equal("HTTP", bmc.State.CdSlot.TransferProtocolType);
        var patchSlot = await redfish.PatchAsync("/redfish/v1/Managers/iDRAC.Embedded.1/VirtualMedia/CD", """{"Inserted":false}""", "*");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, patchSlot.Status);
        Assert.Equal("GET, HEAD", patchSlot.Header("Allow"));
    }

    [Fact]
    public async Task Idrac_EjectOfAnEmptySlot_Is500WithItsWords_AndTheSlotReadsNotInserted()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = BmcProfile.Idrac }, None);
        using var redfish = new Redfish(bmc);
        const string slot = "/redfish/v1/Managers/iDRAC.Embedded.1/VirtualMedia/CD";

        var answer = await redfish.PostAsync($"{slot}/Actions/VirtualMedia.EjectMedia", "{}");

        Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
        Assert.Contains("already disconnected", answer.Message, StringComparison.Ordinal);
        Assert.False((await redfish.GetAsync(slot)).Body!["Inserted"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Ilo_SendsWeakETags_ComparesStrongly_AndNeedsAJsonEjectBody()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = BmcProfile.Ilo }, None);
        using var redfish = new Redfish(bmc);
        const string system = "/redfish/v1/Systems/1";
        const string slot = "/redfish/v1/Managers/1/VirtualMedia/2";
        const string body = """{"Boot":{"BootSourceOverrideTarget":"Cd","BootSourceOverrideEnabled":"Once"}}""";

        var etag = await redfish.ETagAsync(system);
        Assert.StartsWith("W/\"", etag, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode)428, (await redfish.PatchAsync(system, body)).Status);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await redfish.PatchAsync(system, body, etag)).Status);
        Assert.Equal(HttpStatusCode.OK, (await redfish.PatchAsync(system, body, etag[2..])).Status);

        var inserted = await redfish.PostAsync($"{slot}/Actions/VirtualMedia.InsertMedia", $$"""{"Image":"{{Iso}}"}""");
        Assert.Equal(HttpStatusCode.OK, inserted.Status);
        Assert.Equal("Base.1.4.Success", inserted.MessageId);

        var empty = await redfish.PostAsync($"{slot}/Actions/VirtualMedia.EjectMedia", null);
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        Assert.Equal("Base.1.12.MalformedJSON", empty.MessageId);
        Assert.True(bmc.State.Slot("2").Inserted);
        Assert.Equal(HttpStatusCode.OK, (await redfish.PostAsync($"{slot}/Actions/VirtualMedia.EjectMedia", "{}")).Status);
        Assert.False(bmc.State.Slot("2").Inserted);
    }

    [Fact]
    public async Task Xcc_HasNoMediaActions_AndAllowsPatchOnTheSlotWithIfMatch()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = BmcProfile.Xcc }, None);
        using var redfish = new Redfish(bmc);
        const string slot = "/redfish/v1/Managers/1/VirtualMedia/EXT1";

        var view = await redfish.GetAsync(slot);
        Assert.Null(view.Body!["Actions"]);
        Assert.Contains("PATCH", view.Header("Allow"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await redfish.PostAsync($"{slot}/Actions/VirtualMedia.InsertMedia", $$"""{"Image":"{{Iso}}"}""")).Status);

        var body = $$"""{"Image":"{{Iso}}","Inserted":true,"WriteProtected":true}""";
        Assert.Equal((HttpStatusCode)428, (await redfish.PatchAsync(slot, body)).Status);
        var patched = await redfish.PatchAsync(slot, body, view.Header("ETag"));
        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.True(patched.Body!["Inserted"]!.GetValue<bool>());
        Assert.NotEqual(view.Header("ETag"), patched.Header("ETag"));

        Assert.Equal(HttpStatusCode.OK, (await redfish.PatchAsync(slot, """{"Image":null,"Inserted":false}""", await redfish.ETagAsync(slot))).Status);
        Assert.False(bmc.State.Slot("EXT1").Inserted);
    }

    [Fact]
    public async Task Supermicro_RequiresTransferProtocolType_RefusesInsertedAndWriteProtected_AndOnlyBootsUsbCd()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = BmcProfile.Supermicro }, None);
        using var redfish = new Redfish(bmc);
        const string insert = "/redfish/v1/Managers/1/VirtualMedia/CD1/Actions/VirtualMedia.InsertMedia";

        var minimal = await redfish.PostAsync(insert, $$"""{"Image":"{{Iso}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, minimal.Status);
        Assert.Equal("Base.1.12.ActionParameterMissing", minimal.MessageId);
        Assert.Contains("TransferProtocolType", minimal.Message, StringComparison.Ordinal);
        Assert.Equal("#/TransferProtocolType", minimal.Body!["error"]!["@Message.ExtendedInfo"]![0]!["RelatedProperties"]![0]!.GetValue<string>());

        var withInserted = await redfish.PostAsync(insert, $$"""{"Image":"{{Iso}}","TransferProtocolType":"HTTP","Inserted":true,"WriteProtected":true}""");
        Assert.Equal(HttpStatusCode.BadRequest, withInserted.Status);
        Assert.Equal("Base.1.12.ActionParameterNotSupported", withInserted.MessageId);

        var wrongProtocol = await redfish.PostAsync(insert, $$"""{"Image":"{{Iso}}","TransferProtocolType":"NFS"}""");
        Assert.Equal(HttpStatusCode.BadRequest, wrongProtocol.Status);
        Assert.Equal("Base.1.12.ActionParameterValueNotInList", wrongProtocol.MessageId);

        Assert.Equal(HttpStatusCode.NoContent, (await redfish.PostAsync(insert, $$"""{"Image":"{{Iso}}","TransferProtocolType":"HTTP"}""")).Status);
        Assert.True(bmc.State.Slot("CD1").Inserted);

        var cd = await redfish.PatchAsync("/redfish/v1/Systems/1", """{"Boot":{"BootSourceOverrideTarget":"Cd"}}""");
        Assert.Equal("Base.1.12.PropertyValueNotInList", cd.MessageId);
        Assert.Equal(HttpStatusCode.OK, (await redfish.PatchAsync("/redfish/v1/Systems/1", """{"Boot":{"BootSourceOverrideTarget":"UsbCd"}}""")).Status);
    }

    [Fact]
    public async Task OpenBmc_ProxySlotHasNoActions_LegacySlotRefusesInsertedFalse()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = BmcProfile.OpenBmc }, None);
        using var redfish = new Redfish(bmc);

        Assert.Equal("Slot_1", bmc.State.CdSlot.Id);
        var proxy = await redfish.GetAsync("/redfish/v1/Managers/bmc/VirtualMedia/Slot_0");
        Assert.Null(proxy.Body!["Actions"]);
        Assert.Equal("GET, HEAD", proxy.Header("Allow"));
        var members = (await redfish.GetAsync("/redfish/v1/Managers/bmc/VirtualMedia")).Body!["Members"]!.AsArray();
        Assert.Equal(["/redfish/v1/Managers/bmc/VirtualMedia/Slot_0", "/redfish/v1/Managers/bmc/VirtualMedia/Slot_1"], members.Select(m => m!["@odata.id"]!.GetValue<string>()));

        const string insert = "/redfish/v1/Managers/bmc/VirtualMedia/Slot_1/Actions/VirtualMedia.InsertMedia";
        var refused = await redfish.PostAsync(insert, $$"""{"Image":"{{Iso}}","Inserted":false}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("Base.1.12.ActionParameterNotSupported", refused.MessageId);
        Assert.Equal(HttpStatusCode.NoContent, (await redfish.PostAsync(insert, $$"""{"Image":"{{Iso}}","Inserted":true}""")).Status);
    }

    [Fact]
    public async Task BusySlot_InsertIs409ResourceInUse_NamingTheImageAlreadyThere()
    {
        const string busy = "http://192.0.2.10/images/previous-job.iso";
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = BmcProfile.Idrac, PreinsertedImage = busy }, None);
        using var redfish = new Redfish(bmc);
        const string slot = "/redfish/v1/Managers/iDRAC.Embedded.1/VirtualMedia/CD";
        Assert.True((await redfish.GetAsync(slot)).Body!["Inserted"]!.GetValue<bool>());

        var answer = await redfish.PostAsync($"{slot}/Actions/VirtualMedia.InsertMedia", $$"""{"Image":"{{Iso}}"}""");

        Assert.Equal(HttpStatusCode.Conflict, answer.Status);
        Assert.Equal("Base.1.12.ResourceInUse", answer.MessageId);
        Assert.Contains(busy, answer.Message, StringComparison.Ordinal);
        Assert.Equal(ImageDownloadStatus.None, bmc.State.CdSlot.Download.Status);
        Assert.Equal(HttpStatusCode.NoContent, (await redfish.PostAsync($"{slot}/Actions/VirtualMedia.EjectMedia", "{}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await redfish.PostAsync($"{slot}/Actions/VirtualMedia.InsertMedia", $$"""{"Image":"{{Iso}}"}""")).Status);
    }

    [Fact]
    public async Task InsertMedia_WithTask_InsertsOnlyWhenTheTaskCompletes()
    {
        var options = new BmcEmulatorOptions { Profile = BmcProfile.Ilo, Quirks = BmcProfiles.DefaultQuirks(BmcProfile.Ilo) | BmcQuirks.ActionsAsTasks, TaskDuration = TimeSpan.FromMilliseconds(300) };
        await using var bmc = await BmcEmulator.StartAsync(options, None);
        using var redfish = new Redfish(bmc);

        var accepted = await redfish.PostAsync("/redfish/v1/Managers/1/VirtualMedia/2/Actions/VirtualMedia.InsertMedia", $$"""{"Image":"{{Iso}}"}""");

        Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
        Assert.False(bmc.State.Slot("2").Inserted);
        // Waiting for the download first: it waits for the task to insert, then for the fetch.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal(ImageDownloadStatus.Completed, (await bmc.State.WaitForDownloadAsync("2", timeout.Token)).Status);
        Assert.True(bmc.State.Slot("2").Inserted);
        Assert.Equal(HttpStatusCode.OK, (await redfish.GetAsync(accepted.Header("Location")!)).Status);
    }

    [Fact]
    public async Task CredentialsRequired_InsertWithoutUserNameAndPassword_IsActionParameterMissing_EmptyOnesWork()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Quirks = BmcQuirks.CredentialsRequired }, None);
        using var redfish = new Redfish(bmc);
        const string insert = "/redfish/v1/Systems/1/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia";

        var refused = await redfish.PostAsync(insert, $$"""{"Image":"{{Iso}}"}""");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("Base.1.12.ActionParameterMissing", refused.MessageId);
        Assert.Contains("requires the parameter UserName", refused.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await redfish.PostAsync(insert, $$"""{"Image":"{{Iso}}","UserName":"","Password":""}""")).Status);
    }

    [Fact]
    public async Task InsertMedia_UnknownParameterOrNoImage_IsRefused()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions(), None);
        using var redfish = new Redfish(bmc);
        const string insert = "/redfish/v1/Systems/1/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia";

        Assert.Equal("Base.1.12.ActionParameterMissing", (await redfish.PostAsync(insert, "{}")).MessageId);
        Assert.Equal("Base.1.12.ActionParameterUnknown", (await redfish.PostAsync(insert, $$"""{"Image":"{{Iso}}","Bogus":1}""")).MessageId);
        Assert.Equal("Base.1.12.ActionParameterValueError", (await redfish.PostAsync(insert, """{"Image":"nfs://10.0.0.1/x.iso"}""")).MessageId);
        Assert.Equal("Base.1.12.MalformedJSON", (await redfish.PostAsync(insert, "not json")).MessageId);
        Assert.False(bmc.State.Slot("Cd").Inserted);
    }
}
