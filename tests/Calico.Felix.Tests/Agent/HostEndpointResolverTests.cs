using System.Net;
using Calico.Api;
using Calico.Datastore.Syncer;
using Calico.Felix.Agent;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Tests.Agent;

/// <summary>
/// Host endpoints found by interface name or by address (upstream's resolveHostEndpoints): one endpoint per interface,
/// the ordinally first name wins among candidates, a named endpoint never matches by address, workload interfaces
/// never bind, <c>*</c> passes through; then the agent following an address as it moves between interfaces.
/// Endpoints in the tables: <c>name:iface</c> (named), <c>name:=ip,ip</c> (expectedIPs only), <c>name:*</c>.
/// Interfaces: <c>iface=ip,ip</c> separated by spaces, <c>unknown</c> when not read yet. Result: <c>key&gt;iface</c>.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class HostEndpointResolverTests : AgentTestBase
{
    [Theory]
    [InlineData("named", "a:eth0", "eth0=198.18.0.1", "a>eth0")]
    [InlineData("by IPv4 address", "h:=198.18.0.1", "eth0=198.18.0.1 lo=127.0.0.1", "h>eth0")]
    [InlineData("by IPv6 address", "h:=fd00:18::1", "eth0=198.18.0.1,fd00:18::1 eth1=fd00:19::1", "h>eth0")]
    [InlineData("either family of several expected", "h:=198.18.9.9,fd00:19::1", "eth0=198.18.0.1 eth1=fd00:19::1", "h>eth1")]
    [InlineData("address not on the host", "h:=198.18.0.9", "eth0=198.18.0.1", "")]
    [InlineData("address moved", "h:=198.18.0.1", "eth0= dummy7=198.18.0.1", "h>dummy7")]
    [InlineData("first name wins over a named one", "b:eth0 a:=198.18.0.1", "eth0=198.18.0.1", "a>eth0")]
    [InlineData("first name wins, named", "a:eth0 b:=198.18.0.1", "eth0=198.18.0.1", "a>eth0")]
    [InlineData("first name wins between addresses", "z:=198.18.0.1 m:=fd00:18::1", "eth0=198.18.0.1,fd00:18::1", "m>eth0")]
    [InlineData("the loser binds elsewhere", "a:eth0 b:=198.18.0.1,10.9.0.1", "eth0=198.18.0.1 eth1=10.9.0.1", "a>eth0 b>eth1")]
    [InlineData("named never matches by address", "a:eth1 b:=198.18.0.1", "eth0=198.18.0.1 eth1=", "a>eth1 b>eth0")]
    [InlineData("named, interface not on the host yet", "a:eth9", "eth0=198.18.0.1", "a>eth9")]
    [InlineData("one endpoint, two interfaces", "h:=198.18.0.1,10.9.0.1", "eth0=198.18.0.1 eth1=10.9.0.1", "h>eth0 h@eth1>eth1")]
    [InlineData("workload interfaces never bind", "h:=10.65.0.1 w:cali1234", "cali1234=10.65.0.1", "")]
    [InlineData("all-interfaces passes through", "all:* h:=198.18.0.1", "eth0=198.18.0.1", "all>* h>eth0")]
    [InlineData("interfaces unknown: named only", "a:eth0 h:=198.18.0.1", "unknown", "a>eth0")]
    public void Resolve(string why, string endpoints, string interfaces, string expected)
    {
        var raw = ParseEndpoints(endpoints).ToDictionary(e => e.Key);
        var resolved = HostEndpointResolver.Resolve(raw, ParseInterfaces(interfaces), "cali");
        Assert.True(expected == Describe(resolved), why + ": " + Describe(resolved));
        Assert.All(resolved, kv => Assert.Equal(kv.Key, kv.Value.Key));
    }

    [Fact]
    public void Binding_follows_an_address_as_it_moves_is_removed_and_comes_back()
    {
        var binding = new HostEndpointBinding();
        var state = new DataplaneState();
        EndpointIntent raw = Endpoint("h", null, "198.18.0.1");
        Assert.Empty(binding.TakeHostEndpoints([new EndpointUpdate(raw)]));
        Assert.True(binding.SetInterfaces(ParseInterfaces("eth0=198.18.0.1")!));
        Assert.True(binding.Bind(state, "cali"));
        EndpointIntent onEth0 = Assert.Single(state.Endpoints).Value;
        Assert.Equal("eth0", onEth0.InterfaceName);

        // Reported again unchanged: nothing to do, and the renderer keeps the same instance.
        Assert.False(binding.SetInterfaces(ParseInterfaces("eth0=198.18.0.1")!));
        Assert.False(binding.Bind(state, "cali"));
        Assert.Same(onEth0, state.Endpoints[raw.Key]);

        Assert.True(binding.SetInterfaces(ParseInterfaces("eth0= hep0=198.18.0.1")!));
        Assert.True(binding.Bind(state, "cali"));
        Assert.Equal("hep0", Assert.Single(state.Endpoints).Value.InterfaceName);

        Assert.True(binding.SetInterfaces(ParseInterfaces("eth0= hep0=")!));
        Assert.True(binding.Bind(state, "cali"));
        Assert.Empty(state.Endpoints);

        Assert.True(binding.SetInterfaces(ParseInterfaces("eth0=198.18.0.1")!));
        Assert.True(binding.Bind(state, "cali"));
        Assert.Equal("eth0", Assert.Single(state.Endpoints).Value.InterfaceName);

        // The endpoint deleted: its binding goes; other updates pass through untouched.
        var other = new InSyncUpdate();
        Assert.Equal([other], binding.TakeHostEndpoints([new EndpointRemove(raw.Key), other]));
        Assert.True(binding.Bind(state, "cali"));
        Assert.Empty(state.Endpoints);
    }

    [Fact]
    public async Task Agent_renders_a_host_endpoint_by_address_on_the_interface_that_holds_it()
    {
        var hep = new HostEndpoint { Metadata = { Name = "host1-main" } };
        hep.Spec.Node = "host1";
        hep.Spec.ExpectedIPs = ["198.18.0.1"];
        Agent.OnUpdates([Put(hep)]);
        Agent.OnStatusUpdated(SyncStatus.InSync);
        DesiredDataplane first = await NextApplyAsync();
        Assert.Empty(first.State.Endpoints); // interfaces not known yet: nothing to bind to

        Agent.ReportHostInterfaces(ParseInterfaces("lo=127.0.0.1 eth0=198.18.0.1")!);
        DesiredDataplane bound = await NextApplyAsync();
        Assert.Equal("eth0", Assert.Single(bound.State.Endpoints).Value.InterfaceName);

        Agent.ReportHostInterfaces(ParseInterfaces("lo=127.0.0.1 eth0= hep0=198.18.0.1")!);
        DesiredDataplane moved = await NextApplyAsync();
        Assert.Equal("hep0", Assert.Single(moved.State.Endpoints).Value.InterfaceName);
    }

    private static IEnumerable<EndpointIntent> ParseEndpoints(string text)
    {
        foreach (string item in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = item.Split(':', 2);
            yield return parts[1].StartsWith('=')
                ? Endpoint(parts[0], null, parts[1][1..].Split(','))
                : Endpoint(parts[0], parts[1]);
        }
    }

    private static EndpointIntent Endpoint(string name, string? iface, params string[] ips) =>
        new(new EndpointKey(true, null, name), iface,
            [.. ips.Where(ip => !ip.Contains(':', StringComparison.Ordinal)).Select(ip => ip + "/32")],
            [.. ips.Where(ip => ip.Contains(':', StringComparison.Ordinal)).Select(ip => ip + "/128")],
            [], []);

    private static HostInterfaces? ParseInterfaces(string text)
    {
        if (text == "unknown")
        {
            return null;
        }

        var byName = new Dictionary<string, IReadOnlyList<IPAddress>>(StringComparer.Ordinal);
        foreach (string item in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = item.Split('=', 2);
            byName[parts[0]] = [.. parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(IPAddress.Parse)];
        }

        return new HostInterfaces(byName);
    }

    private static string Describe(Dictionary<EndpointKey, EndpointIntent> resolved) =>
        string.Join(' ', resolved.Values.Select(e => e.Key.Name + ">" + e.InterfaceName).Order(StringComparer.Ordinal));
}
