namespace Calico.Bird.Tests;

/// <summary>
/// Polls a condition that the system under test reaches in its own time (BGP sessions, route propagation). The
/// limit only bounds a hung test; nothing asserts how fast the condition became true.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    public static async Task WaitAsync(string what, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("gave up waiting for " + what);
            }

            await Task.Delay(200);
        }
    }
}
