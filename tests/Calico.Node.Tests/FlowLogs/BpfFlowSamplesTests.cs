using System.Net;
using Calico.Felix.Bpf;
using Calico.Felix.FlowLogs;
using Calico.Node.FlowLogs;

namespace Calico.Node.Tests.FlowLogs;

/// <summary>The programs' per-flow counters as conntrack samples: orientation by the entry's opener, and the flow's end.</summary>
[Trait("Tier", "Unit")]
public sealed class BpfFlowSamplesTests
{
    private const ulong Second = 1_000_000_000;
    private static readonly IPAddress Client = IPAddress.Parse("10.65.0.9");
    private static readonly IPAddress Server = IPAddress.Parse("10.65.0.3");

    private static byte[] Counters(ulong packetsOriginal, ulong bytesOriginal, ulong packetsReply, ulong bytesReply)
    {
        var value = new byte[BpfMapLayout.FlowCountersSize];
        BitConverter.TryWriteBytes(value.AsSpan(0), packetsOriginal);
        BitConverter.TryWriteBytes(value.AsSpan(8), bytesOriginal);
        BitConverter.TryWriteBytes(value.AsSpan(16), packetsReply);
        BitConverter.TryWriteBytes(value.AsSpan(24), bytesReply);
        return value;
    }

    private static byte[] Entry(ConntrackState state, ConntrackOpener opener, ulong lastSeen) =>
        BpfMapLayout.ConntrackValue(new ConntrackEntry(0, lastSeen, state, opener, BpfMapLayout.ConntrackFlowLogFlag, 1, 2));

    [Fact]
    public void LiveEntry_OpenedByTheHighEnd_OneSampleFromTheOpener_NotOver()
    {
        // 10.65.0.9 > 10.65.0.3: the client is the key's high end.
        byte[] key = BpfMapLayout.ConntrackKey(Client, 41000, Server, 80, 6);
        var samples = BpfFlowSamples.From(key, Counters(10, 1000, 8, 50_000), Entry(ConntrackState.Established, ConntrackOpener.High, 100 * Second), 101 * Second, out bool over);
        ConntrackSample sample = Assert.Single(samples);
        Assert.False(over);
        Assert.Equal(new FlowTuple(Client, Server, 6, 41000, 80), sample.Original);
        Assert.Equal(new FlowTuple(Server, Client, 6, 80, 41000), sample.Reply);
        Assert.Equal((10L, 1000L, 8L, 50_000L, false), (sample.PacketsOriginal, sample.BytesOriginal, sample.PacketsReply, sample.BytesReply, sample.Destroyed));
    }

    [Theory]
    [InlineData(ConntrackState.Closing, 101)]       // a FIN or RST seen
    [InlineData(ConntrackState.Established, 3702)]  // idle past TCP's hour
    public void ClosingOrExpiredEntry_IsTheFlowsEnd(ConntrackState state, int nowSeconds)
    {
        byte[] key = BpfMapLayout.ConntrackKey(Server, 80, Client, 41000, 6);
        var samples = BpfFlowSamples.From(key, Counters(1, 60, 0, 0), Entry(state, ConntrackOpener.Low, 100 * Second), (ulong)nowSeconds * Second, out bool over);
        Assert.True(over);
        Assert.True(Assert.Single(samples).Destroyed);
        Assert.Equal(new FlowTuple(Server, Client, 6, 80, 41000), samples[0].Original);
    }

    [Fact]
    public void NoEntryLeft_BothOrientationsAsTheFlowsEnd()
    {
        byte[] key = BpfMapLayout.ConntrackKey(Client, 41000, Server, 80, 6);
        var samples = BpfFlowSamples.From(key, Counters(3, 180, 2, 120), [], 5 * Second, out bool over);
        Assert.True(over);
        Assert.Equal(2, samples.Count);
        Assert.All(samples, s => Assert.True(s.Destroyed));
        Assert.Contains(samples, s => s.Original == new FlowTuple(Client, Server, 6, 41000, 80));
        Assert.Contains(samples, s => s.Original == new FlowTuple(Server, Client, 6, 80, 41000));
    }
}
