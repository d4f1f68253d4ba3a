using System.Globalization;

namespace Calico.Cni;

/// <summary>Host facts the configuration may leave to files calico-node writes.</summary>
internal static class NodeSettings
{
    /// <summary>Upstream order: <c>nodename</c> &gt; the nodename file &gt; <c>hostname</c> &gt; the OS hostname.</summary>
    public static string Nodename(NetConf conf)
    {
        if (conf.Nodename is { } name)
        {
            return name;
        }

        if (File.Exists(conf.NodenameFile))
        {
            var fromFile = File.ReadAllText(conf.NodenameFile).Trim();
            if (fromFile.Length > 0)
            {
                return fromFile;
            }
        }

        return conf.Hostname ?? Environment.MachineName.ToLowerInvariant();
    }

    /// <summary>
    /// Upstream's ADD preconditions on files calico-node writes: <c>nodename_file_optional: false</c> needs the nodename
    /// file, <c>require_mtu_file: true</c> the mtu file (<see cref="NetConf.MtuFile"/> unless given). Missing means
    /// calico-node has not started yet: error 11, so the runtime retries.
    /// </summary>
    public static void RequireNodeFiles(NetConf conf, string? mtuFile = null)
    {
        mtuFile ??= conf.MtuFile;
        if (conf.NodenameFileRequired && !File.Exists(conf.NodenameFile))
        {
            throw new CniException(CniErrorCodes.TryAgainLater,
                $"nodename_file_optional is false and nodename_file \"{conf.NodenameFile}\" does not exist: check that calico-node is running and has written it");
        }

        if (conf.RequireMtuFile && !File.Exists(mtuFile))
        {
            throw new CniException(CniErrorCodes.TryAgainLater,
                $"require_mtu_file is true and \"{mtuFile}\" does not exist: check that calico-node is running and has written it");
        }
    }

    /// <summary>
    /// <c>mtu</c>, or (0) the value calico-node wrote to the <c>mtu</c> file beside <c>nodename_file</c>
    /// (<see cref="NetConf.MtuFile"/>, <c>/var/lib/calico/mtu</c> by default), or 0 (kernel default) when there is no
    /// such file. A file that does not hold an MTU (68..65535) is error 5 naming it, as upstream fails the ADD.
    /// </summary>
    public static int Mtu(NetConf conf, string? mtuFile = null)
    {
        if (conf.Mtu > 0)
        {
            return conf.Mtu;
        }

        mtuFile ??= conf.MtuFile;
        string text;
        try
        {
            text = File.ReadAllText(mtuFile).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CniException(CniErrorCodes.IoFailure, $"failed to read MTU file \"{mtuFile}\": {e.Message}");
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var mtu) || mtu is < 68 or > 65535)
        {
            throw new CniException(CniErrorCodes.IoFailure, $"MTU file \"{mtuFile}\" holds \"{text}\", not an MTU (68..65535)");
        }

        return mtu;
    }
}
