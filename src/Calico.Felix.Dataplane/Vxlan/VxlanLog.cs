using System.Net;
using Microsoft.Extensions.Logging;

namespace Calico.Felix.Dataplane.Vxlan;

/// <summary>Source-generated log methods; event ids 2300-2399 (VXLAN).</summary>
internal static partial class VxlanLog
{
    [LoggerMessage(EventId = 2300, Level = LogLevel.Information, Message = "Created VXLAN device {Device} (VNI {Vni}, port {Port}, local {Local}, parent {Parent}, MTU {Mtu})")]
    public static partial void DeviceCreated(ILogger logger, string device, int vni, int port, IPAddress local, string parent, int mtu);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Re-creating VXLAN device {Device}: {Reason}")]
    public static partial void DeviceRecreated(ILogger logger, string device, string reason);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Information, Message = "Removed VXLAN device {Device} (VXLAN disabled)")]
    public static partial void DeviceRemoved(ILogger logger, string device);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Warning, Message = "VXLAN programming failed: {Failure}")]
    public static partial void Failed(ILogger logger, string failure);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Warning, Message = "Remote VTEPs {Kept} and {Ignored} claim the same {What}; using {Kept}")]
    public static partial void Conflict(ILogger logger, string kept, string ignored, string what);

    [LoggerMessage(EventId = 2305, Level = LogLevel.Debug, Message = "VXLAN route {Destination} via {Gateway} dev {Device}: {Action}")]
    public static partial void RouteProgrammed(ILogger logger, IPNetwork destination, IPAddress gateway, string device, string action);

    [LoggerMessage(EventId = 2306, Level = LogLevel.Debug, Message = "VXLAN apply: {Writes} writes, {Unchanged} routes unchanged, {Pending} blocks without VTEP in {DurationMs} ms")]
    public static partial void Applied(ILogger logger, int writes, int unchanged, int pending, double durationMs);
}
