namespace Calico.Api.Tests;

[Trait("Tier", "Unit")]
public sealed class KubernetesConversionTests
{
    private static KubernetesNetworkPolicy Decode(string spec)
    {
        var text = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: test\n  namespace: ns1\nspec:\n" + spec;
        return Assert.IsType<KubernetesNetworkPolicy>(Assert.Single(ResourceCodec.Decode(text)));
    }

    [Fact]
    public void ToCalicoPolicy_EmptyPodSelector_NameTierOrderSelector()
    {
        var np = KubernetesConversion.ToCalicoPolicy(Decode("  podSelector: {}\n"));

        Assert.Equal("knp.default.test", np.Metadata.Name);
        Assert.Equal("ns1", np.Metadata.Namespace);
        Assert.Equal("default", np.Spec.Tier);
        Assert.Equal(1000, np.Spec.Order);
        Assert.Equal("projectcalico.org/orchestrator == 'k8s'", np.Spec.Selector);
        Assert.Equal(["Ingress"], np.Spec.Types!);
        Assert.Null(np.Spec.Ingress);
    }

    [Fact]
    public void ToCalicoPolicy_MatchLabelsAndExpressions_SortedTerms()
    {
        var np = KubernetesConversion.ToCalicoPolicy(Decode("""
              podSelector:
                matchLabels: {role: db, app: web}
                matchExpressions:
                - {key: tier, operator: In, values: [a, b]}
                - {key: env, operator: NotIn, values: [prod]}
                - {key: x, operator: Exists}
                - {key: z, operator: DoesNotExist}
            """));

        Assert.Equal("projectcalico.org/orchestrator == 'k8s' && app == 'web' && role == 'db' && tier in { 'a', 'b' } && env not in { 'prod' } && has(x) && ! has(z)", np.Spec.Selector);
    }

    [Fact]
    public void ToCalicoPolicy_IpBlockWithExcept_NetsAndNotNets()
    {
        var np = KubernetesConversion.ToCalicoPolicy(Decode("""
              podSelector: {}
              ingress:
              - from:
                - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
            """));

        var rule = Assert.Single(np.Spec.Ingress!);
        Assert.Equal("Allow", rule.Action);
        Assert.Null(rule.Protocol);
        Assert.Equal(["10.0.0.0/8"], rule.Source.Nets!);
        Assert.Equal(["10.1.0.0/16"], rule.Source.NotNets!);
        Assert.Null(rule.Source.Selector);
    }

    [Fact]
    public void ToCalicoPolicy_PodAndNamespaceSelectorInOnePeer_AndedInOneRule()
    {
        var np = KubernetesConversion.ToCalicoPolicy(Decode("""
              podSelector: {}
              ingress:
              - from:
                - podSelector: {matchLabels: {app: a}}
                  namespaceSelector: {matchLabels: {team: x}}
                - namespaceSelector: {}
            """));

        Assert.Collection(np.Spec.Ingress!,
            r =>
            {
                Assert.Equal("projectcalico.org/orchestrator == 'k8s' && app == 'a'", r.Source.Selector);
                Assert.Equal("team == 'x'", r.Source.NamespaceSelector);
            },
            r =>
            {
                Assert.Equal("projectcalico.org/orchestrator == 'k8s'", r.Source.Selector);
                Assert.Equal("all()", r.Source.NamespaceSelector);
            });
    }

    [Fact]
    public void ToCalicoPolicy_PortsGroupedPerProtocolAndMerged()
    {
        var np = KubernetesConversion.ToCalicoPolicy(Decode("""
              podSelector: {}
              ingress:
              - ports:
                - {port: 80}
                - {port: 81}
                - {protocol: UDP, port: 53}
                - {port: http}
                - {port: 8000, endPort: 8080}
            """));

        Assert.Collection(np.Spec.Ingress!,
            r =>
            {
                Assert.Equal("TCP", r.Protocol!.ToString());
                Assert.Equal(["http", "80:81", "8000:8080"], r.Destination.Ports!.Select(p => p.ToString()));
            },
            r =>
            {
                Assert.Equal("UDP", r.Protocol!.ToString());
                Assert.Equal(["53"], r.Destination.Ports!.Select(p => p.ToString()));
            });
    }

    [Fact]
    public void ToCalicoPolicy_EgressWithPeerAndPorts_DestinationCarriesBoth()
    {
        var np = KubernetesConversion.ToCalicoPolicy(Decode("""
              podSelector: {matchLabels: {app: web}}
              policyTypes: [Egress]
              egress:
              - to:
                - podSelector: {matchLabels: {app: db}}
                ports:
                - {protocol: TCP, port: 5432}
            """));

        var rule = Assert.Single(np.Spec.Egress!);
        Assert.Equal(["Egress"], np.Spec.Types!);
        Assert.Equal("projectcalico.org/orchestrator == 'k8s' && app == 'db'", rule.Destination.Selector);
        Assert.Null(rule.Destination.NamespaceSelector);
        Assert.Equal("5432", Assert.Single(rule.Destination.Ports!).ToString());
        Assert.True(rule.Source.IsZero);
    }

    [Fact]
    public void ToCalicoPolicy_EmptyRule_AllowsEverything()
    {
        var np = KubernetesConversion.ToCalicoPolicy(Decode("  podSelector: {}\n  ingress:\n  - {}\n"));

        var rule = Assert.Single(np.Spec.Ingress!);
        Assert.Null(rule.Protocol);
        Assert.True(rule.Source.IsZero);
        Assert.True(rule.Destination.IsZero);
        ResourceValidator.Validate(np);
    }

    [Fact]
    public void ToProfile_Namespace_AllowAllAndPrefixedLabels()
    {
        var ns = new KubernetesNamespace { Metadata = { Name = "web", Labels = new() { ["team"] = "a" } } };

        var profile = KubernetesConversion.ToProfile(ns);

        Assert.Equal("kns.web", profile.Metadata.Name);
        Assert.Equal("Allow", Assert.Single(profile.Spec.Ingress!).Action);
        Assert.Equal("Allow", Assert.Single(profile.Spec.Egress!).Action);
        Assert.Equal(new Dictionary<string, string> { ["pcns.team"] = "a", ["pcns.projectcalico.org/name"] = "web" }, profile.Spec.LabelsToApply);
    }
}
