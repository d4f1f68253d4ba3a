using System.Diagnostics;
using System.Globalization;
using System.Text;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// The anchor of performance-anchors 2.g: two hand-configured BIRD 2 instances in two namespaces joined by one veth,
/// iBGP (AS 64512, <c>direct</c>). Speaker A originates N /26 blackhole static routes (as calico-node does for its
/// IPAM blocks) with <c>next hop self</c>; B imports and exports to its kernel. Timed from <c>birdc configure</c> on
/// A until B's kernel holds N <c>proto bird</c> routes (polled every ~1 ms through one rtnetlink socket in B, as the
/// new-block rounds poll), and back to 0 after removal.
/// </summary>
internal sealed class RoutingBirdAnchor : IDisposable
{
    private const string AddressA = "10.99.0.1";
    private const string AddressB = "10.99.0.2";
    private const byte RtprotBird = 12;

    private readonly NetnsScope _a = new("crba");
    private readonly NetnsScope _b = new("crbb");
    private readonly TempDirectory _dir = new("calico-bench-bird");
    private readonly ChildProcess _children = new();
    private Calico.Linux.Netlink.RouteNetlink? _routesB;

    private string SocketA => _dir.File("a.ctl");

    private string RoutesFile => _dir.File("routes.conf");

    public static async Task<(List<double> Announce, List<double> Withdraw)> MeasureAsync(int routes, int runs, CancellationToken cancellationToken)
    {
        using var anchor = new RoutingBirdAnchor();
        await anchor.StartAsync(cancellationToken);
        var announce = new List<double>();
        var withdraw = new List<double>();
        for (int run = 0; run < runs; run++)
        {
            announce.Add(await anchor.ConfigureAndWaitAsync(routes, cancellationToken));
            withdraw.Add(await anchor.ConfigureAndWaitAsync(0, cancellationToken));
        }

        return (announce, withdraw);
    }

    public void Dispose()
    {
        // BIRD first (killed by PID through ChildProcess), then the namespaces (no socket left open in B) and the config directory.
        _children.Dispose();
        _routesB?.Dispose();
        _b.Dispose();
        _a.Dispose();
        _dir.Dispose();
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        string bird = Prerequisites.Require("bird");
        Prerequisites.Require("birdc");
        string veth = NetnsScope.UniqueInterfaceName("crb");
        _a.Ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", _b.Name);
        _a.Ip("link", "set", veth, "name", "eth0");
        _a.Ip("addr", "add", AddressA + "/24", "dev", "eth0");
        _b.Ip("addr", "add", AddressB + "/24", "dev", "eth0");
        foreach (NetnsScope scope in new[] { _a, _b })
        {
            scope.Ip("link", "set", "lo", "up");
            scope.Ip("link", "set", "eth0", "up");
        }

        await File.WriteAllTextAsync(RoutesFile, "", cancellationToken);
        // BIRD's include is a lexer directive that must start a line, hence the layout of the static protocol.
        await File.WriteAllTextAsync(_dir.File("a.cfg"), $$"""
            router id {{AddressA}};
            protocol device { }
            protocol static blocks {
              ipv4;
            include "{{RoutesFile}}";
            }
            protocol bgp peer {
              local {{AddressA}} as 64512; neighbor {{AddressB}} as 64512; direct;
              ipv4 { import none; export all; next hop self; };
            }
            """, cancellationToken);
        await File.WriteAllTextAsync(_dir.File("b.cfg"), $$"""
            router id {{AddressB}};
            protocol device { }
            protocol kernel { ipv4 { import none; export all; }; }
            protocol bgp peer {
              local {{AddressB}} as 64512; neighbor {{AddressA}} as 64512; direct;
              ipv4 { import all; export none; };
            }
            """, cancellationToken);
        _children.Start("ip", ["netns", "exec", _a.Name, bird, "-f", "-c", _dir.File("a.cfg"), "-s", SocketA]);
        _children.Start("ip", ["netns", "exec", _b.Name, bird, "-f", "-c", _dir.File("b.cfg"), "-s", _dir.File("b.ctl")]);
        double established = await RoutingShell.TimeUntilAsync(
            Stopwatch.GetTimestamp(),
            async () => File.Exists(SocketA) && await RoutingShell.BgpStateAsync(SocketA, AddressB, cancellationToken) == "Established",
            TimeSpan.FromSeconds(60),
            cancellationToken);
        if (double.IsNaN(established))
        {
            throw new InvalidOperationException("the anchor's BIRD session never came up");
        }
    }

    private async Task<double> ConfigureAndWaitAsync(int routes, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        for (int i = 0; i < routes; i++)
        {
            // /26 blocks in 10.100.0.0/16 and beyond: 4 per /24.
            text.Append(CultureInfo.InvariantCulture, $"route 10.{100 + (i / 1024)}.{i / 4 % 256}.{i % 4 * 64}/26 blackhole;\n");
        }

        await File.WriteAllTextAsync(RoutesFile, text.ToString(), cancellationToken);
        long started = Stopwatch.GetTimestamp();
        await RoutingShell.RunAsync("birdc", cancellationToken, "-s", SocketA, "configure");
        _routesB ??= await Calico.Linux.Netlink.RouteNetlink.OpenInAsync(_b.Path, cancellationToken);
        long deadline = started + (60 * Stopwatch.Frequency);
        while (_routesB.ListRoutes(System.Net.Sockets.AddressFamily.InterNetwork).Count(r => r.Protocol == RtprotBird) != routes)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new InvalidOperationException($"peer never reached {routes} routes");
            }

            await Task.Delay(1, cancellationToken);
        }

        return Stats.Ms(Stopwatch.GetTimestamp() - started);
    }
}
