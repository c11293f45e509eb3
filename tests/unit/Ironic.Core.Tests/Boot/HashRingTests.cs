using Ironic.Core.Boot;

namespace Ironic.Core.Tests.Boot;

public class HashRingTests
{
    /// <summary>Node UUIDs from a seeded generator, so every run checks the same nodes.</summary>
    internal static Guid[] NodeUuids(int count, int seed = 42)
    {
        var random = new Random(seed);
        var bytes = new byte[16];
        return Enumerable.Range(0, count).Select(_ => { random.NextBytes(bytes); return new Guid(bytes); }).ToArray();
    }

    private static string[] Hosts(int count) => Enumerable.Range(1, count).Select(i => $"conductor-{i}.lab.example").ToArray();

    /// <summary>The rings checked against tooz: 3 to 10 conductors at exponent 5, and odd names at exponent 3.</summary>
    internal static readonly (string[] Hosts, int Exponent)[] CheckedRings =
    [
        .. Enumerable.Range(3, 8).Select(n => (Hosts(n), HashRing.DefaultPartitionExponent)),
        (["c1", "Ünïcode-host", "10.0.0.7", "a"], 3),
    ];

    internal static readonly string[] CheckedKeys =
        [.. NodeUuids(1000, seed: 3).Select(n => n.ToString("D")), "", "some-name", "NODE-IN-CAPITALS"];

    private static readonly Lazy<Task<Dictionary<string, string>[]>> ToozAnswers = new(() => Tooz.OwnersAsync(CheckedRings, CheckedKeys));

    [Fact]
    public async Task Owners_MatchToozHashRing_For3To10Conductors_AndOddNames()
    {
        var expected = await ToozAnswers.Value;
        Assert.Equal(CheckedRings.Length, expected.Length);
        for (var i = 0; i < CheckedRings.Length; i++)
        {
            var (hosts, exponent) = CheckedRings[i];
            var ring = new HashRing(hosts, exponent);
            var mismatches = CheckedKeys.Where(k => ring.GetOwner(k) != expected[i][k]).ToList();
            Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {CheckedKeys.Length} keys differ from tooz for hosts [{string.Join(", ", hosts)}], exponent {exponent}");
            Assert.Equal(CheckedKeys.Length, expected[i].Count);
        }
    }

    [Fact]
    public async Task Owners_OfGuid_AreThoseOfItsLowerCaseText_AsIronicKeysNodes()
    {
        var expected = await ToozAnswers.Value;
        var ring = new HashRing(CheckedRings[0].Hosts);
        foreach (var uuid in NodeUuids(1000, seed: 3)) Assert.Equal(expected[0][uuid.ToString("D")], ring.GetOwner(uuid));
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
}
