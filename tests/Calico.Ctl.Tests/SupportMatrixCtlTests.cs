namespace Calico.Ctl.Tests;

/// <summary>
/// calicoctl and the support matrix (docs/support-matrix.md): refused settings are refused with the field path, value
/// and reason and nothing is written; ignored ones are written with one warning line per field; explicit defaults
/// (an upstream export) apply silently. Embedded store, in-process.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class SupportMatrixCtlTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("calicoctl-support-").FullName;
    private readonly CtlRunner _ctl;

    public SupportMatrixCtlTests() => _ctl = CtlBackends.Embedded(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("apply", "FelixConfiguration", "default", "", "spec:\n  wireguardEnabled: true\n", "spec.wireguardEnabled = 'true'", "WireGuard encryption is not implemented")]
    [InlineData("apply", "FelixConfiguration", "default", "", "spec:\n  bpfAttachType: TCX\n", "spec.bpfAttachType = 'TCX'", "programs attach as tc (clsact) filters")]
    [InlineData("apply", "FelixConfiguration", "default", "", "spec:\n  disableConntrackInvalidCheck: true\n", "spec.disableConntrackInvalidCheck = 'true'", "conntrack state invalid are always dropped")]
    [InlineData("apply", "NetworkPolicy", "svc", "ns1", "spec:\n  selector: all()\n  egress:\n  - action: Allow\n    destination:\n      services: {name: kube-dns, namespace: kube-system}\n", "spec.egress[].destination.services", "never matches")]
    [InlineData("create", "NetworkPolicy", "http", "ns1", "spec:\n  selector: all()\n  ingress:\n  - action: Allow\n    http: {methods: [GET]}\n", "spec.ingress[].http", "application-layer proxy")]
    [InlineData("apply", "IPPool", "ns-pool", "", "spec:\n  cidr: 10.71.0.0/16\n  allowedUses: [Workload]\n  namespaceSelector: team == 'a'\n", "spec.namespaceSelector", "does not filter pools by namespace")]
    public async Task Modify_RefusedSetting_FailsWithPathValueAndReasonAndWritesNothing(
        string action, string kind, string name, string ns, string spec, string field, string reason)
    {
        var meta = ns.Length > 0 ? $"  name: {name}\n  namespace: {ns}\n" : $"  name: {name}\n";
        var r = await _ctl.RunAsync(action + " -f -", $"apiVersion: projectcalico.org/v3\nkind: {kind}\nmetadata:\n{meta}{spec}");

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.True(r.Err.Contains(field, StringComparison.Ordinal), r.Err);
        Assert.Contains("error with", r.Err, StringComparison.Ordinal);
        Assert.Contains(field, r.Err, StringComparison.Ordinal);
        Assert.Contains($"{kind} \"{(ns.Length > 0 ? ns + "/" : "")}{name}\": not supported: ", r.Err, StringComparison.Ordinal);
        Assert.Contains(reason, r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Successfully", r.Out, StringComparison.Ordinal);
        var get = await _ctl.RunAsync($"get {kind} {name}" + (ns.Length > 0 ? " -n " + ns : ""));
        Assert.True(get.ExitCode == 1, "written anyway: " + get);
    }

    [Fact]
    public async Task Apply_IgnoredSettings_WritesAndWarnsOncePerField()
    {
        var r = await _ctl.RunAsync("apply -f -", """
            apiVersion: projectcalico.org/v3
            kind: FelixConfiguration
            metadata:
              name: default
            spec:
              chainInsertMode: Append
              bpfLogLevel: Debug
              logSeverityScreen: Info
            """);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("Successfully applied 1 'FelixConfiguration' resource(s)\n", r.Out);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("Warning: FelixConfiguration \"default\": spec.chainInsertMode = 'Append' is ignored (", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Warning: FelixConfiguration \"default\": spec.bpfLogLevel = 'Debug' is ignored (tuning of a part of upstream's eBPF dataplane", lines[1], StringComparison.Ordinal);
        Assert.Contains("chainInsertMode: Append", (await _ctl.RunAsync("get felixconfiguration default -o yaml")).Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Always")]
    [InlineData("CrossSubnet")]
    public async Task Apply_IpipPool_IsAcceptedWithoutWarning(string mode)
    {
        var r = await _ctl.RunAsync("apply -f -", $"apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: ipip\nspec:\n  cidr: 10.70.0.0/16\n  ipipMode: {mode}\n");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(string.Empty, r.Err);
        Assert.Contains("ipipMode: " + mode, (await _ctl.RunAsync("get ippool ipip -o yaml")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_KubeControllersConfiguration_ActingFieldSilent_KubernetesOnlyControllerWarns()
    {
        // calico-kube-controllers acts on etcdV3CompactionPeriod; the policy controller needs a Kubernetes API server.
        var acting = await _ctl.RunAsync("apply -f -", "apiVersion: projectcalico.org/v3\nkind: KubeControllersConfiguration\nmetadata:\n  name: default\nspec:\n  etcdV3CompactionPeriod: 10m\n");
        Assert.True(acting.ExitCode == 0, acting.ToString());
        Assert.Equal(string.Empty, acting.Err);

        var r = await _ctl.RunAsync("apply -f -", "apiVersion: projectcalico.org/v3\nkind: KubeControllersConfiguration\nmetadata:\n  name: default\nspec:\n  controllers:\n    policy:\n      reconcilerPeriod: 5m\n");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("Warning: KubeControllersConfiguration \"default\": spec.controllers.policy", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_RefusedSetting_IsRefusedAndTheResourceIsUnchanged()
    {
        Assert.Equal(0, (await _ctl.RunAsync("apply -f -", "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: p\nspec:\n  selector: all()\n")).ExitCode);
        var r = await _ctl.RunAsync("patch globalnetworkpolicy p -p '{\"spec\":{\"ingress\":[{\"action\":\"Allow\",\"http\":{\"methods\":[\"GET\"]}}]}}'");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("spec.ingress[].http", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("methods", (await _ctl.RunAsync("get globalnetworkpolicy p -o yaml")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_IgnoredSetting_WritesAndWarns()
    {
        Assert.Equal(0, (await _ctl.RunAsync("apply -f -", "apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata:\n  name: default\nspec: {}\n")).ExitCode);
        var r = await _ctl.RunAsync("patch felixconfiguration default -p '{\"spec\":{\"iptablesBackend\":\"Legacy\"}}'");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("Warning: FelixConfiguration \"default\": spec.iptablesBackend = 'Legacy' is ignored (", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_MultiDocument_ContinuesPastTheRefusedResource()
    {
        var r = await _ctl.RunAsync("apply -f -", """
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: ok-1
            spec:
              selector: all()
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: http-1
            spec:
              selector: all()
              ingress:
              - action: Allow
                http: {methods: [GET]}
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: ok-2
            spec:
              selector: all()
            """);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("spec.ingress[].http", r.Err, StringComparison.Ordinal);
        Assert.Equal(0, (await _ctl.RunAsync("get globalnetworkpolicy ok-1")).ExitCode);
        Assert.Equal(0, (await _ctl.RunAsync("get globalnetworkpolicy ok-2")).ExitCode);
        Assert.Equal(1, (await _ctl.RunAsync("get globalnetworkpolicy http-1")).ExitCode);
    }

    /// <summary>What <c>calicoctl get -o yaml --export</c> on an upstream cluster prints: explicit defaults everywhere.</summary>
    [Fact]
    public async Task Apply_UpstreamExportWithExplicitDefaults_AppliesSilently()
    {
        var r = await _ctl.RunAsync("apply -f -", """
            apiVersion: projectcalico.org/v3
            kind: FelixConfiguration
            metadata:
              name: default
            spec:
              bpfEnabled: false
              bpfLogLevel: ""
              floatingIPs: Disabled
              logSeverityScreen: Info
              reportingInterval: 0s
              wireguardEnabled: false
              wireguardEnabledV6: false
              natOutgoingExclusions: IPPoolsOnly
              useInternalDataplaneDriver: true
              healthEnabled: true
            ---
            apiVersion: projectcalico.org/v3
            kind: BGPConfiguration
            metadata:
              name: default
            spec:
              asNumber: 64512
              bindMode: None
              logSeverityScreen: ""
              nodeToNodeMeshEnabled: true
              serviceLoadBalancerAggregation: Enabled
            ---
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: default-ipv4-ippool
            spec:
              allowedUses:
              - Workload
              - Tunnel
              blockSize: 26
              cidr: 10.72.0.0/16
              ipipMode: Never
              natOutgoing: true
              nodeSelector: all()
              vxlanMode: CrossSubnet
            ---
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: default.allow-dns
            spec:
              applyOnForward: false
              doNotTrack: false
              preDNAT: false
              selector: all()
              types:
              - Egress
              egress:
              - action: Allow
                protocol: UDP
                destination:
                  ports: [53]
            ---
            apiVersion: projectcalico.org/v3
            kind: HostEndpoint
            metadata:
              name: n1-eth0
            spec:
              node: n1
              interfaceName: eth0
              expectedIPs:
              - 10.0.0.1
            """);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(r.Err.Length == 0, r.Err);
        Assert.Equal("Successfully applied 5 resource(s)\n", r.Out);
    }
}
