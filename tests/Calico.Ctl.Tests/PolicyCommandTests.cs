using Calico.Datastore;
using Calico.TestKit;

namespace Calico.Ctl.Tests;

/// <summary><c>calicoctl policy explain</c> and <c>policy simulate</c>, run in-process against one datastore.</summary>
public abstract class PolicyCommandTests : IDisposable
{
    private const string World = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: x
          labels: {kubernetes.io/metadata.name: x}
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: other
          labels: {kubernetes.io/metadata.name: other}
        ---
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata:
          name: host1-k8s-a-eth0
          namespace: x
          labels: {pod: a}
        spec:
          orchestrator: k8s
          node: host1
          pod: a
          endpoint: eth0
          interfaceName: cali0000000001
          ipNetworks: [10.244.0.2/32]
          profiles: [kns.x]
          ports:
          - {name: serve-80-tcp, protocol: TCP, port: 80}
        ---
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata:
          name: host2-k8s-web--1-eth0
          namespace: other
          labels: {pod: web-1}
        spec:
          orchestrator: k8s
          node: host2
          pod: web-1
          endpoint: eth0
          interfaceName: cali0000000002
          ipNetworks: [10.244.0.3/32]
          profiles: [kns.other]
          ports:
          - {name: serve-80-tcp, protocol: TCP, port: 80}
        """;

    private const string DenyIngressToA = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: isolate-a
          namespace: x
        spec:
          podSelector:
            matchLabels: {pod: a}
        """;

    private const string AllowFromOther = """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata:
          name: from-other
          namespace: x
        spec:
          order: 10
          selector: pod == 'a'
          types: [Ingress]
          ingress:
          - action: Deny
            protocol: UDP
          - action: Allow
            protocol: TCP
            source:
              namespaceSelector: kubernetes.io/metadata.name == 'other'
        """;

    private const string StagedBlockOther = """
        apiVersion: projectcalico.org/v3
        kind: StagedNetworkPolicy
        metadata:
          name: block-other
          namespace: x
        spec:
          order: 1
          selector: pod == 'a'
          types: [Ingress]
          ingress:
          - action: Deny
            source:
              namespaceSelector: kubernetes.io/metadata.name == 'other'
        """;

    private const string StagedDeleteFromOther = """
        apiVersion: projectcalico.org/v3
        kind: StagedNetworkPolicy
        metadata:
          name: from-other
          namespace: x
        spec:
          stagedAction: Delete
        """;

    private readonly TempDirectory _files = new("policy-cmd");

    protected abstract CtlRunner Ctl { get; }

    protected virtual void Cleanup()
    {
    }

    public void Dispose()
    {
        Cleanup();
        _files.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task SetUpAsync(params string[] extra)
    {
        var applied = await Ctl.RunAsync("apply -f -", string.Join("\n---\n", [World, .. extra]));
        Assert.True(applied.ExitCode == 0, applied.ToString());
    }

    [Fact]
    public async Task Explain_NoPolicy_AllowedByProfiles()
    {
        await SetUpAsync();
        var r = await Ctl.RunAsync("policy explain --from other/web-1 --to x/a --protocol TCP --port 80");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Egress at other/web-1 (10.244.0.3) (endpoint other/host2-k8s-web--1-eth0): ALLOW", r.Out, StringComparison.Ordinal);
        Assert.Contains("decided by: profile kns.x rule 0: Allow", r.Out, StringComparison.Ordinal);
        Assert.EndsWith("ALLOWED\n", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_KubernetesPolicySelects_DeniedAtEndOfTier()
    {
        await SetUpAsync(DenyIngressToA);
        var r = await Ctl.RunAsync("policy explain --from other/web-1 --to x/a --protocol tcp --port 80");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Ingress at x/a (10.244.0.2) (endpoint x/host1-k8s-a-eth0): DENY", r.Out, StringComparison.Ordinal);
        Assert.Contains("decided by: end of tier default: default action Deny (no rule matched in default/x/knp.default.isolate-a)", r.Out, StringComparison.Ordinal);
        Assert.EndsWith("DENIED\n", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_RuleDecides_NamesTierPolicyAndRuleIndex()
    {
        await SetUpAsync(DenyIngressToA, AllowFromOther);
        var tcp = await Ctl.RunAsync("policy explain --from 10.244.0.3 --to x/a --protocol TCP --port 80");
        Assert.True(tcp.ExitCode == 0, tcp.ToString());
        Assert.Contains("decided by: tier default policy default/x/from-other rule 1: Allow", tcp.Out, StringComparison.Ordinal);
        Assert.EndsWith("ALLOWED\n", tcp.Out, StringComparison.Ordinal);

        var udp = await Ctl.RunAsync("policy explain --from other/web-1 --to 10.244.0.2 --protocol UDP --port 53");
        Assert.True(udp.ExitCode == 0, udp.ToString());
        Assert.Contains("decided by: tier default policy default/x/from-other rule 0: Deny", udp.Out, StringComparison.Ordinal);
        Assert.EndsWith("DENIED\n", udp.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_AddressOutsideTheCluster_OnlyOneSideFilters()
    {
        await SetUpAsync(DenyIngressToA);
        var r = await Ctl.RunAsync("policy explain --from 192.0.2.1 --to x/a --port 80");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Egress at source 192.0.2.1: not a workload endpoint, not filtered", r.Out, StringComparison.Ordinal);
        Assert.EndsWith("DENIED\n", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_StagedDeny_StillAllowed_PendingDeniedByTheStagedPolicy()
    {
        await SetUpAsync(AllowFromOther, StagedBlockOther);
        var r = await Ctl.RunAsync("policy explain --from other/web-1 --to x/a --protocol TCP --port 80");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("  decided by: tier default policy default/x/from-other rule 1: Allow\nALLOWED\nPending (with staged policies; not enforced):\n", r.Out, StringComparison.Ordinal);
        Assert.Contains("  Ingress at x/a (10.244.0.2): DENY\n    decided by: tier default StagedNetworkPolicy x/block-other rule 0: Deny\n", r.Out, StringComparison.Ordinal);
        Assert.EndsWith("PENDING: DENIED\n", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_StagedDelete_PendingEndOfTierDenyTriggeredByTheRemainingPolicy()
    {
        await SetUpAsync(DenyIngressToA, AllowFromOther, StagedDeleteFromOther);
        var r = await Ctl.RunAsync("policy explain --from other/web-1 --to x/a --protocol TCP --port 80");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("\nALLOWED\nPending (with staged policies; not enforced):\n", r.Out, StringComparison.Ordinal);
        Assert.Contains("    decided by: end of tier default: Deny (no rule matched; first policy KubernetesNetworkPolicy x/isolate-a)\n", r.Out, StringComparison.Ordinal);
        Assert.EndsWith("PENDING: DENIED\n", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_StagedPolicyNotSelectingTheFlow_OutputUnchanged()
    {
        await SetUpAsync(AllowFromOther);
        var before = await Ctl.RunAsync("policy explain --from other/web-1 --to x/a --protocol TCP --port 80");
        var applied = await Ctl.RunAsync("apply -f -", StagedBlockOther.Replace("pod == 'a'", "pod == 'nobody'", StringComparison.Ordinal));
        Assert.True(applied.ExitCode == 0, applied.ToString());
        var after = await Ctl.RunAsync("policy explain --from other/web-1 --to x/a --protocol TCP --port 80");
        Assert.Equal(before.Out, after.Out);
        Assert.DoesNotContain("Pending", after.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_StagedPolicyProposed_NoEnforcedChange_PendingChangeNamed()
    {
        await SetUpAsync();
        var r = await Ctl.RunAsync("policy simulate -f -", StagedBlockOther);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("No flow changes.\n\nPending, with staged policies (not enforced):\nTCP/80 pending (* differs from enforced):\n", r.Out, StringComparison.Ordinal);
        Assert.Contains("1 flow(s) would change if the staged policies were enforced:\n  other/web-1 -> x/a TCP/80: allowed -> denied (ingress: tier default StagedNetworkPolicy x/block-other rule 0: Deny)\n", r.Out, StringComparison.Ordinal);
        var stored = await Ctl.RunAsync("get stagednetworkpolicy -A -o yaml");
        Assert.DoesNotContain("block-other", stored.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("policy explain --from x/nobody --to x/a --port 80", "workload x/nobody not found")]
    [InlineData("policy explain --from x/a --to other/web-1 --protocol TCPX --port 80", "invalid protocol 'TCPX'")]
    [InlineData("policy explain --from x/a --to other/web-1 --protocol TCP --port 70000", "invalid port '70000'")]
    [InlineData("policy explain --from x/a --to other/web-1 --protocol TCP --port http", "invalid port 'http'")]
    [InlineData("policy explain --from x/a --to other/web-1 --protocol TCP", "--port is required for TCP")]
    [InlineData("policy explain --from nonsense --to other/web-1 --port 80", "invalid --from 'nonsense'")]
    public async Task Explain_BadInput_Exit1WithMessage(string commandLine, string message)
    {
        await SetUpAsync();
        var r = await Ctl.RunAsync(commandLine);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_ProposedPolicy_ShowsChangedFlows_AndWritesNothing()
    {
        await SetUpAsync();
        var proposed = _files.File("proposed.yaml");
        await File.WriteAllTextAsync(proposed, DenyIngressToA);
        var r = await Ctl.RunAsync("policy simulate -f " + proposed);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("TCP/80 before", r.Out, StringComparison.Ordinal);
        Assert.Contains("TCP/80 after", r.Out, StringComparison.Ordinal);
        Assert.Contains("1 flow(s) change:\n  other/web-1 -> x/a TCP/80: allowed -> denied (ingress: end of tier default: default action Deny (no rule matched in default/x/knp.default.isolate-a))\n", r.Out, StringComparison.Ordinal);

        var stored = await Ctl.RunAsync("get networkpolicy -A -o yaml");
        Assert.DoesNotContain("isolate-a", stored.Out, StringComparison.Ordinal);
        var k8s = await Ctl.RunAsync("get networkpolicy.networking.k8s.io -A -o yaml");
        Assert.DoesNotContain("isolate-a", k8s.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_ReplacingAnExistingPolicy_UsesApplySemantics()
    {
        await SetUpAsync(DenyIngressToA, AllowFromOther);
        var r = await Ctl.RunAsync("policy simulate -f -", AllowFromOther.Replace("action: Allow", "action: Deny", StringComparison.Ordinal));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("other/web-1 -> x/a TCP/80: allowed -> denied (ingress: tier default policy default/x/from-other rule 1: Deny)", r.Out, StringComparison.Ordinal);
        var explain = await Ctl.RunAsync("policy explain --from other/web-1 --to x/a --port 80");
        Assert.EndsWith("ALLOWED\n", explain.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_InvalidProposal_Exit1WithValidationMessage()
    {
        await SetUpAsync();
        var r = await Ctl.RunAsync("policy simulate -f -", AllowFromOther.Replace("selector: pod == 'a'", "selector: pod ==", StringComparison.Ordinal));
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("NetworkPolicy(x/from-other): error with field", r.Err, StringComparison.Ordinal);
        var stored = await Ctl.RunAsync("get networkpolicy -A -o yaml");
        Assert.DoesNotContain("from-other", stored.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_NoPortsExposed_SaysSo()
    {
        await SetUpAsync();
        await Ctl.RunAsync("patch workloadendpoint host1-k8s-a-eth0 -n x -p {\"spec\":{\"ports\":null}}");
        await Ctl.RunAsync("patch workloadendpoint host2-k8s-web--1-eth0 -n other -p {\"spec\":{\"ports\":null}}");
        var r = await Ctl.RunAsync("policy simulate -f -", DenyIngressToA);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("exposes a named port", r.Out, StringComparison.Ordinal);
    }
}

[Trait("Tier", "Unit")]
public sealed class EmbeddedPolicyCommandTests : PolicyCommandTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("calicoctl-policy-").FullName;

    public EmbeddedPolicyCommandTests()
    {
        Ctl = CtlBackends.Embedded(_dir);
    }

    protected override CtlRunner Ctl { get; }

    protected override void Cleanup() => Directory.Delete(_dir, recursive: true);
}

[Trait("Tier", "Root")]
public sealed class EtcdPolicyCommandTests : PolicyCommandTests, IClassFixture<EtcdFixture>
{
    public EtcdPolicyCommandTests(EtcdFixture etcd)
    {
        Ctl = CtlBackends.EmptiedEtcd(etcd);
    }

    protected override CtlRunner Ctl { get; }
}
