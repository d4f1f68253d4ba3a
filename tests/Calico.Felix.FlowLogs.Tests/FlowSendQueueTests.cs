using Calico.Goldmane.Api;
using Microsoft.Extensions.Time.Testing;

namespace Calico.Felix.FlowLogs.Tests;

[Trait("Tier", "Unit")]
public sealed class FlowSendQueueTests
{
    private readonly FakeTimeProvider _clock = new();

    private static Flow F(int n) => new() { Key = new FlowKey { SourceName = "f" + n }, StartTime = n };

    private static List<long> SendAll(FlowSendQueue q, int? breakAfter = null)
    {
        var sent = new List<long>();
        while (q.Next() is { } f)
        {
            sent.Add(f.StartTime);
            if (breakAfter is int b && sent.Count == b)
            {
                return sent;
            }

            q.Acknowledge();
        }

        return sent;
    }

    [Fact]
    public void Reconnect_ResendsRecentThenUnacknowledged_ThenNew()
    {
        var q = new FlowSendQueue(_clock);
        for (int i = 1; i <= 3; i++)
        {
            q.Enqueue(F(i));
        }

        // 1 and 2 acknowledged, 3 sent but the stream broke before its receipt.
        Assert.Equal([1, 2, 3], SendAll(q, breakAfter: 3));
        q.Enqueue(F(4));
        q.Reconnected();
        Assert.Equal([1, 2, 3, 4], SendAll(q));
    }

    [Fact]
    public void Reconnect_FlowsOlderThanTheWindow_NotResent()
    {
        var q = new FlowSendQueue(_clock, recentWindow: TimeSpan.FromMinutes(5));
        q.Enqueue(F(1));
        SendAll(q);
        _clock.Advance(TimeSpan.FromMinutes(6));
        q.Enqueue(F(2));
        SendAll(q);
        q.Reconnected();
        Assert.Equal([2], SendAll(q));
    }

    [Fact]
    public void Bounded_FullQueueDropsNewAndCounts_RecentKeepsNewest()
    {
        var q = new FlowSendQueue(_clock, capacity: 3, recentCapacity: 2);
        for (int i = 1; i <= 5; i++)
        {
            q.Enqueue(F(i));
        }

        Assert.Equal(2, q.Dropped);
        Assert.Equal([1, 2, 3], SendAll(q));
        Assert.Equal(2, q.RecentCount);
        q.Reconnected();
        Assert.Equal([2, 3], SendAll(q));
    }

    [Fact]
    public void Reconnect_TwiceBeforeSending_KeepsOrderWithoutDuplicates()
    {
        var q = new FlowSendQueue(_clock);
        q.Enqueue(F(1));
        q.Enqueue(F(2));
        Assert.Equal([1], SendAll(q, breakAfter: 1));
        q.Reconnected();
        q.Reconnected();
        Assert.Equal([1, 2], SendAll(q));
    }

    [Fact]
    public void Backoff_DoublesToTenSeconds_ResetsOnConnect()
    {
        var b = ReconnectBackoff.Upstream();
        Assert.Equal([1, 2, 4, 8, 10, 10], Enumerable.Range(0, 6).Select(_ => b.NextDelay().TotalSeconds));
        b.Reset();
        Assert.Equal(1, b.NextDelay().TotalSeconds);
    }
}
