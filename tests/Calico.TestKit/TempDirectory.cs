namespace Calico.TestKit;

/// <summary>A fresh private directory under /tmp, removed with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "calico-test")
    {
        Path = Directory.CreateTempSubdirectory(prefix + "-").FullName;
    }

    public string Path { get; }

    /// <summary>A path inside this directory (not created).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// Removes the directory, retrying for up to ~2 s: a process just killed (an agent's store, podman's conmon)
    /// can still be closing or creating files in it, which makes a recursive delete fail with "Directory not empty".
    /// </summary>
    public void Dispose()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(Path, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException) when (attempt < 20)
            {
                Thread.Sleep(100);
            }
            catch (IOException e)
            {
                throw new IOException($"could not remove test directory {Path} after {attempt} attempts: {e.Message}", e);
            }
        }
    }
}
