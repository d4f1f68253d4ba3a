namespace Calico.Datastore.Embedded;

/// <summary>
/// How long an embedded watch sleeps before it checks <c>PRAGMA data_version</c> again: the shortest interval after
/// a change or a wake-up, doubling while idle up to the longest. A wake-up signal seen since the last check also
/// restarts from the shortest interval, even when the loop was not waiting at that moment: another process's commit
/// fires inotify on the WAL frames' <c>write()</c>, before the commit is visible (the wal-index header in the
/// <c>-shm</c> mapping is updated after, and a memory-mapped write raises no inotify event). A watch that checked
/// in that gap found nothing new, and without this rule it slept its whole idle back-off (160 ms after ~155 ms idle)
/// with no further event to wake it: the constant ~165 ms "to allow" outliers of bench dataplane-control.
/// </summary>
internal sealed class WatchPollPacer
{
    private readonly TimeSpan _shortest;
    private readonly TimeSpan _longest;
    private Task? _signalAtLastCheck;

    public WatchPollPacer(TimeSpan shortest, TimeSpan longest)
    {
        _shortest = shortest;
        _longest = longest;
        Pause = shortest;
    }

    public TimeSpan Pause { get; private set; }

    /// <summary>Before each check, with the signal's current task: a different task means a notification since the last check.</summary>
    public void BeforeCheck(Task signal)
    {
        if (_signalAtLastCheck is not null && !ReferenceEquals(signal, _signalAtLastCheck))
        {
            Pause = _shortest;
        }

        _signalAtLastCheck = signal;
    }

    /// <summary>The check found new commits, or the wait ended by a wake-up.</summary>
    public void Reset() => Pause = _shortest;

    /// <summary>The wait timed out with no wake-up: back off.</summary>
    public void TimedOut() => Pause = Pause * 2 < _longest ? Pause * 2 : _longest;
}
