using System.Diagnostics;
using System.Net;
using Calico.Felix.Bpf;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using Calico.Linux.Bpf;
using Calico.Linux.Netlink;
using Microsoft.Extensions.Logging;

namespace Calico.Felix.Dataplane.Bpf;

/// <summary>
/// Workload policy in BPF (FelixConfiguration <c>bpfEnabled</c>): calico_tc.o loaded once per process with every map
/// pinned under the bpffs root (so a killed agent leaves programs, policy and conntrack in force, and the next one
/// reuses them), <c>calico_from_wl</c> on each workload interface's tc ingress and <c>calico_to_wl</c> on its egress,
/// and the calculation graph's output compiled into the maps (<see cref="BpfPolicyCompiler"/>) and written in
/// <see cref="BpfPlanDiff"/>'s order. The first apply, and the next after a failed write or drift, is a full resync
/// (<see cref="BpfResync"/>): fresh ids above what the kernel holds, endpoints flipped, the rest swept.
/// Single-threaded: the agent's loop owns it.
/// </summary>
public sealed partial class BpfWorkloadDataplane : IDisposable
{
    public const string ObjectName = "calico_tc";
    public const string FromWorkloadProgram = "calico_from_wl";
    public const string ToWorkloadProgram = "calico_to_wl";
    public const string FromDataInterfaceProgram = "calico_from_data";
    public const string ToDataInterfaceProgram = "calico_to_data";

    private readonly BpfObject _object;
    private readonly Dictionary<string, BpfMap> _maps = new(StringComparer.Ordinal);
    private readonly BpfProgram _fromWorkload;
    private readonly BpfProgram _toWorkload;
    private readonly uint _fromWorkloadId;
    private readonly uint _toWorkloadId;
    private readonly BpfProgram _fromData;
    private readonly uint _fromDataId;
    private readonly BpfProgram _toData;
    private readonly uint _toDataId;
    private readonly RouteNetlink _netlink;
    private readonly ILogger _logger;
    private readonly BpfIdAllocator _tableIds = new();
    private readonly BpfIdAllocator _setIds = new();

    /// <summary>What earlier compilations built (a change compiles only what it touched); dropped on a full resync.</summary>
    private readonly BpfCompileCache _compileCache = new();
    private readonly Dictionary<int, string> _attached = [];
    private readonly Dictionary<int, string> _attachedData = [];
    private Func<string, bool> _isDataInterface = NoDataInterfaces;
    private static readonly Func<string, bool> NoDataInterfaces = static _ => false;
    private readonly HashSet<string> _reportedIssues = new(StringComparer.Ordinal);

    private BpfPolicyPlan? _applied;
    private Dictionary<uint, BpfEndpointEntry> _appliedEndpoints = [];
    private HashSet<IPAddress>? _appliedHostAddresses;
    private IReadOnlyDictionary<IPNetwork, bool>? _appliedPools;
    private HashSet<(uint Ifindex, IPNetwork Prefix)>? _appliedSpoof;
    private Dictionary<IPAddress, uint>? _appliedWorkloadAddresses;
    private BpfSnatPlan? _appliedSnat;
    private static readonly IReadOnlyDictionary<IPNetwork, bool> NoPools = new Dictionary<IPNetwork, bool>();
    private bool _pickedUp;
    private bool? _flowLogsWritten;

    private BpfWorkloadDataplane(string root, BpfObject bpfObject, RouteNetlink netlink, ILogger logger)
    {
        Root = root;
        _object = bpfObject;
        _netlink = netlink;
        _logger = logger;
        foreach (string map in BpfMapLayout.AllMaps)
        {
            _maps[map] = bpfObject.Map(map);
        }

        _fromWorkload = bpfObject.Program(FromWorkloadProgram);
        _toWorkload = bpfObject.Program(ToWorkloadProgram);
        _fromWorkloadId = _fromWorkload.ReadInfo().Id;
        _toWorkloadId = _toWorkload.ReadInfo().Id;
        _fromData = bpfObject.Program(FromDataInterfaceProgram);
        _fromDataId = _fromData.ReadInfo().Id;
        _toData = bpfObject.Program(ToDataInterfaceProgram);
        _toDataId = _toData.ReadInfo().Id;
    }

    /// <summary>The bpffs directory the maps are pinned in.</summary>
    public string Root { get; }

    /// <summary>What the last apply wrote and took (for the log and the benchmark).</summary>
    public BpfApplyResult? LastApply { get; private set; }

    /// <summary>
    /// Mounts a bpffs at <paramref name="root"/> when it is not on one, loads <paramref name="objectPath"/> through the
    /// verifier with every map pinned there (reusing pinned maps: their contents survive) and checks the layout.
    /// </summary>
    public static BpfWorkloadDataplane Start(string root, string objectPath, RouteNetlink netlink, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(netlink);
        ArgumentNullException.ThrowIfNull(logger);
        long started = Stopwatch.GetTimestamp();
        bool mounted = BpfFilesystem.EnsureMounted(root);
        BpfObject bpfObject = BpfObject.Open(objectPath);
        try
        {
            foreach (string map in BpfMapLayout.AllMaps)
            {
                bpfObject.Map(map).SetPinPath(BpfMapLayout.PinPath(root, map));
                ReplaceIncompatiblePin(bpfObject.Map(map), BpfMapLayout.PinPath(root, map), logger);
            }

            bpfObject.LoadInParallel(); // the verifier, one program per core: most of the start
            var dataplane = new BpfWorkloadDataplane(root, bpfObject, netlink, logger);
            dataplane.CheckLayout();
            double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Log.Started(logger, objectPath, root, mounted, ms);
            return dataplane;
        }
        catch
        {
            bpfObject.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A map pinned by an earlier calico_tc.o whose definition differs from this one's (a map made per-CPU, resized,
    /// given flags) cannot be reused: libbpf would refuse the whole load. Its pin is removed (logged, with the
    /// differences) so the load creates and pins it afresh: its contents are lost (conntrack entries: those flows meet
    /// policy again; agent-written maps: the first apply is a full resync anyway). Programs still attached keep the old
    /// map until the new ones replace them.
    /// </summary>
    private static void ReplaceIncompatiblePin(BpfMap map, string pin, ILogger logger)
    {
        if (!File.Exists(pin))
        {
            return;
        }

        string? difference;
        using (BpfMap pinned = BpfMap.OpenPinned(pin))
        {
            difference = map.DefinitionDifference(pinned.ReadInfo());
        }

        if (difference is not null)
        {
            BpfFilesystem.Unpin(pin);
            Log.PinReplaced(logger, map.Name, pin, difference);
        }
    }

    /// <summary>
    /// Writes <paramref name="state"/>'s policy into the maps and attaches the programs to every workload interface
    /// (<paramref name="isWorkloadInterface"/>) that lacks them. A failed write throws and leaves each endpoint on a
    /// whole table (old or new); the next apply is a full resync. <paramref name="fastPathPools"/>: the IP pools (true)
    /// whose traffic the programs may take past the host's stack, and addresses inside them they must not (false: a
    /// floating IP); none: no fast path. <paramref name="isDataInterface"/>: the host's data interfaces (uplinks, the
    /// VXLAN devices), whose tc ingress gets <c>calico_from_data</c>, the fast path in (none: no interface), and tc
    /// egress <c>calico_to_data</c>, NAT outgoing in BPF. <paramref name="natOutgoingPools"/>: the natOutgoing pools'
    /// CIDRs; with <paramref name="snatOn"/> (no host endpoint policing forwarded traffic: see <see cref="BpfSnatPlan.Of"/>) the data interfaces
    /// get their NAT addresses (<c>cali_snat</c>).
    /// </summary>
    public BpfApplyResult Apply(
        DataplaneState state, RenderConfig render, Func<string, bool> isWorkloadInterface, IReadOnlyDictionary<IPNetwork, bool>? fastPathPools = null,
        Func<string, bool>? isDataInterface = null, IEnumerable<string>? natOutgoingPools = null, bool snatOn = false)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(render);
        ArgumentNullException.ThrowIfNull(isWorkloadInterface);
        long started = Stopwatch.GetTimestamp();
        IReadOnlyList<LinkInfo> links = _netlink.ListLinks();
        var ifindexes = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (LinkInfo link in links)
        {
            ifindexes[link.Name] = (uint)link.Index;
        }

        var hostAddresses = HostAddresses(links, isWorkloadInterface);
        TimeSpan listed = Stopwatch.GetElapsedTime(started);
        bool full = _applied is null;
        if (full)
        {
            _compileCache.Clear();
            SkipPastKernelIds();
        }

        long compileStarted = Stopwatch.GetTimestamp();
        BpfPolicyPlan plan = BpfPolicyCompiler.Compile(state, new BpfCompileOptions { DefaultEndpointToHostAction = render.DefaultEndpointToHostAction }, _tableIds, _setIds, _compileCache);
        TimeSpan compiled = Stopwatch.GetElapsedTime(compileStarted);
        ReportIssues(plan);
        long diffStarted = Stopwatch.GetTimestamp();
        Dictionary<uint, BpfEndpointEntry> endpoints = BpfPlanDiff.Resolve(plan, name => ifindexes.TryGetValue(name, out uint index) ? index : null);
        List<BpfMapOp> ops = BpfPlanDiff.Between(full ? null : _applied, full ? new Dictionary<uint, BpfEndpointEntry>() : _appliedEndpoints, plan, endpoints, out int flipped);
        ops.AddRange(BpfResync.HostAddresses(full ? null : _appliedHostAddresses, hostAddresses));
        IReadOnlyDictionary<IPNetwork, bool> pools = fastPathPools ?? NoPools;
        ops.AddRange(BpfResync.Pools(full ? null : _appliedPools, pools));
        HashSet<(uint, IPNetwork)> spoof = BpfSpoofPrefixes.Of(state, render.AllowWorkloadSourceSpoofing, name => ifindexes.TryGetValue(name, out uint index) ? index : null);
        ops.AddRange(BpfSpoofPrefixes.Diff(full ? null : _appliedSpoof, spoof));
        Dictionary<IPAddress, uint> workloadAddresses = BpfResync.LocalWorkloadAddresses(state, name => ifindexes.TryGetValue(name, out uint index) ? index : null);
        ops.AddRange(BpfResync.WorkloadAddresses(full ? null : _appliedWorkloadAddresses, workloadAddresses));
        BpfSnatPlan snat = BpfSnatPlan.Of(SnatCandidates(links, isWorkloadInterface, isDataInterface), natOutgoingPools ?? [], snatOn, render.NatOutgoing);
        ops.AddRange(BpfSnatPlan.Diff(full ? null : _appliedSnat, snat));

        TimeSpan diffed = Stopwatch.GetElapsedTime(diffStarted);

        // The policy is in force once the writes before the clean-up landed (the last endpoint flips; the program
        // reads only whole tables through cali_eps); what follows removes what nothing reads any more.
        _applied = null; // until every write below landed
        int writes = 0;
        TimeSpan enforced, flipWrites;
        long writesStarted = Stopwatch.GetTimestamp();
        try
        {
            writes += Write(ops.Take(flipped));
            enforced = Stopwatch.GetElapsedTime(started);
            flipWrites = Stopwatch.GetElapsedTime(writesStarted);
            writes += Write(ops.Skip(flipped));
            if (full)
            {
                foreach (string map in BpfMapLayout.AgentWrittenMaps)
                {
                    writes += Write(BpfResync.Sweep(map, _maps[map].Keys(), ops));
                }
            }
        }
        catch (Exception e) when (e is BpfException or IOException)
        {
            Log.WriteFailed(_logger, e.Message);
            throw;
        }

        _applied = plan;
        _appliedEndpoints = endpoints;
        _appliedHostAddresses = hostAddresses;
        _appliedPools = pools;
        _appliedSpoof = spoof;
        _appliedWorkloadAddresses = workloadAddresses;
        _appliedSnat = snat;
        if (!_pickedUp)
        {
            // Before the programs go on new interfaces: connections the kernel already carries keep flowing.
            PickUpKernelConnections(state, ifindexes);
            _pickedUp = true;
        }

        WriteFlowLogSwitch(render.FlowLogs, full);
        int attached = AttachNew(links, isWorkloadInterface);
        _isDataInterface = isDataInterface is null ? NoDataInterfaces : name => !isWorkloadInterface(name) && isDataInterface(name);
        attached += AttachData(links);
        LastApply = new BpfApplyResult(full, writes, attached, plan.Tables.Count, plan.IpSets.Count, Stopwatch.GetElapsedTime(started))
        {
            Netlink = listed,
            Compile = compiled,
            Diff = diffed,
            WritesToFlip = flipWrites,
            Enforced = enforced,
            WritesBeforeEnforced = flipped,
            FragmentsCompiled = _compileCache.LastCompile.FragmentsCompiled,
        };
        return LastApply;
    }

    /// <summary>What NAT outgoing in BPF was last given (null before the first apply).</summary>
    public BpfSnatPlan? AppliedSnat => _applied is null ? null : _appliedSnat;

    /// <summary>
    /// The data interfaces NAT outgoing in BPF may use, with their first primary global IPv4 address (the kernel's
    /// masquerade picks the outgoing interface's primary address too) and first global IPv6 address (not one whose
    /// duplicate address detection failed): not the VXLAN devices (traffic leaving the pools does not leave through them).
    /// </summary>
    private List<(uint, string, IPAddress?, IPAddress?)> SnatCandidates(IReadOnlyList<LinkInfo> links, Func<string, bool> isWorkloadInterface, Func<string, bool>? isDataInterface)
    {
        var candidates = new List<(uint, string, IPAddress?, IPAddress?)>();
        if (isDataInterface is null)
        {
            return candidates;
        }

        List<AddressInfo>? addresses = null;
        foreach (LinkInfo link in links)
        {
            if (isWorkloadInterface(link.Name) || !isDataInterface(link.Name) || link.Name is Vxlan.VxlanManager.IPv4DeviceName or Vxlan.VxlanManager.IPv6DeviceName)
            {
                continue;
            }

            addresses ??= [.. _netlink.ListAddresses()];
            IPAddress? primary = addresses.FirstOrDefault(a => a.InterfaceIndex == link.Index && a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork &&
                a.Scope == 0 && (a.Flags & 0x01) == 0)?.Address; // RT_SCOPE_UNIVERSE, not IFA_F_SECONDARY
            IPAddress? global6 = addresses.FirstOrDefault(a => a.InterfaceIndex == link.Index && a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 &&
                a.Scope == 0 && (a.Flags & 0x08) == 0)?.Address; // RT_SCOPE_UNIVERSE (not link-local), not IFA_F_DADFAILED
            candidates.Add(((uint)link.Index, link.Name, primary, global6));
        }

        return candidates;
    }

    /// <summary>The pools the fast paths were last given (null before the first apply).</summary>
    public IReadOnlyDictionary<IPNetwork, bool>? AppliedPools => _applied is null ? null : _appliedPools;

    /// <summary>
    /// Gives the fast paths <paramref name="pools"/> (see <see cref="Apply"/>) alone, once the table that leaves their
    /// traffic untracked is in force. A failed write is logged and makes the next apply a full resync.
    /// </summary>
    public void ApplyPools(IReadOnlyDictionary<IPNetwork, bool> pools)
    {
        ArgumentNullException.ThrowIfNull(pools);
        if (_applied is null)
        {
            return; // the next apply is a full resync, which writes them
        }

        try
        {
            Write(BpfResync.Pools(_appliedPools, pools));
            _appliedPools = pools;
        }
        catch (BpfException e)
        {
            Log.WriteFailed(_logger, e.Message);
            _applied = null;
        }
    }

    /// <summary>
    /// Compares the kernel with what was applied: our filter on every workload interface runs our programs, and the
    /// agent-written maps hold exactly what was written (endpoint and rule values compared byte for byte). Anything
    /// else is drift: described, and the next apply is a full resync that repairs it (reattaching what is missing).
    /// </summary>
    public string? FindDrift(Func<string, bool> isWorkloadInterface)
    {
        ArgumentNullException.ThrowIfNull(isWorkloadInterface);
        var found = new List<string>();
        foreach (LinkInfo link in _netlink.ListLinks())
        {
            if (!isWorkloadInterface(link.Name))
            {
                continue;
            }

            foreach (var (direction, expected) in new[] { (TcDirection.Ingress, _fromWorkloadId), (TcDirection.Egress, _toWorkloadId) })
            {
                TcAttachmentState attachment = TcAttachment.Compare(BpfTc.Query(link.Index, direction), expected);
                if (attachment != TcAttachmentState.Attached)
                {
                    found.Add($"{link.Name} tc {direction.ToString().ToLowerInvariant()}: {attachment.ToString().ToLowerInvariant()}");
                    _attached.Remove(link.Index);
                }
            }
        }

        foreach (LinkInfo link in _netlink.ListLinks())
        {
            if (!_isDataInterface(link.Name))
            {
                continue;
            }

            foreach (var (direction, expected) in new[] { (TcDirection.Ingress, _fromDataId), (TcDirection.Egress, _toDataId) })
            {
                if (TcAttachment.Compare(BpfTc.Query(link.Index, direction), expected) is var attachment && attachment != TcAttachmentState.Attached)
                {
                    found.Add($"{link.Name} tc {direction.ToString().ToLowerInvariant()} (data interface): {attachment.ToString().ToLowerInvariant()}");
                    _attachedData.Remove(link.Index);
                }
            }
        }

        if (_applied is not null)
        {
            List<BpfMapOp> desired = BpfPlanDiff.Between(null, new Dictionary<uint, BpfEndpointEntry>(), _applied, _appliedEndpoints);
            desired.AddRange(BpfResync.HostAddresses(null, _appliedHostAddresses ?? []));
            desired.AddRange(BpfResync.Pools(null, _appliedPools ?? NoPools));
            desired.AddRange(BpfSpoofPrefixes.Diff(null, _appliedSpoof ?? []));
            desired.AddRange(BpfResync.WorkloadAddresses(null, _appliedWorkloadAddresses ?? []));
            desired.AddRange(BpfSnatPlan.Diff(null, _appliedSnat ?? BpfSnatPlan.Off));
            foreach (string map in BpfMapLayout.AgentWrittenMaps)
            {
                if (MapDrift(map, desired) is { } difference)
                {
                    found.Add(difference);
                }
            }
        }

        if (found.Count == 0)
        {
            return null;
        }

        _applied = null;
        return "eBPF: " + string.Join("; ", found.Take(5)) + (found.Count > 5 ? $" (and {found.Count - 5} more)" : "");
    }

    /// <summary>
    /// Leaves BPF mode: our filters are removed from every workload interface, then the pins (the maps go with the last
    /// reference). The caller has put the nftables table's workload policy in force first.
    /// </summary>
    public void Stop(Func<string, bool> isWorkloadInterface)
    {
        int detached = DetachAll(_netlink, isWorkloadInterface);
        UnpinAll(Root);
        _attached.Clear();
        _attachedData.Clear();
        _applied = null;
        Log.Stopped(_logger, detached, Root);
    }

    /// <summary>
    /// With <c>bpfEnabled</c> off: removes what an earlier calico-node in BPF mode left (a SIGKILL leaves programs
    /// attached and maps pinned): our filters on workload interfaces and the pins under <paramref name="root"/>.
    /// </summary>
    public static void RemoveLeftovers(string root, RouteNetlink netlink, Func<string, bool> isWorkloadInterface, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(netlink);
        ArgumentNullException.ThrowIfNull(logger);
        int detached = DetachAll(netlink, isWorkloadInterface);
        int unpinned = UnpinAll(root);
        if (detached + unpinned > 0)
        {
            Log.LeftoversRemoved(logger, detached, unpinned, root);
        }
    }

    /// <summary>
    /// Housekeeping the program cannot do: conntrack entries idle past their timeout are deleted (the program ignores
    /// them, but only the LRU would reclaim those no packet meets again), and the counters of rules no table holds
    /// any more (the program creates a counter per deciding rule; a full map would silently stop counting), and NAT
    /// bindings idle past their timeout.
    /// </summary>
    public (BpfScanResult Conntrack, BpfScanResult Counters, BpfScanResult Nat) Maintain()
    {
        ulong now = BpfConntrackScanner.MonotonicNowNs();
        BpfScanResult conntrack = BpfConntrackScanner.Scan(_maps[BpfMapLayout.ConntrackMap], now);
        BpfScanResult counters = BpfCounterSweeper.Sweep(_maps[BpfMapLayout.CounterMap], _maps[BpfMapLayout.RuleMap]);
        BpfScanResult nat = BpfNatScanner.Scan(_maps[BpfMapLayout.NatMap], now); // NAT outgoing in BPF's idle bindings
        return (conntrack, counters, nat);
    }

    public void Dispose() => _object.Dispose();

    private static int DetachAll(RouteNetlink netlink, Func<string, bool> isWorkloadInterface)
    {
        int detached = 0;
        foreach (LinkInfo link in netlink.ListLinks())
        {
            // Ours on any other interface is the fast path in (calico_from_data, ingress) and NAT outgoing
            // (calico_to_data, egress): our handle and priority, so another tool's filters are never touched.
            foreach (TcDirection direction in (ReadOnlySpan<TcDirection>)[TcDirection.Ingress, TcDirection.Egress])
            {
                try
                {
                    detached += BpfTc.Detach(link.Index, direction) ? 1 : 0;
                }
                catch (BpfException)
                {
                    // The interface went away meanwhile: nothing left to detach.
                }
            }
        }

        return detached;
    }

    private static int UnpinAll(string root)
    {
        if (!Directory.Exists(root))
        {
            return 0;
        }

        int unpinned = 0;
        foreach (string map in BpfMapLayout.AllMaps)
        {
            unpinned += BpfFilesystem.Unpin(BpfMapLayout.PinPath(root, map)) ? 1 : 0;
        }

        return unpinned;
    }

    private int Write(IEnumerable<BpfMapOp> ops)
    {
        int count = 0;
        bool verdictsChanging = false;
        try
        {
            foreach (BpfMapOp op in ops)
            {
                BpfMap map = _maps[op.Map];
                if (!verdictsChanging && BpfMapLayout.ChangesVerdicts(op.Map))
                {
                    // Before the first write a walk could see: from here the programs neither use nor keep verdicts.
                    SetPolicyGeneration(BpfMapLayout.WritingGeneration);
                    verdictsChanging = true;
                }

                switch (op)
                {
                    case BpfMapUpdate update:
                        map.Update(update.Key, update.Value);
                        break;
                    case BpfMapDelete delete:
                        map.Delete(delete.Key);
                        break;
                }

                count++;
            }
        }
        finally
        {
            // Even after a failed write: what landed is what the walks read now, and what they keep from here is theirs.
            if (verdictsChanging)
            {
                SetPolicyGeneration(BpfMapLayout.NextGeneration);
            }
        }

        return count;
    }

    /// <summary>
    /// Moves cali_gen on (<see cref="BpfMapLayout.WritingGeneration"/> before a write to the walk's maps,
    /// <see cref="BpfMapLayout.NextGeneration"/> after): every verdict the programs kept (cali_verdicts) goes stale at
    /// once. One array write; the generation carries on from the pinned value across restarts.
    /// </summary>
    private void SetPolicyGeneration(Func<byte[]?, byte[]> next)
    {
        BpfMap generations = _maps[BpfMapLayout.GenerationMap];
        byte[] key = new byte[4];
        generations.Update(key, next(generations.Lookup(key)));
    }

    private int AttachNew(IReadOnlyList<LinkInfo> links, Func<string, bool> isWorkloadInterface)
    {
        var present = new HashSet<int>();
        int attached = 0;
        foreach (LinkInfo link in links)
        {
            if (!isWorkloadInterface(link.Name))
            {
                continue;
            }

            present.Add(link.Index);
            if (_attached.TryGetValue(link.Index, out string? name) && name == link.Name)
            {
                continue;
            }

            try
            {
                // Ingress (what the workload sends) first: its egress policy. Each swap is atomic per hook.
                BpfTc.Attach(link.Index, TcDirection.Ingress, _fromWorkload);
                BpfTc.Attach(link.Index, TcDirection.Egress, _toWorkload);
                _attached[link.Index] = link.Name;
                attached++;
            }
            catch (BpfException e)
            {
                // Deleted since the dump (a pod going away): the next apply sees it gone.
                Log.AttachFailed(_logger, link.Name, e.Message);
            }
        }

        foreach (int gone in _attached.Keys.Where(index => !present.Contains(index)).ToList())
        {
            _attached.Remove(gone);
        }

        return attached;
    }

    /// <summary>
    /// The fast path in (tc ingress) and NAT outgoing (tc egress) on every data interface that lacks them; an interface
    /// no longer a data interface (the pattern changed) loses them.
    /// </summary>
    private int AttachData(IReadOnlyList<LinkInfo> links)
    {
        int attached = 0;
        var present = new HashSet<int>();
        foreach (LinkInfo link in links)
        {
            bool wanted = _isDataInterface(link.Name);
            bool ours = _attachedData.TryGetValue(link.Index, out string? name) && name == link.Name;
            try
            {
                if (wanted && !ours)
                {
                    BpfTc.Attach(link.Index, TcDirection.Ingress, _fromData);
                    BpfTc.Attach(link.Index, TcDirection.Egress, _toData);
                    _attachedData[link.Index] = link.Name;
                    attached++;
                }
                else if (!wanted && ours)
                {
                    BpfTc.Detach(link.Index, TcDirection.Ingress);
                    BpfTc.Detach(link.Index, TcDirection.Egress);
                    _attachedData.Remove(link.Index);
                }
            }
            catch (BpfException e)
            {
                Log.AttachFailed(_logger, link.Name, e.Message);
            }

            if (wanted)
            {
                present.Add(link.Index);
            }
        }

        foreach (int gone in _attachedData.Keys.Where(index => !present.Contains(index)).ToList())
        {
            _attachedData.Remove(gone);
        }

        return attached;
    }

    /// <summary>Connections picked up from the kernel's conntrack by this process's first apply.</summary>
    public int PickedUpConnections { get; private set; }

    private void PickUpKernelConnections(DataplaneState state, Dictionary<string, uint> ifindexes)
    {
        Dictionary<IPAddress, uint> local = BpfResync.LocalWorkloadAddresses(state, name => ifindexes.TryGetValue(name, out uint index) ? index : null);

        if (local.Count == 0)
        {
            return;
        }

        List<Linux.Conntrack.ConntrackEntry> flows;
        try
        {
            using var table = Linux.Conntrack.ConntrackTable.Open();
            flows = table.Dump();
        }
        catch (Exception e) when (e is Linux.NetlinkException or IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            Log.PickUpFailed(_logger, e.Message);
            return;
        }

        ulong now = BpfConntrackScanner.MonotonicNowNs();
        BpfMap ct = _maps[BpfMapLayout.ConntrackMap];
        int picked = 0;
        foreach (Linux.Conntrack.ConntrackEntry flow in flows)
        {
            if ((flow.Status & Linux.Conntrack.ConntrackStatus.SeenReply) == 0)
            {
                continue; // never answered: it may be a flow policy dropped after the kernel tracked it
            }

            // The reply tuple's source is the real destination (after DNAT) and port, as the workload sees it.
            var picked1 = new PickedUpFlow(flow.Original.Protocol, flow.Original.Source, flow.Original.SourcePort, flow.Reply.Source, flow.Reply.SourcePort);
            if (BpfConntrackPickup.Entry(picked1, a => local.TryGetValue(a, out uint i) ? i : null, now) is not var (key, value))
            {
                continue;
            }

            try
            {
                if (ct.Lookup(key) is null)
                {
                    ct.Update(key, value);
                    picked++;
                }
            }
            catch (BpfException e)
            {
                // A full map (the LRU evicts, so rarely): the rest meet policy again, as without the pick-up.
                Log.PickUpFailed(_logger, e.Message);
                break;
            }
        }

        PickedUpConnections = picked;
        if (picked > 0)
        {
            Log.PickedUp(_logger, picked);
        }
    }

    private HashSet<IPAddress> HostAddresses(IReadOnlyList<LinkInfo> links, Func<string, bool> isWorkloadInterface)
    {
        var workloadIndexes = new HashSet<int>(links.Where(l => isWorkloadInterface(l.Name)).Select(static l => l.Index));
        var addresses = new HashSet<IPAddress>();
        foreach (AddressInfo address in _netlink.ListAddresses())
        {
            if (!workloadIndexes.Contains(address.InterfaceIndex))
            {
                addresses.Add(address.Address);
            }
        }

        return addresses;
    }

    private void SkipPastKernelIds()
    {
        List<byte[]> endpointValues = [];
        foreach (byte[] key in _maps[BpfMapLayout.EndpointMap].Keys())
        {
            if (_maps[BpfMapLayout.EndpointMap].Lookup(key) is { } value)
            {
                endpointValues.Add(value);
            }
        }

        var (table, set) = BpfResync.HighestIds(
            _maps[BpfMapLayout.RuleMap].Keys(), endpointValues, _maps[BpfMapLayout.IpSetMap].Keys(), _maps[BpfMapLayout.RunMap].Keys(), _maps[BpfMapLayout.RunPortMap].Keys());
        _tableIds.SkipPast(table);
        _setIds.SkipPast(set);
    }

    private string? MapDrift(string map, List<BpfMapOp> desired)
    {
        var wanted = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (BpfMapOp op in desired)
        {
            if (op is BpfMapUpdate update && update.Map == map)
            {
                wanted[Convert.ToHexString(update.Key)] = update.Value;
            }
        }

        BpfMap kernel = _maps[map];
        List<byte[]> keys = kernel.Keys();
        int missing = 0, extra = 0, changed = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        bool compareValues = map is BpfMapLayout.EndpointMap or BpfMapLayout.RuleMap or BpfMapLayout.RunMap or BpfMapLayout.RunPortMap;
        foreach (byte[] key in keys)
        {
            string hex = Convert.ToHexString(key);
            if (!wanted.TryGetValue(hex, out byte[]? value))
            {
                extra++;
                continue;
            }

            seen.Add(hex);
            if (compareValues && kernel.Lookup(key) is { } actual && !actual.AsSpan().SequenceEqual(value))
            {
                changed++;
            }
        }

        missing = wanted.Count - seen.Count;
        return missing + extra + changed == 0 ? null : $"{map}: {missing} missing, {extra} unexpected, {changed} changed";
    }

    private void CheckLayout()
    {
        foreach (var (map, key, value) in BpfMapLayout.Sizes)
        {
            if (_maps[map].KeySize != key || _maps[map].ValueSize != value)
            {
                throw new InvalidOperationException(
                    $"{_object.Path}: map {map} has key/value sizes {_maps[map].KeySize}/{_maps[map].ValueSize}, calico-node writes {key}/{value}: the object does not match this calico-node");
            }
        }
    }

    private void ReportIssues(BpfPolicyPlan plan)
    {
        foreach (BpfCompileIssue issue in plan.Issues)
        {
            if (_reportedIssues.Add(issue.ToString()))
            {
                Log.CompileIssue(_logger, issue.ToString());
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2600, Level = LogLevel.Information, Message = "eBPF dataplane: {Object} loaded, maps pinned under {Root} (bpffs mounted by us: {Mounted}) in {Ms:F0} ms")]
        public static partial void Started(ILogger logger, string @object, string root, bool mounted, double ms);

        [LoggerMessage(EventId = 2601, Level = LogLevel.Warning, Message = "eBPF dataplane: a map write failed, the previous policy stays in force and the next apply resyncs in full: {Reason}")]
        public static partial void WriteFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 2602, Level = LogLevel.Warning, Message = "eBPF dataplane: cannot attach to {Interface}: {Reason}")]
        public static partial void AttachFailed(ILogger logger, string @interface, string reason);

        [LoggerMessage(EventId = 2603, Level = LogLevel.Warning, Message = "eBPF dataplane cannot express {Issue} (enforced fail-closed)")]
        public static partial void CompileIssue(ILogger logger, string issue);

        [LoggerMessage(EventId = 2604, Level = LogLevel.Information, Message = "eBPF dataplane stopped: {Detached} filters detached, pins under {Root} removed")]
        public static partial void Stopped(ILogger logger, int detached, string root);

        [LoggerMessage(EventId = 2606, Level = LogLevel.Information, Message = "eBPF dataplane: {Count} established connections picked up from the kernel's conntrack")]
        public static partial void PickedUp(ILogger logger, int count);

        [LoggerMessage(EventId = 2607, Level = LogLevel.Warning, Message = "eBPF dataplane: cannot read the kernel's conntrack, established connections meet policy again: {Reason}")]
        public static partial void PickUpFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 2620, Level = LogLevel.Warning, Message = "eBPF dataplane: map {Map} pinned at {Pin} has another definition than this calico_tc.o's ({Difference}): replaced by a new, empty one")]
        public static partial void PinReplaced(ILogger logger, string map, string pin, string difference);

        [LoggerMessage(EventId = 2605, Level = LogLevel.Information, Message = "bpfEnabled is off: removed what an earlier eBPF dataplane left ({Detached} filters, {Unpinned} pinned maps under {Root})")]
        public static partial void LeftoversRemoved(ILogger logger, int detached, int unpinned, string root);
    }
}

/// <summary>One apply of the eBPF dataplane: full resync or delta, map writes, interfaces newly attached, tables and sets in force.</summary>
public sealed record BpfApplyResult(bool Full, int Writes, int Attached, int Tables, int IpSets, TimeSpan Duration)
{
    /// <summary>The compilation's share of <see cref="Duration"/>.</summary>
    public TimeSpan Compile { get; init; }

    /// <summary>The links and addresses dumped from netlink (ifindexes, host addresses) at the apply's start.</summary>
    public TimeSpan Netlink { get; init; }

    /// <summary>The plan diff's share (endpoints resolved, writes listed, host addresses, pools, spoof prefixes, workload addresses).</summary>
    public TimeSpan Diff { get; init; }

    /// <summary>The writes before the clean-up (map updates up to the last endpoint flip).</summary>
    public TimeSpan WritesToFlip { get; init; }

    /// <summary>From the start of the apply to the writes before the clean-up landed (the endpoint flips): the new policy in force.</summary>
    public TimeSpan Enforced { get; init; }

    /// <summary>Map writes before the clean-up (what <see cref="Enforced"/> waited for).</summary>
    public int WritesBeforeEnforced { get; init; }

    /// <summary>Policies and profiles (per direction) compiled again rather than taken from the cache.</summary>
    public int FragmentsCompiled { get; init; }
}
