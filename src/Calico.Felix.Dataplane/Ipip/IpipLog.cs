using System.Net;
using Microsoft.Extensions.Logging;

namespace Calico.Felix.Dataplane.Ipip;

/// <summary>Source-generated log methods; event ids 2400-2499 (IP-in-IP).</summary>
internal static partial class IpipLog
{
    [LoggerMessage(EventId = 2400, Level = LogLevel.Information, Message = "Created IP-in-IP device {Device}")]
    public static partial void DeviceCreated(ILogger logger, string device);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Warning, Message = "IP-in-IP programming failed: {Failure}")]
    public static partial void Failed(ILogger logger, string failure);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Information, Message = "IP-in-IP device {Device}: MTU {Mtu}")]
    public static partial void MtuSet(ILogger logger, string device, int mtu);

    [LoggerMessage(EventId = 2406, Level = LogLevel.Information, Message = "IP-in-IP device {Device}: address {Address}/{PrefixLength} removed")]
    public static partial void AddressRemoved(ILogger logger, string device, IPAddress address, int prefixLength);

    [LoggerMessage(EventId = 2407, Level = LogLevel.Information, Message = "IP-in-IP device {Device}: tunnel address {Address}/32")]
    public static partial void AddressAdded(ILogger logger, string device, IPAddress address);

    [LoggerMessage(EventId = 2408, Level = LogLevel.Information, Message = "IP-in-IP device {Device} set up")]
    public static partial void SetUp(ILogger logger, string device);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Debug, Message = "IP-in-IP route {Destination} via {Gateway} dev {Device}: {Action}")]
    public static partial void RouteProgrammed(ILogger logger, IPNetwork destination, IPAddress gateway, string device, string action);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Debug, Message = "IP-in-IP apply: {Writes} writes, {Unchanged} routes unchanged, {Pending} blocks without tunnel in {DurationMs} ms")]
    public static partial void Applied(ILogger logger, int writes, int unchanged, int pending, double durationMs);

    [LoggerMessage(EventId = 2405, Level = LogLevel.Warning, Message = "Blocks {Cidr} claimed by nodes {Kept} and {Ignored}; routing to {Kept}")]
    public static partial void Conflict(ILogger logger, IPNetwork cidr, string kept, string ignored);
}
