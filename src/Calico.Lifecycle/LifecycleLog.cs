using Microsoft.Extensions.Logging;

namespace Calico.Lifecycle;

/// <summary>Source-generated log messages with stable event ids (16xx: issue 16's lifecycle).</summary>
internal static partial class LifecycleLog
{
    [LoggerMessage(1601, LogLevel.Debug, "deleting node {Node}: step {Step}")]
    public static partial void Step(ILogger logger, string node, string step);

    [LoggerMessage(1602, LogLevel.Information, "deleting node {Node}: released {Released} addresses, left {Skipped} that belong to another owner")]
    public static partial void AddressesReleased(ILogger logger, string node, int released, int skipped);

    [LoggerMessage(1603, LogLevel.Information, "deleting node {Node}: deleted IPAM handle {Handle}")]
    public static partial void HandleDeleted(ILogger logger, string node, string handle);

    [LoggerMessage(1604, LogLevel.Information, "deleting node {Node}: deleted {Resource}")]
    public static partial void ResourceDeleted(ILogger logger, string node, string resource);

    [LoggerMessage(1605, LogLevel.Information, "deleting node {Node}: released its block affinities ({Deleted} empty blocks deleted, {Unaffined} blocks kept for other nodes' addresses)")]
    public static partial void HostRemoved(ILogger logger, string node, int deleted, int unaffined);

    [LoggerMessage(1606, LogLevel.Information, "deleted node {Node} ({Status}): {Released} addresses released, {Resources} resources deleted")]
    public static partial void NodeDeleted(ILogger logger, string node, string status, int released, int resources);

    [LoggerMessage(1607, LogLevel.Debug, "deleting IP pool {Pool}: step {Step}")]
    public static partial void PoolStep(ILogger logger, string pool, string step);

    [LoggerMessage(1608, LogLevel.Information, "deleting IP pool {Pool} ({Cidr}): {Deleted} empty blocks deleted, {Unaffined} blocks with addresses unaffined")]
    public static partial void PoolBlocksReleased(ILogger logger, string pool, string cidr, int deleted, int unaffined);
}
