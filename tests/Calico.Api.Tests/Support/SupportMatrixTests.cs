using Calico.Api;
using Calico.Api.Support;

namespace Calico.Api.Tests.Support;

[Trait("Tier", "Unit")]
public sealed class SupportMatrixTests
{
    [Fact]
    public void SupportMatrix_EveryModelField_HasARow()
    {
        var missing = new List<string>();
        foreach (var (kind, path, leaf) in ModelPaths.All())
        {
            if (leaf && SupportMatrix.Covering(SupportMatrix.KindKey(kind), path) is null)
            {
                missing.Add($"{SupportMatrix.KindKey(kind)} {path}");
            }
        }

        Assert.True(missing.Count == 0, "fields without a row in SupportMatrix.Rows.cs:\n" + string.Join("\n", missing.Distinct()));
    }

    [Fact]
    public void SupportMatrix_EveryRow_NamesAFieldOfTheModel()
    {
        var paths = ModelPaths.All().Select(p => SupportMatrix.KindKey(p.Kind) + " " + p.Path).ToHashSet(StringComparer.Ordinal);
        var kinds = ModelPaths.All().Select(p => SupportMatrix.KindKey(p.Kind)).ToHashSet(StringComparer.Ordinal);
        var stale = SupportMatrix.All
            .Where(r => r.IsKindLevel ? !kinds.Contains(r.Kind) : !paths.Contains(r.Kind + " " + r.Path))
            .Select(r => r.Kind + " " + r.Path)
            .ToList();
        Assert.True(stale.Count == 0, "rows naming no model field:\n" + string.Join("\n", stale));
    }

    [Fact]
    public void SupportMatrix_RefusedRows_SayWhatToUseInstead()
    {
        Assert.All(SupportMatrix.All.Where(r => r.Status == SupportStatus.Refused), r => Assert.False(string.IsNullOrEmpty(r.Instead), r.Kind + " " + r.Path));
        Assert.All(SupportMatrix.All, r => Assert.False(string.IsNullOrWhiteSpace(r.Why), r.Kind + " " + r.Path));
    }

    [Fact]
    public void SupportMatrix_CheckedInDocument_IsTheGeneratedOne()
    {
        var path = Path.Combine(RepoRoot(), "docs", "support-matrix.md");
        var generated = SupportMatrixDocument.Markdown();
        if (Environment.GetEnvironmentVariable("UPDATE_SUPPORT_MATRIX") == "1")
        {
            File.WriteAllText(path, generated);
        }

        Assert.True(File.Exists(path), path + " is missing: run with UPDATE_SUPPORT_MATRIX=1");
        Assert.True(File.ReadAllText(path) == generated,
            "docs/support-matrix.md differs from SupportMatrix.Rows.cs: refresh with UPDATE_SUPPORT_MATRIX=1 dotnet test tests/Calico.Api.Tests --filter SupportMatrix");
    }

    [Theory]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {wireguardEnabled: true}", "spec.wireguardEnabled", "true")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {disableConntrackInvalidCheck: true}", "spec.disableConntrackInvalidCheck", "true")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: p, namespace: ns1}\nspec: {ingress: [{action: Allow, http: {methods: [GET]}}]}", "spec.ingress[].http", "{\"methods\":[\"GET\"]}")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec: {egress: [{action: Allow, destination: {services: {name: s, namespace: n}}}]}", "spec.egress[].destination.services", "{\"name\":\"s\",\"namespace\":\"n\"}")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\nmetadata: {name: n1-k8s-p-eth0, namespace: ns1}\nspec: {node: n1, orchestrator: k8s, pod: p, endpoint: eth0, qosControls: {ingressBandwidth: 1000}}", "spec.qosControls", "{\"ingressBandwidth\":1000}")]
    public void Check_RefusedSetting_IsFoundWithPathAndValue(string yaml, string path, string value)
    {
        var findings = SupportMatrix.Check(ResourceCodec.Decode(yaml).Single());
        var refused = Assert.Single(findings, f => f.Status == SupportStatus.Refused && f.Path == path);
        Assert.Equal(value, refused.Value);
    }

    [Theory]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {bpfEnabled: false, wireguardEnabled: false, natOutgoingExclusions: IPPoolsOnly, useInternalDataplaneDriver: true, floatingIPs: Disabled}")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec: {selector: all(), preDNAT: false, doNotTrack: false, applyOnForward: false, ingress: [{action: Allow}]}")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.0.0.0/16, ipipMode: Never, vxlanMode: Always, natOutgoing: true}")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.0.0.0/16, ipipMode: Always, natOutgoing: true}")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.0.0.0/16, ipipMode: CrossSubnet}")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {ipipEnabled: true, ipipMTU: 1440, externalNodesList: [198.51.100.0/24]}")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata: {name: default}\nspec: {bindMode: None, serviceLoadBalancerAggregation: Enabled, nodeToNodeMeshEnabled: true, asNumber: 64512, serviceClusterIPs: []}")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {name: h}\nspec: {node: n1, interfaceName: eth0, expectedIPs: [10.0.0.1]}")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {name: h}\nspec: {node: n1, expectedIPs: [10.0.0.1]}")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {name: h}\nspec: {node: n1, interfaceName: '*'}")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec: {selector: all(), preDNAT: true, applyOnForward: true, ingress: [{action: Allow}]}")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec: {selector: all(), doNotTrack: true, applyOnForward: true, ingress: [{action: Allow}]}")]
    public void Check_ExplicitDefaults_FindNothing(string yaml)
    {
        Assert.Empty(SupportMatrix.Check(ResourceCodec.Decode(yaml).Single()));
    }

    [Fact]
    public void Check_IgnoredSetting_IsAWarningWithUpstreamsShape()
    {
        var findings = SupportMatrix.Check(ResourceCodec.Decode(
            "apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {iptablesRefreshInterval: 30s, chainInsertMode: Append}").Single());
        var finding = Assert.Single(findings);
        Assert.Equal(SupportStatus.Ignored, finding.Status);
        Assert.StartsWith("Warning: FelixConfiguration \"default\": spec.chainInsertMode = 'Append' is ignored (", finding.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_KubeControllersConfiguration_ActingFieldsClean_KubernetesOnlyControllerWarned()
    {
        // calico-kube-controllers acts on the node controller and compaction; the controllers that read Kubernetes do not run.
        Assert.Empty(SupportMatrix.Check(ResourceCodec.Decode(
            "apiVersion: projectcalico.org/v3\nkind: KubeControllersConfiguration\nmetadata: {name: default}\nspec: {etcdV3CompactionPeriod: 10m, controllers: {node: {leakGracePeriod: 5m}}}").Single()));
        var finding = Assert.Single(SupportMatrix.Check(ResourceCodec.Decode(
            "apiVersion: projectcalico.org/v3\nkind: KubeControllersConfiguration\nmetadata: {name: default}\nspec: {controllers: {policy: {reconcilerPeriod: 5m}}}").Single()));
        Assert.Equal(SupportStatus.Ignored, finding.Status);
        Assert.Contains("spec.controllers.policy", finding.Warning, StringComparison.Ordinal);
        Assert.Contains("Kubernetes", finding.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RefusedFinding_ReadsAsAValidationError()
    {
        var finding = SupportMatrix.Check(ResourceCodec.Decode(
            "apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: wg-1}\nspec: {wireguardEnabled: true}").Single()).Single();
        var message = new ValidationException([finding.ToFieldError()]).Message;
        Assert.StartsWith("error with field spec.wireguardEnabled = 'true' (FelixConfiguration \"wg-1\": not supported: ", message, StringComparison.Ordinal);
        Assert.Contains("use an encrypted underlay (IPsec, a VPN) outside Calico instead", message, StringComparison.Ordinal);
        Assert.Equal("FelixConfiguration \"wg-1\" sets wireguardEnabled", finding.Summary);
        Assert.True(finding.Entry.BlocksReadiness);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Calico.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Calico.sln not found above " + AppContext.BaseDirectory);
    }
}
