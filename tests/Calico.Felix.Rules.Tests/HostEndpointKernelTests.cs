using System.Net;
using System.Net.Sockets;
using Calico.Felix.Calc.Model;
using Calico.TestKit;

namespace Calico.Felix.Rules.Tests;

/// <summary>Root tier: a host endpoint with deny-all policy, on a veth between a "host" and a "client" namespace.</summary>
[Trait("Tier", "Root")]
public sealed class HostEndpointKernelTests
{
    private static readonly IPAddress HostAddress = IPAddress.Parse("10.99.0.1");

    [Fact]
    public async Task DenyAllHostEndpoint_FailsafePortsStayOpen_OtherPortIsDropped()
    {
        using var host = new NetnsScope();
        using var client = new NetnsScope();
        host.Ip("link", "add", "hep0", "type", "veth", "peer", "name", "cl0", "netns", client.Name);
        host.Ip("addr", "add", "10.99.0.1/24", "dev", "hep0");
        host.Ip("link", "set", "hep0", "up");
        client.Ip("addr", "add", "10.99.0.2/24", "dev", "cl0");
        client.Ip("link", "set", "cl0", "up");
        new KernelNft(host).Apply(NftablesRenderer.Build(DenyAllOn("hep0"), new RenderConfig(), NatInputs.None).ToFullTransaction(), "deny-all HEP");
        var listeners = new List<TcpListener>();
        try
        {
            foreach (int port in new[] { 22, 179, 8080 })
            {
                listeners.Add(await NetnsSockets.ListenAsync(host, port));
            }

            Assert.True(await NetnsSockets.ConnectsAsync(client, HostAddress, 22), "failsafe tcp:22 must stay open");
            Assert.True(await NetnsSockets.ConnectsAsync(client, HostAddress, 179), "failsafe tcp:179 must stay open");
            Assert.False(await NetnsSockets.ConnectsAsync(client, HostAddress, 8080), "tcp:8080 must be dropped by the deny-all policy");
        }
        finally
        {
            foreach (TcpListener listener in listeners)
            {
                listener.Dispose();
            }
        }
    }

    private static DataplaneState DenyAllOn(string iface)
    {
        var state = new DataplaneState();
        state.Apply(new ActivePolicyUpdate(GoldenCases.DenyAllPolicy, new PolicyIntent([new RuleModel { Action = RuleAction.Deny }], [new RuleModel { Action = RuleAction.Deny }])));
        var tier = new TierIntent("default", RuleAction.Deny, [GoldenCases.DenyAllPolicy], [GoldenCases.DenyAllPolicy]);
        state.Apply(new EndpointUpdate(StateBuilder.HostEndpoint(iface, [tier])));
        return state;
    }
}
