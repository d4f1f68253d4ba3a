using System.Globalization;

namespace Calico.Node.Routing;

/// <summary>
/// <c>&lt;state-dir&gt;/mtu</c>: the workload MTU for the CNI plugin, as upstream's Felix writes
/// <c>/var/lib/calico/mtu</c> (the number, no newline, mode 0644). Written through a temporary file beside it and a
/// rename, so the plugin never reads a half-written value.
/// </summary>
internal static class MtuFile
{
    public const string FileName = "mtu";

    private const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static string PathIn(string stateDir) => Path.Combine(stateDir, FileName);

    /// <summary>The value in the file, or null when it is missing or does not hold a number.</summary>
    public static int? TryRead(string path)
    {
        try
        {
            string text = File.ReadAllText(path).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int mtu) ? mtu : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Replaces the file's content with <paramref name="mtu"/> atomically (temporary file, flush, rename).</summary>
    public static void Write(string path, int mtu)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mtu);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("calico-node runs on Linux");
        }

        string temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Mode };
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(System.Text.Encoding.ASCII.GetBytes(mtu.ToString(CultureInfo.InvariantCulture)));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
