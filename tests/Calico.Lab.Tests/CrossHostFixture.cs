using System.Net;
using System.Text.Json;
using Calico.Lab.Cluster;
using Calico.TestKit;

namespace Calico.Lab.Tests;

/// <summary>
/// A lab with calico-node on each of three hosts (host1 and host2 on subnet 0, host3 on subnet 1) and pods x/a on
/// host1, x/b on host2, x/c on host3, each serving TCP/80. Arguments of <c>up</c> come from the subclass.
/// </summary>
public abstract class CrossHostFixture : IAsyncLifetime
{
    /// <summary>How long routing may take to converge (BGP sessions, Felix's VXLAN routes) before a test fails.</summary>
    public static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);

    public static readonly Calico.Reachability.Probe Http = new(Calico.Reachability.Packet.Tcp, 80);

    public LabRunner Lab { get; } = new();

    public LabLayout Layout => LabLayout.Create(Lab.Name, Lab.StateDir);

    protected abstract string[] UpArguments { get; }

    /// <summary>What <c>up</c> wrote to stderr (its warnings).</summary>
    public string UpError { get; private set; } = "";

    public LabState State() => LabStateFile.Load(Layout);

    public LabPod Pod(string name) => State().Pods.Single(p => p.Name == name);

    public LabHost Host(string name) => State().Hosts.Single(h => h.Name == name);

    public ProbeTarget Target(string pod, int family = 4)
    {
        var record = Pod(pod);
        return new ProbeTarget(record.Id, LabLayout.NetnsPath(record.Netns), IPAddress.Parse(family == 6 ? record.Address6 : record.Address));
    }

    public Task<bool> ReachesAsync(string from, string to, int family = 4) =>
        Prober.ReachesAsync(Target(from, family), Target(to, family), Http, CancellationToken.None);

    public Task<bool> EventuallyReachesAsync(string from, string to, int family = 4) =>
        LabRunner.EventuallyAsync(() => ReachesAsync(from, to, family), Converge);

    public Task<bool> EventuallyBlockedAsync(string from, string to, int family = 4) =>
        LabRunner.EventuallyAsync(async () => !await ReachesAsync(from, to, family), Converge);

    /// <summary>The route the host's kernel picks for an address: (dev, gateway or "").</summary>
    public (string Dev, string Gateway) RouteGet(string host, string address)
    {
        var route = IpTool.Json("-n", Lab.Netns(host), "route", "get", address)[0];
        return (route.GetProperty("dev").GetString() ?? "", route.TryGetProperty("gateway", out var gateway) ? gateway.GetString() ?? "" : "");
    }

    /// <summary>Destinations of the routes BIRD wrote into a namespace's kernel (proto bird).</summary>
    public IReadOnlyList<IPNetwork> BirdRoutes(string netnsSuffix, int family = 4)
    {
        var routes = IpTool.Json("-n", Lab.Netns(netnsSuffix), family == 6 ? "-6" : "-4", "route", "show", "proto", "bird");
        return [.. routes.EnumerateArray().Select(r => r.GetProperty("dst").GetString()!).Where(d => d != "default").Select(d => IPNetwork.Parse(d.Contains('/', StringComparison.Ordinal) ? d : d + (family == 6 ? "/128" : "/32")))];
    }

    public bool HasBirdRouteTo(string netnsSuffix, string address, int family = 4) =>
        BirdRoutes(netnsSuffix, family).Any(n => n.Contains(IPAddress.Parse(address)));

    /// <summary>The BGP state of the host's session with <paramref name="neighbor"/>, from its BIRD (birdc show protocols all).</summary>
    public Task<string> BgpStateAsync(string host, string neighbor) =>
        Calico.Bird.Control.BirdBgpState.QueryAsync(LabLayout.BirdSocket(Host(host)), neighbor, CancellationToken.None);

    public async Task InitializeAsync()
    {
        IpTool.RequireRootTier();
        Prerequisites.Require("bird");
        var up = await Lab.RunAsync("up", UpArguments);
        Assert.True(up.ExitCode == 0, $"calico-lab up exited {up.ExitCode}:\n{up.Output}\n{up.Error}");
        UpError = up.Error;
        await Lab.MustAsync("run", "host1", "x/a", "--serve", "TCP/80");
        await Lab.MustAsync("run", "host2", "x/b", "--serve", "TCP/80");
        await Lab.MustAsync("run", "host3", "x/c", "--serve", "TCP/80");
        await AfterUpAsync();
    }

    /// <summary>Re-applies the lab's IPv4 (or IPv6) pool as <c>up</c> made it, with <paramref name="vxlanMode"/>.</summary>
    public Task<string> SetVxlanModeAsync(string vxlanMode, int family = 4) => Lab.CalicoctlAsync(
        $"""
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata:
          name: {(family == 6 ? LabLayout.Pool6Name : LabLayout.PoolName)}
        spec:
          cidr: {(family == 6 ? LabLayout.Pool6Cidr : LabLayout.PoolCidr)}
          blockSize: {(family == 6 ? 122 : 26)}
          ipipMode: Never
          vxlanMode: {vxlanMode}
          natOutgoing: true
          nodeSelector: all()
        """,
        "apply",
        "-f",
        "-");

    /// <summary>What a subclass adds once the lab and its pods are up.</summary>
    protected virtual Task AfterUpAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Lab.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>BGP routing (no encapsulation: given explicitly, the lab's default is VXLAN CrossSubnet) and the top-of-rack router.</summary>
public sealed class MeshLabFixture : CrossHostFixture
{
    protected override string[] UpArguments => ["--hosts", "3", "--tor", "--encapsulation", "none"];
}

/// <summary>VXLAN: the IPv4 pool starts with vxlanMode Always.</summary>
public sealed class VxlanLabFixture : CrossHostFixture
{
    protected override string[] UpArguments => ["--hosts", "3", "--encapsulation", "vxlan"];
}
