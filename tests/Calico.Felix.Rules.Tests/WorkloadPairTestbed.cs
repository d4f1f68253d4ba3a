using System.Net;
using Calico.Linux;
using Calico.TestKit;

namespace Calico.Felix.Rules.Tests;

/// <summary>
/// A host namespace routing between two pods (client, server) wired as the CNI plugin wires them (host-side
/// <c>cali*</c> veths, /32 routes), with a default route out of a dummy veth and forwarding on: the stage for rendered
/// nftables tables deciding real connections. Every namespace goes when disposed.
/// </summary>
internal sealed class WorkloadPairTestbed : IDisposable
{
    private WorkloadPairTestbed(string prefix)
    {
        Host = new NetnsScope(prefix + "h");
        Client = new NetnsScope(prefix + "c");
        Server = new NetnsScope(prefix + "s");
    }

    public NetnsScope Host { get; }

    public NetnsScope Client { get; }

    public NetnsScope Server { get; }

    public string ClientIf { get; } = NetnsScope.UniqueInterfaceName("cali");

    public string ServerIf { get; } = NetnsScope.UniqueInterfaceName("cali");

    /// <summary>Namespaces named <paramref name="prefix"/> + h, c, s; the pods get <paramref name="clientIp"/> and <paramref name="serverIp"/>.</summary>
    public static async Task<WorkloadPairTestbed> CreateAsync(string prefix, string clientIp, string serverIp)
    {
        var bed = new WorkloadPairTestbed(prefix);
        try
        {
            bed.Host.Ip("link", "add", "hdef0", "type", "veth", "peer", "name", "hdef1");
            bed.Host.Ip("link", "set", "hdef0", "up");
            bed.Host.Ip("link", "set", "hdef1", "up");
            bed.Host.Ip("route", "add", "default", "dev", "hdef0");
            bed.Host.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
            await WireAsync(bed.Host, bed.Client, bed.ClientIf, clientIp);
            await WireAsync(bed.Host, bed.Server, bed.ServerIf, serverIp);
            return bed;
        }
        catch
        {
            bed.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Server.Dispose();
        Client.Dispose();
        Host.Dispose();
    }

    private static Task<WorkloadInterfaceResult> WireAsync(NetnsScope host, NetnsScope pod, string hostIf, string ip)
    {
        var spec = new WorkloadInterfaceSpec
        {
            NetnsPath = pod.Path,
            ContainerIfName = "eth0",
            HostIfName = hostIf,
            IPv4 = [IPNetwork.Parse(ip + "/32")],
        };
        return NetworkNamespace.RunInAsync(host.Path, () => WorkloadInterfaces.SetUpAsync(spec, CancellationToken.None), CancellationToken.None);
    }
}
