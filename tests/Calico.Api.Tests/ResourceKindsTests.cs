namespace Calico.Api.Tests;

[Trait("Tier", "Unit")]
public sealed class ResourceKindsTests
{
    [Theory]
    [InlineData("ippool", "IPPool")]
    [InlineData("IPPools", "IPPool")]
    [InlineData("ipp", "IPPool")]
    [InlineData("pools", "IPPool")]
    [InlineData("policy", "NetworkPolicy")]
    [InlineData("np", "NetworkPolicy")]
    [InlineData("pol", "NetworkPolicy")]
    [InlineData("gnp", "GlobalNetworkPolicy")]
    [InlineData("wep", "WorkloadEndpoint")]
    [InlineData("hep", "HostEndpoint")]
    [InlineData("bgpp", "BGPPeer")]
    [InlineData("bp", "BGPPeer")]
    [InlineData("no", "Node")]
    [InlineData("pro", "Profile")]
    [InlineData("gnetsets", "GlobalNetworkSet")]
    [InlineData("netsets", "NetworkSet")]
    [InlineData("felixconfig", "FelixConfiguration")]
    [InlineData("bgpconfig", "BGPConfiguration")]
    [InlineData("clusterinfo", "ClusterInformation")]
    [InlineData("reservation", "IPReservation")]
    [InlineData("ipamconfig", "IPAMConfiguration")]
    [InlineData("kubecontrollersconfiguration", "KubeControllersConfiguration")]
    [InlineData("tiers", "Tier")]
    public void TryResolve_AliasOrPlural_FindsCalicoKind(string typed, string kind)
    {
        Assert.True(ResourceKinds.TryResolve(typed, out var k));
        Assert.Equal(kind, k.Kind);
        Assert.Equal("projectcalico.org/v3", k.ApiVersion);
    }

    [Theory]
    [InlineData("networkpolicy.networking.k8s.io")]
    [InlineData("networkpolicies.networking.k8s.io")]
    [InlineData("k8snetworkpolicy")]
    public void TryResolve_KubernetesPolicyNames_FindsKubernetesKind(string typed)
    {
        Assert.True(ResourceKinds.TryResolve(typed, out var k));
        Assert.Same(ResourceKinds.KubernetesNetworkPolicy, k);
    }

    [Theory]
    [InlineData("namespace")]
    [InlineData("namespaces")]
    [InlineData("ns")]
    public void TryResolve_NamespaceNames_FindsNamespaceKind(string typed)
    {
        Assert.True(ResourceKinds.TryResolve(typed, out var k));
        Assert.Same(ResourceKinds.KubernetesNamespace, k);
    }

    [Fact]
    public void TryResolve_Unknown_ReturnsFalse() => Assert.False(ResourceKinds.TryResolve("somekind", out _));

    [Fact]
    public void ClusterInformation_IsReadOnlyAndOthersNot()
    {
        Assert.Single(ResourceKinds.All, k => k.ReadOnly);
        Assert.True(ResourceKinds.ClusterInformation.ReadOnly);
    }

    [Fact]
    public void Of_EveryKind_RoundTripsThroughApiVersionKind()
    {
        foreach (var kind in ResourceKinds.All)
        {
            var sample = ResourceCodec.FromStorageJson(kind, "{}"u8);
            Assert.Same(kind, ResourceKinds.Of(sample));
            Assert.True(ResourceKinds.TryFromApiVersionKind(kind.ApiVersion, kind.Kind, out var found));
            Assert.Same(kind, found);
        }
    }

    [Fact]
    public void Namespaced_MatchesUpstreamScope()
    {
        var namespaced = ResourceKinds.All.Where(k => k.Namespaced).Select(k => k.Kind + "/" + k.ApiVersion).Order(StringComparer.Ordinal);

        Assert.Equal(["NetworkPolicy/networking.k8s.io/v1", "NetworkPolicy/projectcalico.org/v3", "NetworkSet/projectcalico.org/v3",
            "StagedKubernetesNetworkPolicy/projectcalico.org/v3", "StagedNetworkPolicy/projectcalico.org/v3", "WorkloadEndpoint/projectcalico.org/v3"], namespaced);
    }

    [Theory]
    [InlineData("bf", "BGPFilter", "bgpfilters")]
    [InlineData("bgpfs", "BGPFilter", "bgpfilters")]
    [InlineData("nodestatus", "CalicoNodeStatus", "caliconodestatuses")]
    [InlineData("caliconodestatuses", "CalicoNodeStatus", "caliconodestatuses")]
    [InlineData("snp", "StagedNetworkPolicy", "stagednetworkpolicies")]
    [InlineData("spols", "StagedNetworkPolicy", "stagednetworkpolicies")]
    [InlineData("sgnp", "StagedGlobalNetworkPolicy", "stagedglobalnetworkpolicies")]
    [InlineData("sknp", "StagedKubernetesNetworkPolicy", "stagedkubernetesnetworkpolicies")]
    [InlineData("stagedkubernetespolicy", "StagedKubernetesNetworkPolicy", "stagedkubernetesnetworkpolicies")]
    public void TryResolve_AddedKindAlias_FindsKindWithUpstreamPlural(string alias, string kind, string plural)
    {
        Assert.True(ResourceKinds.TryResolve(alias, out var found));
        Assert.Equal(kind, found.Kind);
        Assert.Equal(plural, found.Plural);
    }
}
