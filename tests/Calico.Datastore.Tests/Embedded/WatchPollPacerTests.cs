using Calico.Datastore.Embedded;

namespace Calico.Datastore.Tests.Embedded;

[Trait("Tier", "Unit")]
public sealed class WatchPollPacerTests
{
    private static readonly TimeSpan Shortest = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(1);

    [Fact]
    public void TimedOut_Idle_DoublesUpToLongest()
    {
        var signal = new ChangeSignal();
        var pacer = new WatchPollPacer(Shortest, Longest);
        var pauses = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            pacer.BeforeCheck(signal.Current);
            pauses.Add(pacer.Pause.TotalMilliseconds);
            pacer.TimedOut();
        }

        Assert.Equal([5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000], pauses);
    }

    [Fact]
    public void BeforeCheck_NotifiedWhileNotWaiting_RestartsFromShortest()
    {
        // inotify fires on the WAL write, before the commit is visible: a check made in between finds nothing, and
        // the notification has already been spent on a task nobody awaited. The next wait must be short.
        var signal = new ChangeSignal();
        var pacer = new WatchPollPacer(Shortest, Longest);
        for (var i = 0; i < 5; i++)
        {
            pacer.BeforeCheck(signal.Current);
            pacer.TimedOut();
        }

        Assert.Equal(TimeSpan.FromMilliseconds(160), pacer.Pause);
        signal.Notify();
        pacer.BeforeCheck(signal.Current);

        Assert.Equal(Shortest, pacer.Pause);
    }

    [Fact]
    public void BeforeCheck_NoNotification_KeepsBackOff()
    {
        var signal = new ChangeSignal();
        var pacer = new WatchPollPacer(Shortest, Longest);
        for (var i = 0; i < 5; i++)
        {
            pacer.BeforeCheck(signal.Current);
            pacer.TimedOut();
        }

        pacer.BeforeCheck(signal.Current);

        Assert.Equal(TimeSpan.FromMilliseconds(160), pacer.Pause);
    }
}
