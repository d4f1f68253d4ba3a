using System.Net;

namespace Calico.Linux;

/// <summary>
/// A workload's veth into the host's routed network, through rtnetlink (no process per command). CONTRACT STUB:
/// the Linux helper replaces the bodies; the CNI helper codes against these signatures. "Host" is the network
/// namespace of the calling process.
/// </summary>
public static partial class WorkloadInterfaces
{
    /// <summary>
    /// Creates the veth pair: host side <see cref="WorkloadInterfaceSpec.HostIfName"/> (MAC ee:ee:ee:ee:ee:ee,
    /// proxy_arp, proxy_ndp, forwarding, /32 and /128 routes to it), container side moved into the netns as
    /// <see cref="WorkloadInterfaceSpec.ContainerIfName"/> with the addresses, 169.254.1.1 as a scope-link gateway
    /// and the default route via it (IPv6: default via the host side's link-local). A stale host interface of the
    /// same name is replaced. On failure everything created is removed before the exception propagates.
    /// "Host" is the calling thread's namespace, captured before this method returns.
    /// </summary>
    public static Task<WorkloadInterfaceResult> SetUpAsync(WorkloadInterfaceSpec spec, CancellationToken cancellationToken)
    {
        Validate(spec);
        cancellationToken.ThrowIfCancellationRequested();
        NamespaceHandle host = NamespaceHandle.OpenCurrentThread();
        return NetworkNamespace.RunOnDedicatedThread(() =>
        {
            using (host)
            {
                return SetUp(host, spec, cancellationToken);
            }
        });
    }

    /// <summary>Removes the workload's interfaces and host routes. A missing netns or interface is not an error.</summary>
    public static Task TearDownAsync(string? netnsPath, string containerIfName, string hostIfName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerIfName);
        ArgumentException.ThrowIfNullOrEmpty(hostIfName);
        cancellationToken.ThrowIfCancellationRequested();
        NamespaceHandle host = NamespaceHandle.OpenCurrentThread();
        return NetworkNamespace.RunOnDedicatedThread(() =>
        {
            using (host)
            {
                TearDown(host, netnsPath, containerIfName, hostIfName);
                return true;
            }
        });
    }

    /// <summary>Whether the netns still has the interface with exactly these addresses and the host side exists.</summary>
    public static Task<bool> CheckAsync(WorkloadInterfaceSpec spec, CancellationToken cancellationToken)
    {
        Validate(spec);
        cancellationToken.ThrowIfCancellationRequested();
        NamespaceHandle host = NamespaceHandle.OpenCurrentThread();
        return NetworkNamespace.RunOnDedicatedThread(() =>
        {
            using (host)
            {
                return Check(host, spec);
            }
        });
    }
}

public sealed record WorkloadInterfaceSpec
{
    /// <summary>Path of the container's network namespace, e.g. /var/run/netns/x or /proc/123/ns/net.</summary>
    public required string NetnsPath { get; init; }

    public required string ContainerIfName { get; init; }

    /// <summary>cali + hash, at most 15 characters.</summary>
    public required string HostIfName { get; init; }

    /// <summary>0 = the kernel default (1500).</summary>
    public int Mtu { get; init; }

    public IReadOnlyList<IPNetwork> IPv4 { get; init; } = [];

    public IReadOnlyList<IPNetwork> IPv6 { get; init; } = [];
}

public sealed record WorkloadInterfaceResult(string HostIfName, string HostMac, string ContainerIfName, string ContainerMac, int ContainerIfIndex);

/// <summary>A kernel request failed; the message names the operation, the object and the errno.</summary>
public sealed class NetlinkException(string message, int errno) : Exception(message)
{
    public int Errno { get; } = errno;
}
