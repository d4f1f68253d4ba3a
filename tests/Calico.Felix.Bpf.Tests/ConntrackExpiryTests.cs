namespace Calico.Felix.Bpf.Tests;

/// <summary>The scanner's rule is the program's (calico_tc.c ct_expired): idle strictly longer than the protocol's and state's timeout.</summary>
[Trait("Tier", "Unit")]
public sealed class ConntrackExpiryTests
{
    private const ulong Second = 1_000_000_000;
    private const ulong Now = 100_000 * Second;

    [Theory]
    [InlineData(6, ConntrackState.New, 20)]
    [InlineData(6, ConntrackState.Established, 3600)]
    [InlineData(6, ConntrackState.Closing, 30)]
    [InlineData(17, ConntrackState.New, 60)]
    [InlineData(17, ConntrackState.Established, 60)]
    [InlineData(136, ConntrackState.Established, 60)]
    [InlineData(1, ConntrackState.New, 5)]
    [InlineData(58, ConntrackState.Established, 5)]
    [InlineData(132, ConntrackState.Established, 600)]
    [InlineData(47, ConntrackState.New, 600)]
    public void IsExpired_AfterTheTimeout_NotAtIt(byte protocol, ConntrackState state, int timeoutSeconds)
    {
        ulong timeout = (ulong)timeoutSeconds * Second;
        Assert.Equal(timeout, ConntrackExpiry.TimeoutNs(protocol, state));
        Assert.False(ConntrackExpiry.IsExpired(Entry(Now - timeout, state), protocol, Now));
        Assert.True(ConntrackExpiry.IsExpired(Entry(Now - timeout - 1, state), protocol, Now));
        Assert.False(ConntrackExpiry.IsExpired(Entry(Now - 1, state), protocol, Now));
    }

    [Fact]
    public void IsExpired_AnEntrySeenAfterTheCallersClock_IsLive()
    {
        // A packet refreshed the entry after the scanner read the clock: unsigned now - last_seen would wrap to "ages".
        Assert.False(ConntrackExpiry.IsExpired(Entry(Now + Second, ConntrackState.New), 1, Now));
        Assert.False(ConntrackExpiry.IsExpired(Entry(Now, ConntrackState.New), 1, Now));
    }

    private static ConntrackEntry Entry(ulong lastSeen, ConntrackState state) => new(lastSeen, lastSeen, state, ConntrackOpener.Low, 0, 3, 0);
}
