namespace Calico.Node.Startup;

/// <summary>
/// calico-node's state directory (<c>/var/lib/calico</c>, or the lab host's directory) holds the BIRD configuration,
/// which carries BGP passwords in cleartext as BIRD needs them: the directory is 0700 and secret files in it 0600,
/// written through a temporary file created 0600 and renamed, so no reader ever sees a world-readable copy.
/// </summary>
internal static class StateDirectory
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode SecretFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the directory 0700, or tightens an existing one to 0700 (it is this process's own directory).</summary>
    public static void Ensure(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("calico-node runs on Linux");
        }

        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, DirectoryMode);
        }

        if (File.GetUnixFileMode(directory) != DirectoryMode)
        {
            File.SetUnixFileMode(directory, DirectoryMode);
        }
    }

    /// <summary>
    /// Writes <paramref name="path"/> atomically with mode 0600: a temporary file beside it, created 0600 (never
    /// wider, whatever the umask), flushed (to disk too unless <paramref name="flushToDisk"/> is false: for derived
    /// files rendered again on every start), then renamed over the target.
    /// </summary>
    public static async Task WriteSecretAsync(string path, string contents, CancellationToken cancellationToken, bool flushToDisk = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(contents);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("calico-node runs on Linux");
        }

        string temporary = path + ".tmp";
        File.Delete(temporary); // a leftover could have another mode; CreateNew below must make a fresh one
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = SecretFileMode };
        try
        {
            await using (var stream = new FileStream(temporary, options))
            await using (var writer = new StreamWriter(stream))
            {
                await writer.WriteAsync(contents.AsMemory(), cancellationToken).ConfigureAwait(false);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="path"/> with mode 0600 in place, synchronously and without flushing to disk: a leftover
    /// is removed first (it could have another mode), the file is created 0600 and written in one call. For a file
    /// only this process hands to a reader after it returns (BIRD's candidate configuration, on the path of a new
    /// block's announcement): no reader can see it half-written, so no temporary and no rename, and no thread-pool
    /// hops of an asynchronous write.
    /// </summary>
    public static void WriteFreshSecret(string path, string contents)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(contents);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("calico-node runs on Linux");
        }

        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = SecretFileMode, BufferSize = 0 };
        try
        {
            using var stream = new FileStream(path, options);
            RandomAccess.Write(stream.SafeFileHandle, System.Text.Encoding.UTF8.GetBytes(contents), 0);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Tightens a file an older version wrote world-readable to 0600.</summary>
    public static void TightenSecret(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("calico-node runs on Linux");
        }

        if (File.Exists(path) && File.GetUnixFileMode(path) != SecretFileMode)
        {
            File.SetUnixFileMode(path, SecretFileMode);
        }
    }
}
