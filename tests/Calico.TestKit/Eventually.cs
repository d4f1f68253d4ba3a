using System.Diagnostics;
using Xunit;

namespace Calico.TestKit;

/// <summary>Polling for a condition that a real process or the kernel makes true some time later.</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds; on timeout fails naming what was awaited and
    /// what <paramref name="context"/> says (e.g. the agent's output).</summary>
    public static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string> context, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(context);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await condition().ConfigureAwait(false))
            {
                return;
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        }

        Assert.Fail($"timed out after {timeout.TotalSeconds} s waiting for {what}; {context()}");
    }
}
