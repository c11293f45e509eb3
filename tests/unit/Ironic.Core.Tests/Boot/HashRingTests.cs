using System.Diagnostics;
using System.Text.Json;
using Ironic.Core.Boot;

namespace Ironic.Core.Tests.Boot;

public class HashRingTests
{
    private const string DebianPython = "/usr/bin/python3";

    /// <summary>Node UUIDs from a seeded generator, so every run checks the same nodes.</summary>
    internal static Guid[] NodeUuids(int count, int seed = 42)
    {
        var random = new Random(seed);
        var bytes = new byte[16];
        return Enumerable.Range(0, count).Select(_ => { random.NextBytes(bytes); return new Guid(bytes); }).ToArray();
    }

    private static string[] Hosts(int count) => Enumerable.Range(1, count).Select(i => $"conductor-{i}.lab.example").ToArray();

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public async Task Owners_MatchToozHashRing_ForEveryNode(int hostCount)
    {
        var hosts = Hosts(hostCount);
        var nodes = NodeUuids(500, seed: hostCount);
        var expected = await ToozOwnersAsync(hosts, nodes.Select(n => n.ToString("D")).ToArray(), HashRing.DefaultPartitionExponent);

        var ring = new HashRing(hosts);
        var mismatches = nodes.Where(n => ring.GetOwner(n) != expected[n.ToString("D")]).ToList();

        Assert.Equal(500, expected.Count);
        Assert.Empty(mismatches);
    }

    [Fact]
    public async Task Owners_MatchToozHashRing_WithOtherExponentAndOddNames()
    {
        string[] hosts = ["c1", "Ünïcode-host", "10.0.0.7", "a"];
        var keys = NodeUuids(300, seed: 7).Select(n => n.ToString("D")).Append("").Append("some-name").ToArray();
        var expected = await ToozOwnersAsync(hosts, keys, exponent: 3);

        var ring = new HashRing(hosts, partitionExponent: 3);

        Assert.All(keys, k => Assert.Equal(expected[k], ring.GetOwner(k)));
    }

    /// <summary>
    /// Stated tolerance: with 2^5 points per conductor, over 20,000 nodes every conductor owns
    /// between 0.5x and 1.6x its fair share (1/N). Measured with tooz on these host names: 0.59x to 1.41x over N = 3..10.
    /// </summary>
    [Fact]
    public void Balance_EveryConductorOwnsWithinTolerance_Of1OverN()
    {
        var nodes = NodeUuids(20_000);
        for (var n = 3; n <= 10; n++)
        {
            var ring = new HashRing(Hosts(n));
            var counts = nodes.GroupBy(ring.GetOwner).ToDictionary(g => g.Key, g => g.Count());
            var fair = nodes.Length / (double)n;
            Assert.Equal(n, counts.Count);
            Assert.All(counts, c => Assert.InRange(c.Value / fair, 0.5, 1.6));
        }
    }

    [Fact]
    public void Join_MovesAbout1OverN_AndOnlyToTheNewConductor()
    {
        var nodes = NodeUuids(20_000);
        for (var n = 3; n <= 9; n++)
        {
            var before = new HashRing(Hosts(n));
            var after = new HashRing(Hosts(n + 1));
            var joined = Hosts(n + 1)[^1];
            var moved = nodes.Where(u => before.GetOwner(u) != after.GetOwner(u)).ToList();

            Assert.All(moved, u => Assert.Equal(joined, after.GetOwner(u)));
            // About 1/(N+1) of the nodes: within the balance tolerance of the newcomer's share.
            Assert.InRange(moved.Count / (nodes.Length / (double)(n + 1)), 0.5, 1.6);
        }
    }

    [Fact]
    public void Leave_MovesOnlyTheLeaversNodes()
    {
        var nodes = NodeUuids(20_000);
        for (var n = 4; n <= 10; n++)
        {
            var hosts = Hosts(n);
            var leaver = hosts[n / 2];
            var before = new HashRing(hosts);
            var after = new HashRing(hosts.Where(h => h != leaver));
            var moved = nodes.Where(u => before.GetOwner(u) != after.GetOwner(u)).ToList();

            Assert.All(moved, u => Assert.Equal(leaver, before.GetOwner(u)));
            Assert.Equal(nodes.Count(u => before.GetOwner(u) == leaver), moved.Count);
            Assert.InRange(moved.Count / (nodes.Length / (double)n), 0.5, 1.6);
        }
    }

    [Fact]
    public void Ring_IgnoresHostOrderAndDuplicates()
    {
        var nodes = NodeUuids(1000);
        var a = new HashRing(["x", "y", "z"]);
        var b = new HashRing(["z", "x", "y", "x"]);
        Assert.Equal(3 * 32, b.PointCount);
        Assert.All(nodes, u => Assert.Equal(a.GetOwner(u), b.GetOwner(u)));
    }

    [Fact]
    public void GetOwners_ReturnsDistinctHosts_OwnerFirst_SkippingIgnored()
    {
        var ring = new HashRing(Hosts(5));
        var node = NodeUuids(1)[0];
        var owners = ring.GetOwners(node, 3);
        Assert.Equal(3, owners.Count);
        Assert.Equal(ring.GetOwner(node), owners[0]);
        Assert.Equal(3, owners.Distinct().Count());

        var withoutOwner = ring.GetOwners(node, 1, [owners[0]]);
        Assert.Equal(owners[1], withoutOwner[0]);
        Assert.Equal(5, ring.GetOwners(node, 99).Count);
    }

    [Fact]
    public void EmptyRing_ExplainsThatNoConductorIsAlive()
    {
        var ring = new HashRing([]);
        Assert.False(ring.TryGetOwner(Guid.NewGuid(), out _));
        var e = Assert.Throws<InvalidOperationException>(() => ring.GetOwner(Guid.NewGuid()));
        Assert.Contains("no conductor is alive", e.Message, StringComparison.Ordinal);
    }

    private static async Task<Dictionary<string, string>> ToozOwnersAsync(string[] hosts, string[] keys, int exponent)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Boot", "tooz_owners.py");
        if (!File.Exists(DebianPython))
        {
            Assert.Fail($"{DebianPython} is missing: install Debian's python3 and python3-tooz (apt-get install python3-tooz) to check the ring against tooz.");
        }
        var start = new ProcessStartInfo(DebianPython, [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object> { ["hosts"] = hosts, ["keys"] = keys, ["exponent"] = exponent }));
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            Assert.Fail($"tooz_owners.py failed (exit {process.ExitCode}); install python3-tooz (apt-get install python3-tooz). stderr: {await error}");
        }
        return JsonSerializer.Deserialize<Dictionary<string, string>>(await output)!;
    }
}
