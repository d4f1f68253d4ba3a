using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

internal static partial class GoldenCases
{
    /// <summary>
    /// <see cref="ProfileOnly"/> plus a dual-stack workload with two IPv4 floating IPs and one IPv6, and a second
    /// workload claiming one of the same external addresses (the lower internal address wins, as upstream).
    /// </summary>
    public static DataplaneState FloatingIps()
    {
        DataplaneState state = ProfileOnly();
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "prod", "node1-k8s-fip-eth0"), "calif1p", ["10.65.0.5/32"], ["fd00:65::5/128"], [], ["kns.prod"])
        {
            FloatingIps = [new("10.65.0.5", "203.0.113.7"), new("10.65.0.5", "198.51.100.1"), new("fd00:65::5", "2001:db8::7")],
        }));
        state.Apply(new EndpointUpdate(new EndpointIntent(new EndpointKey(false, "prod", "node1-k8s-other-eth0"), "calif2p", ["10.65.0.9/32"], [], [], ["kns.prod"])
        {
            FloatingIps = [new("10.65.0.9", "203.0.113.7")],
        }));
        return state;
    }
}
