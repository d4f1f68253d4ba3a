using System.Net;
using Calico.Goldmane.Api;

namespace Calico.Felix.FlowLogs.Tests;

[Trait("Tier", "Unit")]
public sealed class FlowIdentityIndexTests
{
    private static readonly FlowIdentityIndex Index = new(
    [
        FlowEndpointRecord.Workload("ns1", "web-0", new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" }, [IPNetwork.Parse("10.65.0.5/32")]),
        FlowEndpointRecord.Workload("ns1", "web-1", new Dictionary<string, string>(), [IPNetwork.Parse("10.65.0.6/32")], generateName: "web-"),
        FlowEndpointRecord.Host("node-1", new Dictionary<string, string> { ["role"] = "edge" }, [IPNetwork.Parse("198.18.0.1/32")]),
        FlowEndpointRecord.NetworkSet(null, "wide", new Dictionary<string, string>(), [IPNetwork.Parse("203.0.0.0/8")]),
        FlowEndpointRecord.NetworkSet("ns1", "narrow", new Dictionary<string, string>(), [IPNetwork.Parse("203.0.113.0/24")]),
        FlowEndpointRecord.NetworkSet(null, "v6", new Dictionary<string, string>(), [IPNetwork.Parse("2001:db8::/32")]),
    ]);

    [Theory]
    [InlineData("10.65.0.5", EndpointType.WorkloadEndpoint, "web-0", "ns1")]
    [InlineData("10.65.0.6", EndpointType.WorkloadEndpoint, "web-*", "ns1")]
    [InlineData("198.18.0.1", EndpointType.HostEndpoint, "node-1", "-")]
    [InlineData("203.0.113.9", EndpointType.NetworkSet, "narrow", "ns1")]
    [InlineData("203.0.114.9", EndpointType.NetworkSet, "wide", "-")]
    [InlineData("2001:db8::1", EndpointType.NetworkSet, "v6", "-")]
    [InlineData("10.1.2.3", EndpointType.Network, "pvt", "-")]
    [InlineData("172.31.255.1", EndpointType.Network, "pvt", "-")]
    [InlineData("192.168.1.1", EndpointType.Network, "pvt", "-")]
    [InlineData("172.32.0.1", EndpointType.Network, "pub", "-")]
    [InlineData("8.8.8.8", EndpointType.Network, "pub", "-")]
    [InlineData("fd00::1", EndpointType.Network, "pub", "-")]
    [InlineData("::ffff:10.65.0.5", EndpointType.WorkloadEndpoint, "web-0", "ns1")]
    public void Resolve_Address_UpstreamsNameTypeAndNamespace(string address, EndpointType type, string name, string ns)
    {
        var e = Index.Resolve(IPAddress.Parse(address));
        Assert.Equal((type, name, ns), (e.Type, e.Name, e.Namespace));
    }

    [Fact]
    public void Labels_KeyEqualsValue_Sorted()
    {
        Assert.Equal(["a=1", "b=2"], Index.Resolve(IPAddress.Parse("10.65.0.5")).Labels);
    }
}
