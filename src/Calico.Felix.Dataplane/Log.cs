using System.Net;
using Microsoft.Extensions.Logging;

namespace Calico.Felix.Dataplane;

/// <summary>Source-generated log methods; event ids are stable (2100-2199 routes, 2200-2299 interfaces).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Debug, Message = "Route {Destination} dev {Interface}: {Action}")]
    public static partial void RouteProgrammed(ILogger logger, IPNetwork destination, string @interface, string action);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Removed stale route {Destination} dev {Interface} (protocol {Protocol})")]
    public static partial void RouteRemoved(ILogger logger, IPNetwork destination, string @interface, byte protocol);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Route programming failed: {Failure}")]
    public static partial void RouteFailed(ILogger logger, string failure);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Destination {Destination} is claimed by interfaces {Kept} and {Ignored}; routing it to {Kept}")]
    public static partial void RouteConflict(ILogger logger, IPNetwork destination, string kept, string ignored);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Debug, Message = "Route apply: {Added} added, {Replaced} replaced, {Removed} removed, {Unchanged} unchanged, {Missing} interfaces missing, {Deferred} removals deferred in {DurationMs} ms")]
    public static partial void RouteApplied(ILogger logger, int added, int replaced, int removed, int unchanged, int missing, int deferred, double durationMs);

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Configured interface {Interface}: {Writes} sysctls written")]
    public static partial void InterfaceConfigured(ILogger logger, string @interface, int writes);
}
