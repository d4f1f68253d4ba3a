using Calico.Felix.Calc.Model;
using static Calico.Felix.Calc.Tests.Expect;

namespace Calico.Felix.Calc.Tests;

/// <summary>
/// Rules with a match we cannot enforce (services, http; docs/support-matrix.md) fail closed: an Allow or Pass rule
/// never matches, a Deny or Log rule applies on its enforceable part; the policy's other rules stay.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class UnenforceableMatchTests
{
    private const string Web1 = "node1-k8s-web1-eth0";

    private static readonly string s_pods = Yaml.Namespace("ns1") + Yaml.Wep("ns1", "web1", "10.0.0.1/32", "app: web");

    [Fact]
    public void Rules_WithServicesOrHttpMatch_AllowNeverMatchesAndDenyAppliesWithoutTheMatch()
    {
        var withPolicy = CalcState.Of("np", s_pods + """
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: web, namespace: ns1}
            spec:
              selector: app == 'web'
              ingress:
              - action: Allow
                http: {methods: [GET]}
              - action: Allow
                protocol: TCP
                source: {services: {name: front, namespace: ns1}}
              - action: Deny
                protocol: TCP
                source: {nets: [10.9.0.0/16], services: {name: bad, namespace: ns1}}
              - action: Log
                http: {paths: [{prefix: /admin}]}
              - action: Pass
                destination: {services: {name: x, namespace: ns1}}
              - action: Allow
                protocol: TCP
                destination: {ports: [80]}
            """, e => e
            .Profile("kns.ns1")
            .Wep("ns1", Web1, "10.0.0.1/32", ["kns.ns1"], [Tier("default", RuleAction.Deny, [Np("ns1", "web")], [])])
            .Policy(Np("ns1", "web"), inbound:
            [
                new RuleModel { Action = RuleAction.Deny, Protocol = 6, SrcNets = ["10.9.0.0/16"], Index = 2 },
                new RuleModel { Action = RuleAction.Log, Index = 3 },
                new RuleModel { Action = RuleAction.Allow, Protocol = 6, DstPorts = [new(80, 80)], Index = 5 },
            ]));
        StateHarness.Run("node1", CalcState.Of("pods", s_pods, e => e.Profile("kns.ns1").Wep("ns1", Web1, "10.0.0.1/32", ["kns.ns1"])), withPolicy);
    }
}
