namespace Calico.Api.Tests;

[Trait("Tier", "Unit")]
public sealed class ResourceDefaultsTests
{
    [Theory]
    [InlineData("10.0.0.0/16", 26)]
    [InlineData("fd00::/48", 122)]
    public void Apply_IPPool_FillsUpstreamDefaults(string cidr, int blockSize)
    {
        var pool = new IPPool { Metadata = { Name = "p" }, Spec = { Cidr = cidr } };

        ResourceDefaults.Apply(pool);

        Assert.Equal(blockSize, pool.Spec.BlockSize);
        Assert.Equal("Never", pool.Spec.IpipMode);
        Assert.Equal("Never", pool.Spec.VxlanMode);
        Assert.Equal("all()", pool.Spec.NodeSelector);
        Assert.Equal(["Workload", "Tunnel"], pool.Spec.AllowedUses!);
        Assert.Equal("Automatic", pool.Spec.AssignmentMode);
    }

    [Theory]
    [InlineData("fd00:0:0:0::/64", "fd00::/64")]
    [InlineData("10.0.0.1/16", "10.0.0.1/16")]
    public void Apply_IPPoolCidr_CanonicalisedOnlyWhenMasked(string cidr, string expected)
    {
        var pool = new IPPool { Spec = { Cidr = cidr } };

        ResourceDefaults.Apply(pool);

        Assert.Equal(expected, pool.Spec.Cidr);
    }

    [Theory]
    [InlineData(false, false, "Ingress")]
    [InlineData(true, false, "Ingress")]
    [InlineData(false, true, "Egress")]
    [InlineData(true, true, "Ingress,Egress")]
    public void Apply_PolicyTypes_DefaultFromRules(bool ingress, bool egress, string expected)
    {
        var np = new NetworkPolicy { Metadata = { Name = "p", Namespace = "ns" } };
        if (ingress)
            np.Spec.Ingress = [new Rule { Action = "Allow" }];
        if (egress)
            np.Spec.Egress = [new Rule { Action = "Allow" }];

        ResourceDefaults.Apply(np);

        Assert.Equal(expected, string.Join(',', np.Spec.Types!));
        Assert.Equal("default", np.Spec.Tier);
        Assert.Equal("default", np.Metadata.Labels!["projectcalico.org/tier"]);
    }

    [Fact]
    public void Apply_GlobalPolicyInTier_LabelsTier()
    {
        var gnp = new GlobalNetworkPolicy { Metadata = { Name = "security.p" }, Spec = { Tier = "security" } };

        ResourceDefaults.Apply(gnp);

        Assert.Equal("security", gnp.Metadata.Labels!["projectcalico.org/tier"]);
    }

    [Fact]
    public void Apply_Tier_DefaultActionDeny()
    {
        var tier = new Tier { Metadata = { Name = "t" } };

        ResourceDefaults.Apply(tier);

        Assert.Equal("Deny", tier.Spec.DefaultAction);
    }

    [Fact]
    public void Apply_Namespace_AddsMetadataNameLabel()
    {
        var ns = new KubernetesNamespace { Metadata = { Name = "web" } };

        ResourceDefaults.Apply(ns);

        Assert.Equal("web", ns.Metadata.Labels!["kubernetes.io/metadata.name"]);
    }

    [Theory]
    [InlineData(false, "Ingress")]
    [InlineData(true, "Ingress,Egress")]
    public void Apply_KubernetesPolicyWithoutTypes_DerivesTypes(bool hasEgress, string expected)
    {
        var knp = new KubernetesNetworkPolicy { Metadata = { Name = "k", Namespace = "ns" } };
        if (hasEgress)
            knp.Spec.Egress = [new KubernetesNetworkPolicyEgressRule()];

        ResourceDefaults.Apply(knp);

        Assert.Equal(expected, string.Join(',', knp.Spec.PolicyTypes!));
    }

    [Fact]
    public void Apply_WorkloadEndpoint_ForcesNamespaceAndOrchestratorLabels()
    {
        var wep = new WorkloadEndpoint { Metadata = { Namespace = "ns1" }, Spec = { Orchestrator = "k8s" } };

        ResourceDefaults.Apply(wep);

        Assert.Equal("ns1", wep.Metadata.Labels!["projectcalico.org/namespace"]);
        Assert.Equal("k8s", wep.Metadata.Labels["projectcalico.org/orchestrator"]);
    }

    [Fact]
    public void Apply_Twice_IsIdempotent()
    {
        var pool = new IPPool { Metadata = { Name = "p" }, Spec = { Cidr = "10.0.0.0/16" } };
        ResourceDefaults.Apply(pool);
        var once = ResourceCodec.ToJson(pool);

        ResourceDefaults.Apply(pool);

        Assert.Equal(once, ResourceCodec.ToJson(pool));
    }
}
