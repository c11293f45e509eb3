using System.Text.Json;
using Ironic.BmcEmulation;
using Ironic.Core.Tests.Redfish;

namespace Ironic.Cli.Tests.Redfish;

public sealed class CliImageServerFixture : IDisposable
{
    internal LocalImageServer Server { get; } = new("cli.iso", 1024 * 1024);
    public void Dispose() => Server.Dispose();
}

/// <summary>ironic vmedia / power / boot-device against the BMC emulator.</summary>
public sealed class BmcCommandTests(CliImageServerFixture images) : IClassFixture<CliImageServerFixture>, IDisposable
{
    private readonly string _passwordFile = WritePasswordFile("password");

    private static string WritePasswordFile(string password)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bmc-pw-{Guid.NewGuid():N}");
        File.WriteAllText(path, password + "\n");
        return path;
    }

    public void Dispose() => File.Delete(_passwordFile);

    private static async Task<BmcEmulator> StartAsync(BmcProfile profile, string password = "password") =>
        await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = profile, Password = password }, CancellationToken.None);

    private async Task<(int Code, string Out, string Err)> RunAsync(BmcEmulator bmc, string passwordFile, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] connection = ["--bmc", bmc.Address.AbsoluteUri, "--username", "admin", "--password-file", passwordFile, "--timeout", "30"];
        var code = await IronicCommandLine.InvokeAsync([.. args, .. connection], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task VmediaInsert_BootsOnceAndPowersOn_ThenShowAndEject()
    {
        await using var bmc = await StartAsync(BmcProfile.Ilo);
        var image = images.Server.ImageUrl.AbsoluteUri;

        var insert = await RunAsync(bmc, _passwordFile, "vmedia", "insert", "--image", image, "--boot-once", "--power-on", "--mode", "uefi");
        Assert.True(insert.Code == 0, insert.Err);
        Assert.Contains(image, insert.Out, StringComparison.Ordinal);
        var slot = bmc.State.Slots.Single(s => s.Image == image);
        Assert.True(slot.Inserted);
        var booted = Assert.Single(bmc.State.Boots);
        Assert.Equal("Cd", booted.Device);
        Assert.True(booted.FromOverride);
        Assert.Equal(image, booted.Image);
        Assert.Equal("On", bmc.State.PowerState);
        Assert.Equal(ImageDownloadStatus.Completed, (await bmc.State.WaitForDownloadAsync(slot.Path, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30))).Status);

        var show = await RunAsync(bmc, _passwordFile, "vmedia", "show", "--json");
        Assert.Equal(0, show.Code);
        using (var json = JsonDocument.Parse(show.Out))
        {
            Assert.Contains(json.RootElement.EnumerateArray(), s => s.GetProperty("image").GetString() == image && s.GetProperty("inserted").GetBoolean());
        }

        var eject = await RunAsync(bmc, _passwordFile, "vmedia", "eject");
        Assert.True(eject.Code == 0, eject.Err);
        Assert.False(bmc.State.Slot(slot.Path).Inserted);
    }

    [Fact]
    public async Task Power_OnShowResetOff_WaitForTheNewState()
    {
        await using var bmc = await StartAsync(BmcProfile.Idrac);
        var on = await RunAsync(bmc, _passwordFile, "power", "on");
        Assert.True(on.Code == 0, on.Err);
        Assert.Equal("On", bmc.State.PowerState);

        var show = await RunAsync(bmc, _passwordFile, "power", "show", "--json");
        using (var json = JsonDocument.Parse(show.Out)) Assert.Equal("On", json.RootElement.GetProperty("power_state").GetString());

        var reset = await RunAsync(bmc, _passwordFile, "power", "reset");
        Assert.True(reset.Code == 0, reset.Err);
        Assert.Contains("PowerState", reset.Out, StringComparison.Ordinal);

        var off = await RunAsync(bmc, _passwordFile, "power", "off");
        Assert.True(off.Code == 0, off.Err);
        Assert.Equal("Off", bmc.State.PowerState);
        Assert.Contains(bmc.Requests, r => r.Method == "POST" && r.Body?.Contains("ForceOff", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task BootDeviceSet_Cd_UsesUsbCd_OnSupermicro()
    {
        await using var bmc = await StartAsync(BmcProfile.Supermicro);
        var set = await RunAsync(bmc, _passwordFile, "boot-device", "set", "--device", "cd", "--once");
        Assert.True(set.Code == 0, set.Err);
        Assert.Equal("UsbCd", bmc.State.Boot.Target);
        Assert.Equal("Once", bmc.State.Boot.Enabled);
        Assert.Contains("UsbCd", set.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongPassword_Fails_QuotingTheBmc_AndVerboseNeverShowsSecrets()
    {
        await using var bmc = await StartAsync(BmcProfile.Generic, password: "Right-Pa55word");
        var wrongFile = WritePasswordFile("Wrong-Pa55word");
        try
        {
            var wrong = await RunAsync(bmc, wrongFile, "power", "show", "--verbose");
            Assert.Equal(1, wrong.Code);
            Assert.StartsWith("ironic: ", wrong.Err, StringComparison.Ordinal);
            Assert.Contains("The BMC said:", wrong.Err, StringComparison.Ordinal);
            Assert.DoesNotContain("Wrong-Pa55word", wrong.Out + wrong.Err, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(wrongFile);
        }

        var rightFile = WritePasswordFile("Right-Pa55word");
        try
        {
            var right = await RunAsync(bmc, rightFile, "vmedia", "insert", "--image", images.Server.ImageUrl.AbsoluteUri, "--verbose");
            Assert.True(right.Code == 0, right.Err);
            Assert.Matches(@"ironic: POST /redfish/v1/\S+InsertMedia -> 20\d", right.Err);
            Assert.DoesNotContain("Right-Pa55word", right.Out + right.Err, StringComparison.Ordinal);
            Assert.DoesNotContain("X-Auth-Token", right.Err, StringComparison.OrdinalIgnoreCase);
            // The session the run used: its token appears nowhere in what the command printed, and it was logged out.
            var token = Assert.Single(bmc.IssuedSessionTokens);
            Assert.Contains("session created at", right.Err, StringComparison.Ordinal);
            Assert.DoesNotContain(token, right.Out + right.Err, StringComparison.Ordinal);
            Assert.Equal(0, bmc.State.SessionCount);
        }
        finally
        {
            File.Delete(rightFile);
        }
    }

    [Fact]
    public async Task BusySlot_FailsWithTheImageInIt_UnlessForced()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = BmcProfile.Xcc, PreinsertedImage = "http://192.0.2.7/other.iso" }, CancellationToken.None);
        var busy = await RunAsync(bmc, _passwordFile, "vmedia", "insert", "--image", images.Server.ImageUrl.AbsoluteUri);
        Assert.Equal(1, busy.Code);
        Assert.Contains("http://192.0.2.7/other.iso", busy.Err, StringComparison.Ordinal);
        Assert.Contains("--force", busy.Err, StringComparison.Ordinal);

        var forced = await RunAsync(bmc, _passwordFile, "vmedia", "insert", "--image", images.Server.ImageUrl.AbsoluteUri, "--force");
        Assert.True(forced.Code == 0, forced.Err);
    }

    [Fact]
    public async Task UnreachableBmc_FailsWithAClearMessage()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await IronicCommandLine.InvokeAsync(["power", "show", "--bmc", "http://127.0.0.1:9", "--username", "admin", "--password-file", _passwordFile], output, error);
        Assert.Equal(1, code);
        Assert.Contains("No BMC answered", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:9", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_IsNeverTakenFromArgv()
    {
        var error = new StringWriter();
        var code = await IronicCommandLine.InvokeAsync(["power", "show", "--bmc", "http://127.0.0.1:9", "--username", "admin", "--password", "x"], TextWriter.Null, error);
        Assert.NotEqual(0, code);
        Assert.Contains("--password", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_ComesFromTheEnvironment_WhenNoFileIsGiven()
    {
        await using var bmc = await StartAsync(BmcProfile.OpenBmc, password: "Env-Pa55word");
        var output = new StringWriter();
        var error = new StringWriter();
        Environment.SetEnvironmentVariable("IRONIC_BMC_PASSWORD", "Env-Pa55word");
        try
        {
            var code = await IronicCommandLine.InvokeAsync(["power", "show", "--bmc", bmc.Address.AbsoluteUri, "--username", "admin"], output, error);
            Assert.True(code == 0, error.ToString());
            Assert.Contains("Off", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("IRONIC_BMC_PASSWORD", null);
        }
    }

    [Fact]
    public async Task Tls_IsVerifiedByDefault_InsecureSkipsIt_AndACaBundleTrustsIt()
    {
        await using var bmc = await BmcEmulator.StartAsync(new BmcEmulatorOptions { Profile = BmcProfile.Generic, UseTls = true }, CancellationToken.None);
        var verified = await RunAsync(bmc, _passwordFile, "power", "show");
        Assert.Equal(1, verified.Code);
        Assert.Contains("TLS", verified.Err, StringComparison.Ordinal);
        Assert.Contains("--insecure", verified.Err, StringComparison.Ordinal);

        var insecure = await RunAsync(bmc, _passwordFile, "power", "show", "--insecure");
        Assert.True(insecure.Code == 0, insecure.Err);

        var bundle = Path.Combine(Path.GetTempPath(), $"cli-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(bundle, bmc.Certificate!.ExportCertificatePem());
        try
        {
            var trusted = await RunAsync(bmc, _passwordFile, "power", "show", "--ca-bundle", bundle);
            Assert.True(trusted.Code == 0, trusted.Err);
        }
        finally
        {
            File.Delete(bundle);
        }
    }
}
