namespace Calico.Datastore.Embedded;

/// <summary>
/// A level-free wake-up for watchers: <see cref="Notify"/> completes every pending wait. Waiters re-check the
/// database after waking, so a spurious or merged wake-up costs one cheap query and never loses an event.
/// </summary>
internal sealed class ChangeSignal
{
    private TaskCompletionSource _current = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Current => Volatile.Read(ref _current).Task;

    public void Notify()
    {
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _current, next).TrySetResult();
    }
}
