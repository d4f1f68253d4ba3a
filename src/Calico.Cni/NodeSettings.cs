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
