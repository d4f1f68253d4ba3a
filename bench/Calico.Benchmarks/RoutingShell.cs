using System.Diagnostics;
using Calico.Lab.Cluster;

namespace Calico.Benchmarks;

/// <summary>Commands the routing benchmarks run: <c>ip</c>, <c>birdc</c>, kernel route reads, all polled without timing assertions.</summary>
internal static class RoutingShell
{
    public static async Task<string> RunAsync(string fileName, CancellationToken cancellationToken, params string[] arguments)
    {
        Command.Result result = await Command.RunAsync(fileName, arguments, cancellationToken: cancellationToken);
        return result.ExitCode == 0
            ? result.Output
            : throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Error}{result.Output}");
    }

    public static Task<string> IpAsync(string netns, CancellationToken cancellationToken, params string[] arguments) =>
        RunAsync("ip", cancellationToken, ["-n", netns, .. arguments]);

    /// <summary>Number of IPv4 routes BIRD wrote into the namespace's kernel (<c>proto bird</c>).</summary>
    public static async Task<int> BirdRouteCountAsync(string netns, CancellationToken cancellationToken)
    {
        string output = await IpAsync(netns, cancellationToken, "-4", "route", "show", "proto", "bird");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    /// <summary>Whether a <c>proto bird</c> route in the namespace covers <paramref name="address"/>.</summary>
    public static async Task<bool> HasBirdRouteToAsync(string netns, string address, CancellationToken cancellationToken)
        => await FindBirdRouteAsync(netns, address, blackhole: false, cancellationToken);

    /// <summary>Whether the namespace holds its own block covering <paramref name="address"/>: <c>blackhole &lt;cidr&gt; proto bird</c>.</summary>
    public static async Task<bool> HasBirdBlackholeForAsync(string netns, string address, CancellationToken cancellationToken)
        => await FindBirdRouteAsync(netns, address, blackhole: true, cancellationToken);

    /// <summary>rtnetlink sockets per namespace, opened once: a poll is one route dump, not an <c>ip</c> process.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task<Calico.Linux.Netlink.RouteNetlink>> s_routeSockets = new(StringComparer.Ordinal);

    /// <summary>Closes the sockets: one open in a namespace keeps it (and its veths) alive after <c>ip netns del</c>.</summary>
    public static async Task CloseRouteSocketsAsync()
    {
        foreach (var (netns, socket) in s_routeSockets)
        {
            if (s_routeSockets.TryRemove(netns, out _))
            {
                (await socket).Dispose();
            }
        }
    }

    private const byte RtprotBird = 12;
    private const byte RtnBlackhole = 6;

    private static async Task<bool> FindBirdRouteAsync(string netns, string address, bool blackhole, CancellationToken cancellationToken)
    {
        var ip = System.Net.IPAddress.Parse(address);
        var socket = await s_routeSockets.GetOrAdd(netns, n => Calico.Linux.Netlink.RouteNetlink.OpenInAsync(LabLayout.NetnsPath(n), CancellationToken.None));
        IReadOnlyList<Calico.Linux.Netlink.RouteInfo> routes;
        lock (socket)
        {
            routes = socket.ListRoutes(System.Net.Sockets.AddressFamily.InterNetwork);
        }

        // The host's own blocks are "blackhole <cidr> proto bird": not a route towards anyone.
        return routes.Any(r => r.Protocol == RtprotBird && (r.Type == RtnBlackhole) == blackhole && r.Destination.PrefixLength > 0 && r.Destination.Contains(ip));
    }

    /// <summary>Polls <paramref name="condition"/> every ~5 ms until it holds; returns the elapsed ms since <paramref name="started"/>.</summary>
    public static async Task<double> TimeUntilAsync(long started, Func<Task<bool>> condition, TimeSpan limit, CancellationToken cancellationToken)
    {
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                return double.NaN;
            }

            await Task.Delay(5, cancellationToken);
        }

        return Stats.Ms(Stopwatch.GetTimestamp() - started);
    }

    /// <summary>The BGP state (e.g. Established) of the BIRD at <paramref name="socket"/> with <paramref name="neighbor"/>, or "none".</summary>
    public static Task<string> BgpStateAsync(string socket, string neighbor, CancellationToken cancellationToken) =>
        Calico.Bird.Control.BirdBgpState.QueryAsync(socket, neighbor, cancellationToken);
}
