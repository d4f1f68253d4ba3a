using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// The anchors for cross-host traffic, wired with plain <c>ip</c>/<c>bridge</c> commands and no nftables table: a
/// fabric namespace with a bridge (as the lab's), two host namespaces on it (172.31.0.11/.12), a pod behind each
/// with Calico's wiring (performance-anchors 2.a: /32 on eth0, default via 169.254.1.1, proxy ARP on the host's
/// veth, a /32 route to it). Natively routed: each host routes the other's /26 via the other's fabric address.
/// VXLAN (2.d): <c>vxlan.calico</c> (VNI 4096, port 4789, nolearning, MTU 1450) with static FDB and neighbour
/// entries and a /26 via the peer's tunnel address onlink, as Felix programs them; pods get MTU 1450.
/// With <c>conntrack</c>, each host also loads the least table any stateful Calico host has (a forward-hook chain
/// accepting <c>ct state established,related</c>; with VXLAN also upstream's NOTRACK of the tunnel's UDP, which a
/// Calico host has too): the conntrack floor, the second anchor.
/// </summary>
internal sealed class RoutingHandBuilt : IDisposable
{
    private readonly List<NetnsScope> _scopes = [];

    private RoutingHandBuilt()
    {
    }

    public RoutingPath Path { get; private set; } = null!;

    /// <summary>The least stateful table: conntrack on every forwarded packet, established flows accepted first.</summary>
    private const string ConntrackFloorTable =
        "table inet anchor {\n chain forward {\n  type filter hook forward priority filter; policy accept;\n  ct state established,related accept\n }\n}\n";

    /// <summary>With VXLAN: the tunnel's UDP untracked, as Felix renders it (raw PREROUTING and OUTPUT).</summary>
    private const string VxlanNoTrackTable =
        "table inet anchor-raw {\n chain prerouting {\n  type filter hook prerouting priority raw; policy accept;\n  udp dport 4789 notrack\n }\n" +
        " chain output {\n  type filter hook output priority raw; policy accept;\n  udp dport 4789 notrack\n }\n}\n";

    public static RoutingHandBuilt Create(bool vxlan, bool conntrack = false)
    {
        var built = new RoutingHandBuilt();
        try
        {
            built.Wire(vxlan, conntrack);
            return built;
        }
        catch
        {
            built.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        for (int i = _scopes.Count - 1; i >= 0; i--)
        {
            _scopes[i].Dispose();
        }

        _scopes.Clear();
    }

    private NetnsScope Add(string prefix)
    {
        var scope = new NetnsScope(prefix);
        _scopes.Add(scope);
        scope.Ip("link", "set", "lo", "up");
        return scope;
    }

    private void Wire(bool vxlan, bool conntrack)
    {
        NetnsScope fabric = Add("crhf");
        fabric.Ip("link", "add", "br0", "type", "bridge");
        fabric.Ip("link", "set", "br0", "up");
        NetnsScope host1 = Add("crh1");
        NetnsScope host2 = Add("crh2");
        NetnsScope pod1 = Add("crp1");
        NetnsScope pod2 = Add("crp2");
        int mtu = vxlan ? 1450 : 1500;
        WireHost(fabric, host1, "h1", "172.31.0.11");
        WireHost(fabric, host2, "h2", "172.31.0.12");
        WirePod(host1, pod1, "10.97.1.2", mtu);
        WirePod(host2, pod2, "10.97.2.2", mtu);
        if (vxlan)
        {
            WireVxlan(host1, "172.31.0.11", "10.97.1.0", "66:00:00:00:00:01", "172.31.0.12", "10.97.2.0", "66:00:00:00:00:02", "10.97.2.0/26");
            WireVxlan(host2, "172.31.0.12", "10.97.2.0", "66:00:00:00:00:02", "172.31.0.11", "10.97.1.0", "66:00:00:00:00:01", "10.97.1.0/26");
        }
        else
        {
            host1.Ip("route", "add", "10.97.2.0/26", "via", "172.31.0.12");
            host2.Ip("route", "add", "10.97.1.0/26", "via", "172.31.0.11");
        }

        if (conntrack)
        {
            string table = vxlan ? ConntrackFloorTable + VxlanNoTrackTable : ConntrackFloorTable;
            LoadTable(host1, table);
            LoadTable(host2, table);
        }

        string label = vxlan ? "hand-built kernel VXLAN" : "hand-built routed";
        Path = new RoutingPath(conntrack ? label + " + conntrack" : label, pod1.Name, pod2.Name, "10.97.2.2");
    }

    private static void WireHost(NetnsScope fabric, NetnsScope host, string port, string address)
    {
        fabric.Ip("link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", host.Name);
        fabric.Ip("link", "set", port, "master", "br0", "up");
        host.Ip("addr", "add", address + "/24", "dev", "eth0");
        host.Ip("link", "set", "eth0", "up");
        // A default route out of eth0 (nothing answers it): proxy ARP on the pod veths needs some route for 169.254.1.1.
        host.Ip("route", "add", "default", "via", "172.31.0.1", "dev", "eth0", "onlink");
        Must(host, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    }

    private static void WirePod(NetnsScope host, NetnsScope pod, string address, int mtu)
    {
        string hostIf = NetnsScope.UniqueInterfaceName("cali");
        string mtuText = mtu.ToString(System.Globalization.CultureInfo.InvariantCulture);
        host.Ip("link", "add", hostIf, "mtu", mtuText, "type", "veth", "peer", "name", "eth0", "mtu", mtuText, "netns", pod.Name);
        host.Ip("link", "set", hostIf, "up");
        Must(host, "sysctl", "-qw", $"net.ipv4.conf.{hostIf}.proxy_arp=1");
        Must(host, "sysctl", "-qw", $"net.ipv4.neigh.{hostIf}.proxy_delay=0");
        host.Ip("route", "add", address + "/32", "dev", hostIf, "scope", "link");
        pod.Ip("addr", "add", address + "/32", "dev", "eth0");
        pod.Ip("link", "set", "eth0", "up");
        pod.Ip("route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
        pod.Ip("route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
    }

    private static void Must(NetnsScope scope, string program, params string[] arguments)
    {
        (int exit, _, string error) = scope.Exec(program, arguments);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} in {scope.Name} exited {exit}: {error}");
        }
    }

    private static void LoadTable(NetnsScope host, string table)
    {
        string file = System.IO.Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, table);
            Must(host, "nft", "-f", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static void WireVxlan(NetnsScope host, string underlay, string tunnel, string mac, string peerUnderlay, string peerTunnel, string peerMac, string peerBlock)
    {
        host.Ip("link", "add", "vxlan.calico", "address", mac, "type", "vxlan", "id", "4096", "local", underlay, "dev", "eth0", "dstport", "4789", "nolearning");
        host.Ip("link", "set", "vxlan.calico", "mtu", "1450", "up");
        host.Ip("addr", "add", tunnel + "/32", "dev", "vxlan.calico");
        Must(host, "bridge", "fdb", "add", peerMac, "dev", "vxlan.calico", "dst", peerUnderlay);
        host.Ip("neigh", "add", peerTunnel, "lladdr", peerMac, "dev", "vxlan.calico", "nud", "permanent");
        host.Ip("route", "add", peerBlock, "via", peerTunnel, "dev", "vxlan.calico", "onlink");
    }
}
