using System.Net;
using System.Text.Json;
using Calico.TestKit;

namespace Calico.Linux.Tests;

/// <summary>
/// A namespace standing as the HOST (the machine's own is never touched): an uplink veth pair carries an address
/// and the default routes, because proxy ARP only answers for a target the host can route elsewhere.
/// </summary>
internal sealed class TestHost : IDisposable
{
    private readonly List<NetnsScope> _workloads = [];

    public TestHost()
    {
        Namespace = new NetnsScope("calt-h");
        try
        {
            Namespace.Ip("link", "add", "up0", "type", "veth", "peer", "name", "up1");
            Namespace.Ip("link", "set", "up0", "up");
            Namespace.Ip("link", "set", "up1", "up");
            Namespace.Ip("addr", "add", "192.0.2.1/24", "dev", "up0");
            Namespace.Ip("route", "add", "default", "via", "192.0.2.2", "dev", "up0");
            Namespace.Ip("-6", "addr", "add", "2001:db8:ffff::1/64", "dev", "up0", "nodad");
            Namespace.Ip("-6", "route", "add", "default", "via", "2001:db8:ffff::2", "dev", "up0");
        }
        catch
        {
            Namespace.Dispose();
            throw;
        }
    }

    public NetnsScope Namespace { get; }

    public string Path => Namespace.Path;

    /// <summary>A fresh namespace for a workload, removed with the host.</summary>
    public NetnsScope NewWorkloadNamespace()
    {
        var workload = new NetnsScope("calt-w");
        _workloads.Add(workload);
        return workload;
    }

    public Task<WorkloadInterfaceResult> SetUpAsync(WorkloadInterfaceSpec spec) =>
        NetworkNamespace.RunInAsync(Path, () => WorkloadInterfaces.SetUpAsync(spec, CancellationToken.None));

    public Task TearDownAsync(string? netnsPath, string containerIfName, string hostIfName) =>
        NetworkNamespace.RunInAsync(Path, () => WorkloadInterfaces.TearDownAsync(netnsPath, containerIfName, hostIfName, CancellationToken.None));

    public Task<bool> CheckAsync(WorkloadInterfaceSpec spec) =>
        NetworkNamespace.RunInAsync(Path, () => WorkloadInterfaces.CheckAsync(spec, CancellationToken.None));

    public static WorkloadInterfaceSpec Spec(NetnsScope workload, string? ipv4 = null, string? ipv6 = null, int mtu = 0) => new()
    {
        NetnsPath = workload.Path,
        ContainerIfName = "eth0",
        HostIfName = NetnsScope.UniqueInterfaceName("cali"),
        Mtu = mtu,
        IPv4 = ipv4 is null ? [] : [IPNetwork.Parse(ipv4 + "/32")],
        IPv6 = ipv6 is null ? [] : [IPNetwork.Parse(ipv6 + "/128")],
    };

    /// <summary>Names of the links <c>ip -j link</c> shows in a namespace.</summary>
    public static List<string> LinkNames(NetnsScope scope)
    {
        var names = new List<string>();
        foreach (JsonElement link in scope.IpJson("link", "show").EnumerateArray())
        {
            names.Add(link.GetProperty("ifname").GetString()!);
        }

        return names;
    }

    public void Dispose()
    {
        List<Exception> failures = [];
        foreach (NetnsScope workload in _workloads)
        {
            try
            {
                workload.Dispose();
            }
            catch (InvalidOperationException ex)
            {
                failures.Add(ex);
            }
        }

        try
        {
            Namespace.Dispose();
        }
        catch (InvalidOperationException ex)
        {
            failures.Add(ex);
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("test namespaces left behind", failures);
        }
    }
}
