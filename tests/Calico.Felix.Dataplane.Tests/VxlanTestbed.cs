using System.Net;
using System.Text.Json;
using Calico.Felix.Dataplane.Vxlan;
using Calico.Linux.Netlink;
using Calico.TestKit;

namespace Calico.Felix.Dataplane.Tests;

/// <summary>
/// Two namespaces standing as hosts, joined by a veth underlay: h1 <c>u1</c> 192.0.2.1/24 + 2001:db8:ffff::1/64,
/// h2 <c>u2</c> 192.0.2.2/24 + 2001:db8:ffff::2/64. Each has a socket opened inside it, so a manager given that socket
/// programs that host. Everything goes with the namespaces on dispose.
/// </summary>
internal sealed class VxlanTestbed : IDisposable
{
    public static readonly LocalVtep Host1 = new(IPAddress.Parse("10.244.0.1"), "66:00:00:00:00:01", IPAddress.Parse("192.0.2.1"));
    public static readonly LocalVtep Host2 = new(IPAddress.Parse("10.244.1.1"), "66:00:00:00:00:02", IPAddress.Parse("192.0.2.2"));
    public static readonly RemoteVtep Host1Remote = new("host1", Host1.TunnelAddress, Host1.Mac, Host1.NodeAddress);
    public static readonly RemoteVtep Host2Remote = new("host2", Host2.TunnelAddress, Host2.Mac, Host2.NodeAddress);
    public static readonly RemoteBlock Host1Block = new(IPNetwork.Parse("10.244.0.0/26"), "host1");
    public static readonly RemoteBlock Host2Block = new(IPNetwork.Parse("10.244.1.0/26"), "host2");

    private readonly List<IDisposable> _owned = [];

    private VxlanTestbed()
    {
    }

    public NetnsScope H1 { get; private set; } = null!;

    public NetnsScope H2 { get; private set; } = null!;

    public RouteNetlink Netlink1 { get; private set; } = null!;

    public RouteNetlink Netlink2 { get; private set; } = null!;

    public static async Task<VxlanTestbed> CreateAsync()
    {
        var bed = new VxlanTestbed();
        try
        {
            bed.H1 = bed.Own(new NetnsScope("calt-vx1"));
            bed.H2 = bed.Own(new NetnsScope("calt-vx2"));
            bed.H1.Ip("link", "add", "u1", "type", "veth", "peer", "name", "u2", "netns", bed.H2.Name);
            bed.H1.Ip("addr", "add", "192.0.2.1/24", "dev", "u1");
            bed.H2.Ip("addr", "add", "192.0.2.2/24", "dev", "u2");
            bed.H1.Ip("-6", "addr", "add", "2001:db8:ffff::1/64", "dev", "u1", "nodad");
            bed.H2.Ip("-6", "addr", "add", "2001:db8:ffff::2/64", "dev", "u2", "nodad");
            bed.H1.Ip("link", "set", "u1", "up");
            bed.H2.Ip("link", "set", "u2", "up");
            bed.Netlink1 = bed.Own(await RouteNetlink.OpenInAsync(bed.H1.Path, CancellationToken.None));
            bed.Netlink2 = bed.Own(await RouteNetlink.OpenInAsync(bed.H2.Path, CancellationToken.None));
            return bed;
        }
        catch
        {
            bed.Dispose();
            throw;
        }
    }

    /// <summary>Each host knows the other as remote VTEP with its block; h2 holds "pod" 10.244.1.5/32 on lo.</summary>
    public (VxlanManager Manager1, VxlanManager Manager2) ConfigureBothHosts()
    {
        var manager1 = new VxlanManager(Netlink1);
        manager1.SetLocalVtep(Host1);
        manager1.SetRemoteVteps([Host2Remote]);
        manager1.SetRemoteBlocks([Host2Block]);
        var manager2 = new VxlanManager(Netlink2);
        manager2.SetLocalVtep(Host2);
        manager2.SetRemoteVteps([Host1Remote]);
        manager2.SetRemoteBlocks([Host1Block]);
        H2.Ip("addr", "add", "10.244.1.5/32", "dev", "lo");
        return (manager1, manager2);
    }

    /// <summary><c>ip -j route show proto 80</c> as "dst via gateway dev device [onlink]" lines.</summary>
    public static List<string> FelixRoutes(NetnsScope host, string family = "-4")
    {
        var routes = new List<string>();
        foreach (JsonElement route in host.IpJson(family, "route", "show", "proto", "80").EnumerateArray())
        {
            bool onlink = route.TryGetProperty("flags", out JsonElement flags) && flags.EnumerateArray().Any(f => f.GetString() == "onlink");
            string via = route.TryGetProperty("gateway", out JsonElement gateway) ? " via " + gateway.GetString() : string.Empty;
            routes.Add($"{route.GetProperty("dst").GetString()}{via} dev {route.GetProperty("dev").GetString()}{(onlink ? " onlink" : string.Empty)}");
        }

        return routes;
    }

    /// <summary><c>bridge fdb show dev DEVICE</c> lines.</summary>
    public static string[] Fdb(NetnsScope host, string device = VxlanManager.IPv4DeviceName)
    {
        (int exit, string output, string error) = host.Exec("bridge", "fdb", "show", "dev", device);
        return exit == 0 ? output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : throw new InvalidOperationException(error);
    }

    /// <summary><c>ip -j neigh show dev DEVICE</c> as "address lladdr state".</summary>
    public static List<string> Neighbors(NetnsScope host, string device = VxlanManager.IPv4DeviceName, string family = "-4")
    {
        var entries = new List<string>();
        foreach (JsonElement entry in host.IpJson(family, "neigh", "show", "dev", device).EnumerateArray())
        {
            string state = string.Join(',', entry.GetProperty("state").EnumerateArray().Select(s => s.GetString()));
            entries.Add($"{entry.GetProperty("dst").GetString()} {(entry.TryGetProperty("lladdr", out JsonElement mac) ? mac.GetString() : "-")} {state}");
        }

        return entries;
    }

    /// <summary>Packets the device sent, from <c>ip -j -s link show</c>.</summary>
    public static long TxPackets(NetnsScope host, string device = VxlanManager.IPv4DeviceName) =>
        Assert.Single(host.IpJson("-s", "link", "show", device).EnumerateArray()).GetProperty("stats64").GetProperty("tx").GetProperty("packets").GetInt64();

    /// <summary>One ping; its own deadline bounds the wait (no timing is asserted).</summary>
    public static (int ExitCode, string Output) Ping(NetnsScope from, string address)
    {
        (int exit, string output, string error) = from.Exec("ping", "-c", "1", "-W", "5", address);
        return (exit, output + error);
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public void Dispose()
    {
        // Sockets first, then namespaces; every namespace is attempted even when one fails.
        List<Exception> failures = [];
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            try
            {
                _owned[i].Dispose();
            }
            catch (InvalidOperationException ex)
            {
                failures.Add(ex);
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("test namespaces left behind", failures);
        }
    }
}
