namespace Calico.Cni;

/// <summary>
/// Host-wide lock around IPAM writes (upstream's <c>ipam_lock_file</c> flock): plugins of one host then never race
/// each other on the same affine block, so compare-and-swap retries stay for cross-host races. .NET takes an
/// advisory lock for <see cref="FileShare.None"/>; a busy lock is retried until the timeout.
/// </summary>
internal static class IpamLock
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    /// <param name="onBusy">Called once, when the first try finds the lock held by another process.</param>
    public static async Task<FileStream> AcquireAsync(string path, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken, Action? onBusy = null)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CniException(CniErrorCodes.IoFailure, $"cannot create the directory of ipam_lock_file \"{path}\": {e.Message}", inner: e);
        }

        var deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        var delay = 1;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (time.GetTimestamp() < deadline)
            {
                // Held by another plugin process; spin with a short, growing back-off.
                if (delay == 1)
                {
                    onBusy?.Invoke();
                }

                await Task.Delay(TimeSpan.FromMilliseconds(delay), time, cancellationToken).ConfigureAwait(false);
                delay = Math.Min(delay * 2, 20);
            }
            catch (IOException e)
            {
                throw new CniException(CniErrorCodes.TryAgainLater, $"timed out after {timeout.TotalSeconds} s waiting for the IPAM lock {path}", inner: e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new CniException(CniErrorCodes.IoFailure, $"cannot open ipam_lock_file \"{path}\": {e.Message}", inner: e);
            }
        }
    }
}
