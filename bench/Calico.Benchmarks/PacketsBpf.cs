using System.Diagnostics;
using System.Net;
using Calico.Felix.Bpf;
using Calico.Felix.Calc.Model;
using Calico.Felix.Dataplane.Bpf;
using Calico.Felix.Rules;
using Calico.Linux;
using Calico.Linux.Bpf;
using Calico.Linux.Netlink;
using Calico.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calico.Benchmarks;

/// <summary>
/// The eBPF workload dataplane of one <see cref="PacketsSubject"/>: calico-node's own <see cref="BpfWorkloadDataplane"/>
/// started in the subject's host namespace, its maps pinned on a bpffs this bench mounts under a temp directory (never
/// the machine's /sys/fs/bpf), the subject's state applied, then ~20 policy toggles timed. Dispose detaches the
/// programs, unpins, unmounts and removes the directory, whatever happened.
/// </summary>
internal sealed class PacketsBpf : IDisposable
{
    public const int Toggles = 20;

    /// <summary>
    /// DATAPLANE_PACKETS_TOGGLE=middle: toggle the middle decoy policy's rule (a rule inside the table's merged run,
    /// splitting it) rather than the first one's (at the run's start).
    /// </summary>
    private static readonly bool ToggleMiddlePolicy = Environment.GetEnvironmentVariable("DATAPLANE_PACKETS_TOGGLE") == "middle";

    private readonly string _hostPath;
    private readonly TempDirectory _dir = new("calico-bench-bpf");
    private readonly string _root;
    private bool _mounted;
    private RouteNetlink? _netlink;
    private BpfWorkloadDataplane? _dataplane;

    private PacketsBpf(string hostPath)
    {
        _hostPath = hostPath;
        _root = _dir.File("bpffs");
    }

    /// <summary>Start: object opened, maps created and pinned, programs through the verifier (not the compile).</summary>
    public TimeSpan StartTime { get; private set; }

    /// <summary>First apply: state compiled into map entries, every entry written, programs attached to the two veths.</summary>
    public BpfApplyResult? FirstApply { get; private set; }

    /// <summary>What was toggled ("policy default/bench-00000 rule 0" or "profile kns.bench").</summary>
    public string ToggledWhat { get; private set; } = "";

    /// <summary>Each toggle's whole apply (compile of what changed + diff + every write, clean-up included), ms.</summary>
    public List<double> ToggleMs { get; } = [];

    /// <summary>Map writes (updates + deletes) per toggle.</summary>
    public List<int> ToggleWrites { get; } = [];

    /// <summary>Each toggle's apply up to the endpoint flips (the new policy in force; clean-up deletes follow), ms.</summary>
    public List<double> ToggleEnforcedMs { get; } = [];

    /// <summary>Each toggle's compilation (cached: what changed only), ms.</summary>
    public List<double> ToggleCompileMs { get; } = [];

    /// <summary>Each toggle's plan diff and writes up to the flip, ms (with the compile: what "enforced" is made of, the rest is netlink).</summary>
    public List<double> ToggleDiffMs { get; } = [];

    public List<double> ToggleFlipWritesMs { get; } = [];

    public List<double> ToggleNetlinkMs { get; } = [];

    /// <summary>Map writes before the new policy is in force, per toggle.</summary>
    public List<int> ToggleWritesBeforeEnforced { get; } = [];

    /// <summary>
    /// The process's CPU time over each toggle's whole apply, ms (the bench is otherwise idle then: what the apply
    /// itself costs, steadier than wall time on a loaded machine).
    /// </summary>
    public List<double> ToggleCpuMs { get; } = [];

    /// <summary>Policies and profiles (per direction) compiled again, per toggle.</summary>
    public List<int> ToggleFragmentsCompiled { get; } = [];

    /// <summary>
    /// <see cref="BpfPolicyCompiler.Compile"/> of the whole state alone, with fresh id allocators, ms (5 runs): the
    /// part of each toggle's apply that does not depend on what changed.
    /// </summary>
    public List<double> CompileMs { get; } = [];

    /// <summary>The pods' pool, as calico-node gives it (no host endpoint here): the fast path out of a host may use it.</summary>
    private static readonly IReadOnlyDictionary<IPNetwork, bool> PodPools = new Dictionary<IPNetwork, bool> { [IPNetwork.Parse("10.65.0.0/16")] = true };

    public static bool IsWorkload(string name) => name.StartsWith("cali", StringComparison.Ordinal);

    /// <summary>The two hosts' uplink (<see cref="PacketsTopology"/>'s up0): the fast path in is attached there.</summary>
    public static bool IsUplink(string name) => name == "up0";

    /// <summary>Starts the dataplane in <paramref name="hostPath"/>, applies <paramref name="state"/>, then (with <paramref name="toggle"/>) toggles.</summary>
    public static async Task<PacketsBpf> StartAsync(string hostPath, string objectPath, DataplaneState state, CancellationToken cancellationToken, bool toggle = true)
    {
        var bpf = new PacketsBpf(hostPath);
        try
        {
            bpf._mounted = BpfFilesystem.EnsureMounted(bpf._root);
            bpf._netlink = await RouteNetlink.OpenInAsync(hostPath, cancellationToken);
            long started = Stopwatch.GetTimestamp();
            bpf._dataplane = await NetworkNamespace.RunInAsync(hostPath, () => BpfWorkloadDataplane.Start(bpf._root, objectPath, bpf._netlink, NullLogger.Instance), cancellationToken);
            bpf.StartTime = Stopwatch.GetElapsedTime(started);
            bpf.FirstApply = await bpf.ApplyAsync(state, cancellationToken);
            if (toggle)
            {
                await bpf.ToggleAsync(state, cancellationToken);
            }

            return bpf;
        }
        catch
        {
            bpf.Dispose();
            throw;
        }
    }

    /// <summary>Packets counted by cali_reasons[reason] (only flows' first packets are counted).</summary>
    public long ReasonPackets(int reason)
    {
        using var reasons = BpfMap.OpenPinned(BpfMapLayout.PinPath(_root, BpfMapLayout.ReasonMap));
        return reasons.Lookup(BitConverter.GetBytes((uint)reason)) is { } value ? BitConverter.ToInt64(value, 0) : 0;
    }

    private Task<BpfApplyResult> ApplyAsync(DataplaneState state, CancellationToken cancellationToken) =>
        NetworkNamespace.RunInAsync(_hostPath, () => _dataplane!.Apply(state, new RenderConfig { WorkloadPolicyInBpf = true }, IsWorkload, PodPools, IsUplink), cancellationToken);

    /// <summary>
    /// Toggles one rule's action allow ↔ deny <see cref="Toggles"/> times (an even count: the state ends as it began):
    /// the first (or with DATAPLANE_PACKETS_TOGGLE=middle the middle) decoy policy's first ingress rule, or with no policy the namespace profile's ingress rule. Apply is
    /// synchronous, so its duration is "policy change → enforced" from the dataplane's side (calc graph excluded).
    /// </summary>
    private async Task ToggleAsync(DataplaneState state, CancellationToken cancellationToken)
    {
        Action<bool> set;
        List<PolicyKey> decoys = [.. state.Policies.Keys.Where(k => k.Name.StartsWith("bench-", StringComparison.Ordinal)).OrderBy(k => k.Name, StringComparer.Ordinal)];
        if ((ToggleMiddlePolicy ? decoys.ElementAtOrDefault(decoys.Count / 2) : decoys.FirstOrDefault()) is { Name: not null } key)
        {
            PolicyIntent original = state.Policies[key];
            ToggledWhat = $"policy {key} ingress rule 0";
            set = deny => state.Apply(new ActivePolicyUpdate(key, original with { InboundRules = Toggled(original.InboundRules, deny) }));
        }
        else
        {
            (string id, ProfileIntent original) = state.Profiles.First();
            ToggledWhat = $"profile {id} ingress rule 0";
            set = deny => state.Apply(new ActiveProfileUpdate(id, original with { InboundRules = Toggled(original.InboundRules, deny) }));
        }

        for (var i = 0; i < Toggles; i++)
        {
            set(i % 2 == 0);
            TimeSpan cpu = Environment.CpuUsage.TotalTime;
            BpfApplyResult result = await ApplyAsync(state, cancellationToken);
            ToggleCpuMs.Add((Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds);
            ToggleMs.Add(result.Duration.TotalMilliseconds);
            ToggleWrites.Add(result.Writes);
            ToggleEnforcedMs.Add(result.Enforced.TotalMilliseconds);
            ToggleCompileMs.Add(result.Compile.TotalMilliseconds);
            ToggleDiffMs.Add(result.Diff.TotalMilliseconds);
            ToggleNetlinkMs.Add(result.Netlink.TotalMilliseconds);
            ToggleFlipWritesMs.Add(result.WritesToFlip.TotalMilliseconds);
            ToggleWritesBeforeEnforced.Add(result.WritesBeforeEnforced);
            ToggleFragmentsCompiled.Add(result.FragmentsCompiled);
        }

        for (var i = 0; i < 5; i++)
        {
            long started = Stopwatch.GetTimestamp();
            BpfPolicyCompiler.Compile(state, new BpfCompileOptions(), new BpfIdAllocator(), new BpfIdAllocator());
            CompileMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static List<RuleModel> Toggled(IReadOnlyList<RuleModel> rules, bool deny) =>
        [.. rules.Select((rule, i) => i == 0 ? rule with { Action = deny ? RuleAction.Deny : RuleAction.Allow } : rule)];

    public void Dispose()
    {
        // Detach and unpin in the host namespace while it still exists (the subject deletes it after this).
        if (_dataplane is not null && _netlink is not null)
        {
            try
            {
                NetworkNamespace.RunInAsync(_hostPath, () =>
                {
                    _dataplane.Stop(IsWorkload);
                    return true;
                }, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is BpfException or IOException or InvalidOperationException)
            {
                Console.WriteLine($"  eBPF stop failed (the namespace's deletion removes the filters): {e.Message}");
            }
        }

        _dataplane?.Dispose();
        _netlink?.Dispose();
        try
        {
            if (_mounted)
            {
                BpfFilesystem.Unmount(_root);
            }
        }
        finally
        {
            _dir.Dispose();
        }
    }
}
