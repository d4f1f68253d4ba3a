using Microsoft.Extensions.Logging;

namespace Calico.Node.Routing;

/// <summary>Log lines of calico-node's IP-in-IP routing (event ids 70-79).</summary>
internal static partial class IpipDriverLog
{
    [LoggerMessage(70, LogLevel.Warning, "IP-in-IP device {Device} not programmed: this kernel has no ipip ({Failure}); routes through the tunnel wait, native CrossSubnet routes and the rest of routing go on")]
    public static partial void NoIpip(ILogger logger, string device, string failure);
}
