namespace Calico.Linux;

/// <summary>
/// Runs code inside a network namespace on a dedicated OS thread. Namespaces are per thread: a thread-pool thread
/// must never change namespace (the pool would hand it to unrelated work), and a thread created by a thread in a
/// foreign namespace inherits it. So the dedicated thread enters the target, runs the code, and goes back to the
/// process's namespace before it completes the task (completing may wake or create pool threads).
/// </summary>
public static class NetworkNamespace
{
    private const int ThreadStackSize = 256 * 1024;

    /// <summary>
    /// Runs <paramref name="action"/> on a fresh thread inside the namespace at <paramref name="netnsPath"/>.
    /// Sockets created inside stay in that namespace afterwards; /proc/sys/net written inside is that namespace's.
    /// The action must not start threads or queue work that depends on the namespace.
    /// </summary>
    public static Task<T> RunInAsync<T>(string netnsPath, Func<T> action, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(netnsPath);
        ArgumentNullException.ThrowIfNull(action);
        cancellationToken.ThrowIfCancellationRequested();
        NamespaceHandle target = NamespaceHandle.Open(netnsPath);
        return RunOnDedicatedThread(() =>
        {
            using (target)
            {
                target.EnterOnCurrentThread();
                return action();
            }
        });
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a fresh thread inside a brand-new, empty network namespace (unshare
    /// CLONE_NEWNET) that nothing else can see and that vanishes with its last socket: a place to probe what the kernel
    /// supports (can it create an ipip link?) without leaving anything in a namespace anyone uses.
    /// </summary>
    public static Task<T> RunInThrowawayAsync<T>(Func<T> action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        cancellationToken.ThrowIfCancellationRequested();
        return RunOnDedicatedThread(() =>
        {
            if (Interop.LibC.Unshare(Interop.LibC.CLONE_NEWNET) != 0)
            {
                int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                throw new NetlinkException("unshare(CLONE_NEWNET): " + Interop.Errno.Describe(errno), errno);
            }

            return action();
        });
    }

    /// <summary>
    /// Like <see cref="RunInAsync{T}(string, Func{T}, CancellationToken)"/> for an asynchronous action: only its
    /// synchronous part (up to the first incomplete await) runs inside the namespace; the returned task is awaited
    /// outside. Every Calico.Linux API captures the calling thread's namespace synchronously at entry, so
    /// <c>RunInAsync(host, () =&gt; WorkloadInterfaces.SetUpAsync(spec, ct))</c> sets up in <c>host</c>.
    /// </summary>
    public static async Task<T> RunInAsync<T>(string netnsPath, Func<Task<T>> action, CancellationToken cancellationToken = default)
    {
        Task<T> inner = await RunInAsync<Task<T>>(netnsPath, action, cancellationToken);
        return await inner;
    }

    /// <inheritdoc cref="RunInAsync{T}(string, Func{Task{T}}, CancellationToken)"/>
    public static async Task RunInAsync(string netnsPath, Func<Task> action, CancellationToken cancellationToken = default)
    {
        Task inner = await RunInAsync<Task>(netnsPath, action, cancellationToken);
        await inner;
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a new OS thread; the body may setns freely. Before completing the task the
    /// thread returns to the process's namespace; if that fails the process stops, because a thread stuck in a
    /// foreign namespace could spawn pool threads there.
    /// </summary>
    internal static Task<T> RunOnDedicatedThread<T>(Func<T> body)
    {
        NamespaceHandle processNamespace = NamespaceHandle.ProcessNamespace;
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(
            () =>
            {
                T? result = default;
                Exception? failure = null;
                try
                {
                    result = body();
                }
#pragma warning disable CA1031 // Not swallowed: handed to the awaiting caller below.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failure = ex;
                }

                try
                {
                    processNamespace.EnterOnCurrentThread();
                }
                catch (NetlinkException ex)
                {
                    Environment.FailFast("Calico.Linux: cannot return a namespace thread to the process namespace: " + ex.Message, ex);
                }

                if (failure is not null)
                {
                    completion.SetException(failure);
                }
                else
                {
                    completion.SetResult(result!);
                }
            },
            ThreadStackSize)
        {
            IsBackground = true,
            Name = "calico-netns",
        };
        thread.Start();
        return completion.Task;
    }
}
