using Calico.Felix.Bpf;
using Calico.Linux;
using Calico.Linux.Bpf;
using Calico.TestKit;

namespace Calico.Felix.Bpf.Tests.Kernel;

/// <summary>
/// bpf/calico_tc.c compiled and loaded (fresh maps every time: nothing pinned), and a network namespace standing in for
/// a host: interfaces wla and wlb as two workloads' veths (routes 10.65.0.2 and 10.65.0.3), eth0 with the host's
/// addresses 192.168.1.1/24 and fd00:1::1/64 (192.168.1.50 and fd00:1::50 are remote peers; the host address is in cali_host_ips, as the agent will write it), forwarding on. Frames run through BPF_PROG_TEST_RUN as if
/// on one of those interfaces; nothing is attached.
/// </summary>
internal sealed class DatapathHarness : IDisposable
{
    public const int TcActOk = 0;
    public const int TcActShot = 2;

    public const string WorkloadA = "10.65.0.2";
    public const string WorkloadB = "10.65.0.3";
    public const string HostAddress = "192.168.1.1";
    public const string Remote = "192.168.1.50";

    public const string WorkloadA6 = "fd00:65::2";
    public const string WorkloadB6 = "fd00:65::3";
    public const string HostAddress6 = "fd00:1::1";
    public const string Remote6 = "fd00:1::50";

    private readonly TempDirectory _dir = new("calico-bpf-dp");
    private readonly NetnsScope _netns = new("calbpf");
    private readonly BpfObject _object;
    private readonly Dictionary<string, uint> _ifindexes = new(StringComparer.Ordinal);

    /// <param name="pinRoot">When given, every map is pinned there as the applier pins it (<see cref="BpfMapLayout.PinPath"/>),
    /// set before load: tools reading the pins see what the program writes.</param>
    public DatapathHarness(string? pinRoot = null)
    {
        try
        {
            foreach (string link in new[] { "wla", "wlb", "eth0" })
            {
                // veth pairs (this kernel has no dummy driver): the peers just stay up, for the carrier.
                _netns.Ip("link", "add", link, "type", "veth", "peer", "name", link + "-peer");
                _netns.Ip("link", "set", link + "-peer", "up");
                _netns.Ip("link", "set", link, "up");
                _ifindexes[link] = (uint)_netns.IpJson("link", "show", "dev", link)[0].GetProperty("ifindex").GetInt32();
            }

            _netns.Ip("addr", "add", HostAddress + "/24", "dev", "eth0");
            _netns.Ip("route", "add", WorkloadA + "/32", "dev", "wla");
            _netns.Ip("route", "add", WorkloadB + "/32", "dev", "wlb");
            _netns.Ip("addr", "add", HostAddress6 + "/64", "dev", "eth0", "nodad");
            _netns.Ip("-6", "route", "add", WorkloadA6 + "/128", "dev", "wla");
            _netns.Ip("-6", "route", "add", WorkloadB6 + "/128", "dev", "wlb");
            foreach (string sysctl in new[] { "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1" })
            {
                var (exit, _, error) = _netns.Exec("sysctl", "-qw", sysctl);
                Assert.True(exit == 0, error);
            }

            _object = BpfObject.Open(BpfTestPrograms.Compile("bpf/calico_tc.c", _dir.Path));
            if (pinRoot is not null)
            {
                foreach (string map in BpfMapLayout.AllMaps)
                {
                    _object.Map(map).SetPinPath(BpfMapLayout.PinPath(pinRoot, map));
                }
            }

            _object.Load();
            foreach (string address in new[] { HostAddress, HostAddress6 })
            {
                _object.Map(BpfMapLayout.HostIpMap).Update(BpfMapLayout.HostIpKey(System.Net.IPAddress.Parse(address)), BpfMapLayout.IpSetValue());
            }
        }
        catch
        {
            Dispose();
            throw;
        }

        FromWorkload = _object.Program("calico_from_wl");
        ToWorkload = _object.Program("calico_to_wl");
    }

    public BpfProgram FromWorkload { get; }

    public BpfProgram ToWorkload { get; }

    public BpfObject Object => _object;

    public BpfMap Map(string name) => _object.Map(name);

    public uint Ifindex(string link) => _ifindexes[link];

    /// <summary>The test namespace (interface names resolve there).</summary>
    public string NetnsPath => _netns.Path;

    /// <summary>The program's verdict for one frame on <paramref name="link"/>, run inside the namespace (where the ifindex is).</summary>
    public async Task<int> RunAsync(BpfProgram program, string link, byte[] frame) =>
        (await NetworkNamespace.RunInAsync(_netns.Path, () => program.TestRun(frame, ifindex: _ifindexes[link]))).ReturnValue;

    public async Task<BpfTestRun> RunFullAsync(BpfProgram program, string link, byte[] frame, int repeat = 1) =>
        await NetworkNamespace.RunInAsync(_netns.Path, () => program.TestRun(frame, repeat, _ifindexes[link]));

    /// <summary>
    /// Writes the move from <paramref name="previous"/> to <paramref name="plan"/> as <see cref="BpfPlanDiff"/> orders it
    /// (new tables under fresh ids, then the endpoint flips, then the old tables deleted), endpoints on this namespace's
    /// interfaces by name. <paramref name="bumpGeneration"/> false: the writes alone, without calico-node's bump of
    /// cali_gen (what the verdict cache then serves shows what it kept).
    /// </summary>
    public void Apply(BpfPolicyPlan plan, BpfPolicyPlan? previous = null, bool bumpGeneration = true)
    {
        var before = previous is null ? new Dictionary<uint, BpfEndpointEntry>() : BpfPlanDiff.Resolve(previous, IfindexOf);
        foreach (BpfMapOp op in BpfPlanDiff.Between(previous, before, plan, BpfPlanDiff.Resolve(plan, IfindexOf)))
        {
            Write(op);
        }

        // As calico-node does after writing policy: every verdict the programs kept goes stale. So every test that
        // applies through here runs with the verdict cache on; tests writing the maps by hand leave it off.
        if (bumpGeneration)
        {
            BumpPolicyGeneration();
        }
    }

    /// <summary>calico-node's bump of cali_gen (see <see cref="BpfMapLayout.GenerationMap"/>).</summary>
    public void BumpPolicyGeneration()
    {
        var key = new byte[4];
        Map(BpfMapLayout.GenerationMap).Update(key, BpfMapLayout.NextGeneration(Map(BpfMapLayout.GenerationMap).Lookup(key)));
    }

    private void Write(BpfMapOp op)
    {
        switch (op)
        {
            case BpfMapUpdate update:
                Map(update.Map).Update(update.Key, update.Value);
                break;
            case BpfMapDelete delete:
                Map(delete.Map).Delete(delete.Key);
                break;
        }
    }

    private uint? IfindexOf(string link) => _ifindexes.TryGetValue(link, out uint ifindex) ? ifindex : null;

    public void Dispose()
    {
        _object?.Dispose();
        _netns.Dispose();
        _dir.Dispose();
    }
}
