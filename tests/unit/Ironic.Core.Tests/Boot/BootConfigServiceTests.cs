using Ironic.Core.Boot;
using Ironic.Core.Inventory;

namespace Ironic.Core.Tests.Boot;

public sealed class BootConfigServiceTests : IAsyncLifetime
{
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"bootcfg-{Guid.NewGuid():N}.db");
    private IInventoryStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = InventoryStores.Open(StoreLocation.Sqlite(_db));
        await _store.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(_db) + "*")) File.Delete(f);
    }

    private async Task<Node> AddNodeAsync(string mac, string state, Dictionary<string, string> instanceInfo, string name = "n1")
    {
        var node = await _store.CreateNodeAsync(new Node { Name = name, ProvisionState = state, InstanceInfo = instanceInfo }, CancellationToken.None);
        await _store.CreatePortAsync(new Port(mac, node.Uuid), CancellationToken.None);
        return node;
    }

    private static Dictionary<string, string> KernelInfo(string args = "console=ttyS0 ipa-debug=1") => new()
    {
        ["kernel"] = "http://10.0.0.1/k/vmlinuz",
        ["ramdisk"] = "http://10.0.0.1/k/initrd.img",
        ["ramdisk_kernel_arguments"] = args,
    };

    [Theory]
    [InlineData("52:54:00:12:34:56")]
    [InlineData("52-54-00-12-34-56")]
    [InlineData("525400123456")]
    [InlineData("52%3A54%3A00%3A12%3A34%3A56")]
    [InlineData("52%3a54%3a00%3a12%3a34%3a56")]
    [InlineData("52:54:00:AB:CD:EF")]
    public void NormalizeMac_AcceptsEveryUsualForm(string text) =>
        Assert.Equal(text.Contains("AB", StringComparison.Ordinal) ? "52:54:00:ab:cd:ef" : "52:54:00:12:34:56", BootConfigService.NormalizeMac(text));

    [Theory]
    [InlineData("")]
    [InlineData("52:54:00:12:34")]
    [InlineData("52:54:00:12:34:56:78")]
    [InlineData("52:54:00:12:34:5g")]
    [InlineData("52%2F54%2F00%2F12%2F34%2F56")]
    [InlineData("../../etc/passwd")]
    [InlineData("5254001234560000000000000000000000000000000000000000000000000000000000")]
    public void NormalizeMac_RefusesWhatIsNotAMac(string text) => Assert.Null(BootConfigService.NormalizeMac(text));

    [Fact]
    public async Task BootIpxe_HasKernelInitrdAndTheNodesParameters_ForAWaitingNode()
    {
        var node = await AddNodeAsync("52:54:00:aa:00:01", ProvisionStates.WaitCallback, KernelInfo());
        var service = new BootConfigService(_store, new BootConfigOptions());

        var config = await service.GetAsync("52-54-00-AA-00-01", "boot.ipxe", CancellationToken.None);

        Assert.NotNull(config);
        Assert.Equal(node.Uuid, config.NodeUuid);
        Assert.StartsWith("#!ipxe\n", config.Text, StringComparison.Ordinal);
        Assert.Contains("kernel --name vmlinuz http://10.0.0.1/k/vmlinuz initrd=initrd.img console=ttyS0 ipa-debug=1 || goto retry\n", config.Text, StringComparison.Ordinal);
        Assert.Contains("initrd --name initrd.img http://10.0.0.1/k/initrd.img || goto retry\n", config.Text, StringComparison.Ordinal);
        Assert.Contains("\nboot || goto retry\n", config.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BootIpxe_SanbootsTheIso_WhenTheNodeHasABootIso()
    {
        await AddNodeAsync("52:54:00:aa:00:02", "wait call-back", new() { ["boot_iso"] = "http://10.0.0.1/v1/images/n1/boot.iso" });
        var config = await new BootConfigService(_store, new BootConfigOptions()).GetAsync("525400aa0002", "boot.ipxe", CancellationToken.None);
        Assert.NotNull(config);
        Assert.Contains("sanboot --no-describe http://10.0.0.1/v1/images/n1/boot.iso || goto retry\n", config.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("kernel ", config.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BootApi_ReturnsNothing_ForNodeNotInWaitState_UnlessUnrestricted()
    {
        await AddNodeAsync("52:54:00:aa:00:03", ProvisionStates.Active, KernelInfo());
        Assert.Null(await new BootConfigService(_store, new BootConfigOptions()).GetAsync("52:54:00:aa:00:03", "boot.ipxe", CancellationToken.None));
        Assert.NotNull(await new BootConfigService(_store, new BootConfigOptions { RestrictBootConfig = false }).GetAsync("52:54:00:aa:00:03", "boot.ipxe", CancellationToken.None));
    }

    [Fact]
    public async Task BootApi_ReturnsNothing_ForUnknownNameMacOrDisabledApi()
    {
        await AddNodeAsync("52:54:00:aa:00:04", ProvisionStates.WaitCallback, KernelInfo());
        var service = new BootConfigService(_store, new BootConfigOptions());
        Assert.Null(await service.GetAsync("52:54:00:aa:00:04", "grub.cfg", CancellationToken.None));
        Assert.Null(await service.GetAsync("52:54:00:aa:00:04", "../boot.ipxe", CancellationToken.None));
        Assert.Null(await service.GetAsync("52:54:00:aa:00:05", "boot.ipxe", CancellationToken.None));
        Assert.Null(await service.GetAsync("not-a-mac", "boot.ipxe", CancellationToken.None));
        Assert.Null(await new BootConfigService(_store, new BootConfigOptions { UseBootConfigApi = false }).GetAsync("52:54:00:aa:00:04", "boot.ipxe", CancellationToken.None));
    }

    [Fact]
    public async Task StoredBootIpxeArtifact_WinsOverInstanceInfo()
    {
        var node = await AddNodeAsync("52:54:00:aa:00:06", ProvisionStates.WaitCallback, KernelInfo());
        await _store.PutArtifactAsync(node.Uuid, "boot.ipxe", "#!ipxe\necho stored\n"u8.ToArray(), CancellationToken.None);
        var config = await new BootConfigService(_store, new BootConfigOptions()).GetAsync("52:54:00:aa:00:06", "boot.ipxe", CancellationToken.None);
        Assert.Equal("#!ipxe\necho stored\n", config!.Text);
    }

    [Fact]
    public async Task KernelParameters_CannotInjectIpxeCommands()
    {
        await AddNodeAsync("52:54:00:aa:00:07", ProvisionStates.WaitCallback, KernelInfo("quiet\nshell"));
        var config = await new BootConfigService(_store, new BootConfigOptions()).GetAsync("52:54:00:aa:00:07", "boot.ipxe", CancellationToken.None);
        Assert.DoesNotContain("\nshell", config!.Text, StringComparison.Ordinal);
        Assert.Contains("quiet shell", config.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_SaysWhyANodeGetsNothing()
    {
        await AddNodeAsync("52:54:00:aa:00:08", ProvisionStates.Available, KernelInfo(), name: "r1");
        var service = new BootConfigService(_store, new BootConfigOptions());

        var wrongState = await service.ExplainAsync("52:54:00:aa:00:08", "boot.ipxe", CancellationToken.None);
        var unknown = await service.ExplainAsync("52:54:00:aa:00:09", "boot.ipxe", CancellationToken.None);
        var malformed = await service.ExplainAsync("xyz", "boot.ipxe", CancellationToken.None);

        Assert.False(wrongState.Found);
        Assert.Equal("r1", wrongState.NodeName);
        Assert.Contains("'available'", wrongState.Reason, StringComparison.Ordinal);
        Assert.Contains("restrict_boot_config", wrongState.Reason, StringComparison.Ordinal);
        Assert.Contains("No port has the MAC 52:54:00:aa:00:09", unknown.Reason, StringComparison.Ordinal);
        Assert.Contains("'xyz' is not a MAC address", malformed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CatchAll_ChainsRelativeHyphenLinks_ForEveryNic()
    {
        var script = IpxeScripts.RenderCatchAll(null, interfaces: 3);
        Assert.StartsWith("#!ipxe\n", script, StringComparison.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            Assert.Contains($"isset ${{net{i}/mac}} || goto skip_net{i}\nchain --autofree v1/boot/${{net{i}/mac:hexhyp}}/boot.ipxe ||", script, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("net3", script, StringComparison.Ordinal);
        Assert.Contains("sleep ${pause}", script, StringComparison.Ordinal);
        Assert.Contains("inc pause ${pause}", script, StringComparison.Ordinal);
        Assert.Contains("goto giveup", script, StringComparison.Ordinal);
    }

    [Fact]
    public void CatchAll_WhenNoNicHasAConfiguration_TriesFourRounds_Pausing5_10And20Seconds_ThenGivesUp()
    {
        var run = IpxeCatchAllRun.Execute(IpxeScripts.RenderCatchAll(null), ["52:54:00:00:00:01", "52:54:00:00:00:02"]);

        string[] round = ["v1/boot/52-54-00-00-00-01/boot.ipxe", "v1/boot/52-54-00-00-00-02/boot.ipxe"];
        Assert.Equal([.. round, .. round, .. round, .. round], run.Chained);
        Assert.Equal([5, 10, 20], run.Sleeps);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Ironic: no boot configuration for any NIC of this machine, giving up", run.Echoed[^1]);
        Assert.Contains("Ironic: no boot configuration yet, retrying in 20 s (attempt 3 of 4)", run.Echoed);
    }

    /// <summary>
    /// Runs the catch-all the way iPXE would on a machine whose every chain fails: the few
    /// commands it uses (set, inc, iseq, isset, goto, chain, echo, sleep, exit, with && and ||).
    /// </summary>
    private sealed record IpxeCatchAllRun(List<string> Chained, List<int> Sleeps, List<string> Echoed, int? ExitCode)
    {
        public static IpxeCatchAllRun Execute(string script, IReadOnlyList<string> nicMacs)
        {
            var lines = script.Split('\n');
            var labels = lines.Select((l, i) => (l, i)).Where(p => p.l.StartsWith(':')).ToDictionary(p => p.l[1..], p => p.i);
            var vars = new Dictionary<string, string>();
            for (var n = 0; n < nicMacs.Count; n++)
            {
                vars[$"net{n}/mac"] = nicMacs[n];
                vars[$"net{n}/mac:hexhyp"] = nicMacs[n].Replace(':', '-');
            }
            var run = new IpxeCatchAllRun([], [], [], null);
            string Expand(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\$\{([^}]+)\}", m => vars.GetValueOrDefault(m.Groups[1].Value, ""));
            var pc = 0;
            for (var steps = 0; pc < lines.Length; steps++)
            {
                Assert.True(steps < 10_000, "the catch-all never ends");
                var line = lines[pc++].Trim();
                if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(':')) continue;
                int? jump = null;
                bool Run(string command)
                {
                    var words = command.Split(' ', 2);
                    var rest = words.Length > 1 ? Expand(words[1]) : "";
                    var args = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    switch (words[0])
                    {
                        case "set": vars[args[0].Split(':')[0]] = args[1]; return true;
                        case "inc": vars[args[0]] = (int.Parse(vars[args[0]]) + (args.Length > 1 ? int.Parse(args[1]) : 1)).ToString(); return true;
                        case "iseq": return args[0] == args[1];
                        case "isset": return args.Length > 0;
                        case "goto": jump = labels[args[0]]; return true;
                        case "chain": run.Chained.Add(args[^1]); return false;
                        case "echo": run.Echoed.Add(rest); return true;
                        case "sleep": run.Sleeps.Add(int.Parse(args[0])); return true;
                        case "exit": jump = lines.Length; run = run with { ExitCode = int.Parse(args[0]) }; return true;
                        default: throw new InvalidOperationException($"the catch-all uses '{words[0]}', which this runner does not know");
                    }
                }
                // "a && b || c": b runs when a succeeded, c when the last command run failed; an empty c ignores the failure.
                var parts = System.Text.RegularExpressions.Regex.Split(line, @"\s*(&&|\|\|)\s*");
                var ok = Run(parts[0]);
                for (var i = 1; i + 1 < parts.Length && jump is null; i += 2)
                {
                    if (parts[i] == "&&" && ok) ok = Run(parts[i + 1]);
                    else if (parts[i] == "||" && !ok) ok = parts[i + 1].Length == 0 || Run(parts[i + 1]);
                }
                if (jump is { } target) pc = target;
            }
            return run;
        }
    }

    [Fact]
    public void CatchAll_UsesTheRootUrl_WhenConfigured()
    {
        var script = IpxeScripts.RenderCatchAll(new Uri("http://10.1.2.3:6385/"));
        Assert.Contains("chain --autofree http://10.1.2.3:6385/v1/boot/${net0/mac:hexhyp}/boot.ipxe", script, StringComparison.Ordinal);
    }
}
