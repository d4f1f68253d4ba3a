namespace Calico.Lab.Cluster;

/// <summary>
/// The lab's state directory and each host's directory hold the datastore and calico-node's BIRD configuration
/// (BGP passwords in cleartext): they are 0700, created so or tightened when an older lab left them 0755.
/// </summary>
internal static class PrivateDirectory
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static void Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("calico-lab runs on Linux");
        }

        Directory.CreateDirectory(path, Mode);
        if (File.GetUnixFileMode(path) != Mode)
        {
            File.SetUnixFileMode(path, Mode);
        }
    }
}
