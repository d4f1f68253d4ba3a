using System.Text.Json;
using Calico.Linux.Netlink;
using Calico.TestKit;

namespace Calico.Felix.Dataplane.Tests;

/// <summary>
/// A namespace standing as the host, with veth pairs whose host ends play workload interfaces (both ends stay in
/// this namespace: routes only need the link to exist and be up). Removed with everything in it on dispose.
/// </summary>
internal sealed class HostNamespace : IDisposable
{
    private HostNamespace(NetnsScope scope, RouteNetlink netlink)
    {
        Scope = scope;
        Netlink = netlink;
    }

    public NetnsScope Scope { get; }

    /// <summary>A socket opened inside the namespace: the code under test programs it from any thread.</summary>
    public RouteNetlink Netlink { get; }

    public string Path => Scope.Path;

    public static async Task<HostNamespace> CreateAsync()
    {
        var scope = new NetnsScope("calt-dp");
        try
        {
            RouteNetlink netlink = await RouteNetlink.OpenInAsync(scope.Path, CancellationToken.None);
            return new HostNamespace(scope, netlink);
        }
        catch
        {
            scope.Dispose();
            throw;
        }
    }

    /// <summary>Creates <paramref name="name"/> with a peer named <c>p</c> + name's tail, both up.</summary>
    public void AddVeth(string name)
    {
        string peer = "p" + name[Math.Max(0, name.Length - 14)..];
        Scope.Ip("link", "add", name, "type", "veth", "peer", "name", peer);
        Scope.Ip("link", "set", name, "up");
        Scope.Ip("link", "set", peer, "up");
    }

    /// <summary><c>ip -4 -j route show selector…</c> as (dst, dev, protocol, scope).</summary>
    public List<(string Destination, string Device, string Protocol, string? Scope)> Routes(params string[] selector) => ReadRoutes("-4", selector);

    /// <summary><c>ip -6 -j route show selector…</c> as (dst, dev, protocol, scope).</summary>
    public List<(string Destination, string Device, string Protocol, string? Scope)> Routes6(params string[] selector) => ReadRoutes("-6", selector);

    private List<(string Destination, string Device, string Protocol, string? Scope)> ReadRoutes(string family, string[] selector)
    {
        var routes = new List<(string, string, string, string?)>();
        string[] arguments = [family, "route", "show", .. selector];
        int devAt = Array.IndexOf(selector, "dev");

        // ip omits "dev" from each entry when the selector names it.
        string selectedDevice = devAt >= 0 && devAt + 1 < selector.Length ? selector[devAt + 1] : string.Empty;
        foreach (JsonElement route in Scope.IpJson(arguments).EnumerateArray())
        {
            string? scope = route.TryGetProperty("scope", out JsonElement s) ? s.GetString() : null;
            string protocol = route.TryGetProperty("protocol", out JsonElement p) ? p.GetString()! : "boot";
            string device = route.TryGetProperty("dev", out JsonElement d) ? d.GetString()! : selectedDevice;
            routes.Add((route.GetProperty("dst").GetString()!, device, protocol, scope));
        }

        return routes;
    }

    public void Dispose()
    {
        Netlink.Dispose();
        Scope.Dispose();
    }
}
