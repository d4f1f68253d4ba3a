using Calico.Benchmarks;

// Prints figures; asserts nothing.
// Usage: dotnet run -c Release --project bench/Calico.Benchmarks [-- datastore|calicoctl|calc|all|aims|<mode>]
//        dataplane-packets --dataplane bpf   (issue 18: the eBPF dataplane beside nftables)
//        dataplane-packets --dataplane bpf --only change   (issue 18: only the policy change -> enforced figures)
//        dataplane-packets --dataplane bpf --only coldstart   (issue 18: only the cold start, eBPF beside nftables)
//        dataplane-packets --dataplane bpf --only profile|tail   (issue 18: programs' run time a connection | CRR tail as conntrack fills)
//        bpf-compile-change   (issue 18: a change's compile and plan diff alone, no root)
var which = args.Length > 0 ? args[0] : "all";
MachineLoad.Print("at start");

// Issue 17's figures against their aims, in one process (bench/README.md, "How figures are taken").
if (which is "aims") { await AimsRun.RunAsync(); }
if (which is "datastore" or "all")
{
    await DatastoreBenchmarks.RunAsync();
}

if (which is "calicoctl" or "all")
{
    await CalicoctlBenchmarks.RunAsync();
}

if (which is "ipam" or "all") { await IpamBenchmarks.RunAsync(); }

if (which is "calc" or "all")
{
    await CalcGraphBenchmarks.RunAsync();
}
if (which is "cni" or "all") { await CniBenchmarks.RunAsync(); }
if (which is "dataplane-packets" or "all")
{
    // --dataplane bpf: issue 18's subjects (eBPF beside nftables); nftables (the default) keeps the original run.
    int at = Array.IndexOf(args, "--dataplane");
    string dataplane = at >= 0 && at + 1 < args.Length ? args[at + 1] : at >= 0 ? "" : "nftables";
    if (dataplane is not ("bpf" or "nftables"))
    {
        Console.Error.WriteLine($"dataplane-packets: --dataplane must be bpf or nftables, got '{dataplane}'");
        return 2;
    }

    // --only change (with --dataplane bpf): only the eBPF subjects' policy change -> enforced figures, no packet rounds.
    // --only coldstart (with --dataplane bpf): only the cold start (PacketsBpfColdStart), no packet rounds.
    int only = Array.IndexOf(args, "--only");
    string onlyWhat = only >= 0 && only + 1 < args.Length ? args[only + 1] : only >= 0 ? "" : "all";
    // --only profile (with --dataplane bpf): each subject's CRR with the kernel's per-program run time (PacketsProfile).
    // --only tail (with --dataplane bpf): the CRR p50/p99 in 5 s slices as the conntrack map fills (PacketsTail).
    if (onlyWhat is not ("all" or "change" or "coldstart" or "profile" or "tail") || (onlyWhat != "all" && dataplane != "bpf"))
    {
        Console.Error.WriteLine($"dataplane-packets: --only must be change, coldstart, profile or tail (with --dataplane bpf), got '{onlyWhat}'");
        return 2;
    }

    await DataplanePacketBenchmarks.RunAsync(bpf: dataplane == "bpf", onlyChange: onlyWhat == "change", onlyColdStart: onlyWhat == "coldstart", onlyProfile: onlyWhat == "profile", onlyTail: onlyWhat == "tail");
}
if (which is "bpf-compile-change") { BpfCompileChange.Run(); }
if (which is "flow-logs-packets") { await FlowLogPacketBenchmarks.RunAsync(); }
if (which is "flow-logs-node") { await FlowLogNodeBenchmarks.RunAsync(); }
if (which is "dataplane-control" or "all") { await DataplaneControlBenchmarks.RunAsync(); }
if (which is "dataplane-control-routing") { await ControlRoutingSlowed.RunAsync(); }
if (which is "routing" or "all") { await RoutingBenchmarks.RunAsync(); }
if (which is "bgp-filters") { await RoutingBgpFilters.RunAsync(); }
if (which is "cold-start") { await ColdStartBenchmarks.RunAsync(); }
if (which is "host-edge") { await HostEdgeBenchmarks.RunAsync(); }
if (which is "goldmane") { await GoldmaneBenchmarks.RunAsync(); }
if (which is "scale") { await ScaleBenchmarks.RunAsync(); }
AimReport.PrintSummary();
MachineLoad.Print("at end");
return 0;
