using System.Net;
using System.Text;
using Calico.Ipam.Storage;

namespace Calico.Ipam.Tests;

/// <summary>Stored values are byte-identical to what upstream's Go encoding/json writes.</summary>
[Trait("Tier", "Unit")]
public sealed class BlockJsonTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void NewBlock_Encoded_MatchesUpstreamGolden()
    {
        var block = Block.Create(new IPNetwork(IPAddress.Parse("10.65.0.0"), 30), "host:node1", Now);

        string json = Encoding.UTF8.GetString(IpamJson.Encode(block.Data));

        Assert.Equal(
            "{\"cidr\":\"10.65.0.0/30\",\"affinity\":\"host:node1\",\"affinity_claim_time\":\"2026-01-02T03:04:05Z\","
            + "\"allocations\":[null,null,null,null],\"unallocated\":[0,1,2,3],\"attributes\":null,"
            + "\"sequenceNumber\":1767323045000000000,\"sequenceNumberForAllocation\":{},\"deleted\":false}",
            json);
    }

    [Fact]
    public void AssignedBlock_Encoded_SortsMapKeysAsGo()
    {
        var block = Block.Create(new IPNetwork(IPAddress.Parse("10.65.0.0"), 28), "host:node1", Now);
        block.Data.SequenceNumber = 7;
        var attrs = new Dictionary<string, string> { ["pod"] = "web-0", ["namespace"] = "prod", ["node"] = "node1" };
        block.AutoAssign(11, "k8s-pod-network.c1", attrs, Reservations.None);

        string json = Encoding.UTF8.GetString(IpamJson.Encode(block.Data));

        Assert.Contains("\"allocations\":[0,0,0,0,0,0,0,0,0,0,0,null,null,null,null,null],\"unallocated\":[11,12,13,14,15]", json, StringComparison.Ordinal);
        Assert.Contains("\"attributes\":[{\"handle_id\":\"k8s-pod-network.c1\",\"secondary\":{\"namespace\":\"prod\",\"node\":\"node1\",\"pod\":\"web-0\"}}]", json, StringComparison.Ordinal);
        Assert.Contains("\"sequenceNumberForAllocation\":{\"0\":7,\"1\":7,\"10\":7,\"2\":7,", json, StringComparison.Ordinal);
    }

    [Fact]
    public void UpstreamBlock_Decoded_RoundTripsByteForByte()
    {
        const string upstream = "{\"cidr\":\"10.65.0.0/30\",\"affinity\":null,\"allocations\":[0,null,1,null],\"unallocated\":[1,3],"
            + "\"attributes\":[{\"handle_id\":\"h1\"},{\"releasedAt\":\"2026-01-02T03:04:05Z\"}],\"sequenceNumber\":17,"
            + "\"sequenceNumberForAllocation\":{\"0\":12,\"2\":17},\"deleted\":false}";

        var data = IpamJson.DecodeBlock(Encoding.UTF8.GetBytes(upstream));

        Assert.Equal(upstream, Encoding.UTF8.GetString(IpamJson.Encode(data)));
    }

    [Fact]
    public void Release_NoCooldown_ReturnsOrdinalToFifoTailAndCompactsAttributes()
    {
        var block = Block.Create(new IPNetwork(IPAddress.Parse("10.65.0.0"), 30), "host:node1", Now);
        block.AutoAssign(2, "h1", null, Reservations.None);

        var counts = block.Release([(0, null, null)], 0, Now, [], []);

        Assert.Equal(1, counts["h1"]);
        Assert.Equal([2, 3, 0], block.Unallocated);
        Assert.Single(block.Data.Attributes!);
        Assert.False(block.IsInUse(0));
        Assert.True(block.IsInUse(1));
    }

    [Fact]
    public void Release_WithCooldown_KeepsAddressOutOfFifoUntilExpiry()
    {
        var block = Block.Create(new IPNetwork(IPAddress.Parse("10.65.0.0"), 31), "host:node1", Now);
        block.AutoAssign(1, "h1", null, Reservations.None);

        block.Release([(0, null, null)], 60, Now, [], []);

        Assert.Equal([1], block.Unallocated);
        Assert.False(block.IsInUse(0));
        Assert.True(block.GarbageCollect(60, Now.AddSeconds(61)));
        Assert.Equal([1, 0], block.Unallocated);
    }

    [Theory]
    [InlineData("{\"state\":\"pending\",\"deleted\":false}", "pending")]
    [InlineData("", "")]
    public void Affinity_Decoded_HandlesUpstreamAndLegacyEmptyValue(string json, string state)
    {
        Assert.Equal(state, IpamJson.DecodeAffinity(Encoding.UTF8.GetBytes(json)).State);
    }
}
