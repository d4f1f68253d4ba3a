using Microsoft.Extensions.Logging;

namespace Calico.Cni;

/// <summary>Source-generated log messages with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "{Command} container {ContainerId} ifname {IfName} netns {Netns} network {Network} node {Node}")]
    public static partial void Invoked(ILogger logger, string command, string containerId, string ifName, string? netns, string network, string node);

    [LoggerMessage(2, LogLevel.Information, "assigned {Addresses} to handle {Handle}")]
    public static partial void Assigned(ILogger logger, string addresses, string handle);

    [LoggerMessage(3, LogLevel.Information, "handle {Handle} already holds {Addresses}: repeated ADD reuses them")]
    public static partial void Reused(ILogger logger, string handle, string addresses);

    [LoggerMessage(4, LogLevel.Information, "released handle {Handle} (found: {Found})")]
    public static partial void Released(ILogger logger, string handle, bool found);

    [LoggerMessage(5, LogLevel.Information, "wrote workload endpoint {Namespace}/{Name} interface {HostIfName}")]
    public static partial void WroteEndpoint(ILogger logger, string @namespace, string name, string hostIfName);

    [LoggerMessage(6, LogLevel.Information, "deleted workload endpoint {Namespace}/{Name}")]
    public static partial void DeletedEndpoint(ILogger logger, string @namespace, string name);

    [LoggerMessage(7, LogLevel.Warning, "workload endpoint {Namespace}/{Name} belongs to container {WepContainerId}, not {ContainerId}: kept (stale DEL), addresses of {Handle} released")]
    public static partial void StaleDelete(ILogger logger, string @namespace, string name, string wepContainerId, string containerId, string handle);

    [LoggerMessage(8, LogLevel.Warning, "ADD failed, undoing: {Reason}")]
    public static partial void RollingBack(ILogger logger, string reason);

    [LoggerMessage(9, LogLevel.Error, "undo step {Step} failed")]
    public static partial void RollbackStepFailed(ILogger logger, string step, Exception exception);

    [LoggerMessage(10, LogLevel.Information, "created profile {Profile}")]
    public static partial void CreatedProfile(ILogger logger, string profile);

    [LoggerMessage(11, LogLevel.Error, "{Command} failed with CNI error {Code}: {Message}")]
    public static partial void Failed(ILogger logger, string command, int code, string message);

    [LoggerMessage(12, LogLevel.Information, "GC released handle {Handle} (container not among valid attachments)")]
    public static partial void GcReleased(ILogger logger, string handle);

    [LoggerMessage(13, LogLevel.Information, "GC deleted workload endpoint {Namespace}/{Name}")]
    public static partial void GcDeletedEndpoint(ILogger logger, string @namespace, string name);

    [LoggerMessage(14, LogLevel.Debug, "result: {Result}")]
    public static partial void Result(ILogger logger, string result);

    [LoggerMessage(15, LogLevel.Warning, "network configuration key {Key} is set but has no effect: {Why}")]
    public static partial void IgnoredKey(ILogger logger, string key, string why);

    [LoggerMessage(16, LogLevel.Information, "failed ADD released handle {Handle} (found: {Found}) after: {Failure}")]
    public static partial void ReleasedAfterFailure(ILogger logger, string handle, bool found, string failure);

    [LoggerMessage(17, LogLevel.Warning, "failed ADD could not release handle {Handle} ({Reason}); the next DEL or GC releases it")]
    public static partial void ReleaseAfterFailureFailed(ILogger logger, string handle, string reason);
}
