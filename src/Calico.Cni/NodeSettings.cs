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
    /// file, <c>require_mtu_file: true</c> the mtu file. Missing means calico-node has not started yet: error 11, so
    /// the runtime retries.
    /// </summary>
    public static void RequireNodeFiles(NetConf conf, string mtuFile = NetConf.DefaultMtuFile)
    {
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

    /// <summary><c>mtu</c>, or (0) the value calico-node wrote to /var/lib/calico/mtu, or 0 (kernel default).</summary>
    public static int Mtu(NetConf conf, string mtuFile = NetConf.DefaultMtuFile)
    {
        if (conf.Mtu > 0)
        {
            return conf.Mtu;
        }

        return File.Exists(mtuFile) && int.TryParse(File.ReadAllText(mtuFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var mtu) && mtu >= 68
            ? mtu
            : 0;
    }
}
