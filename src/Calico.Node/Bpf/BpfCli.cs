using Calico.Felix.Bpf;
using Calico.Felix.Bpf.Tools;
using Calico.Linux.Bpf;

namespace Calico.Node.Bpf;

/// <summary>
/// <c>calico-node -bpf ...</c>: upstream's calico-bpf inspection commands over our pinned maps. Read only: the maps
/// are opened by pin under <c>CALICO_BPF_ROOT</c>; nothing is loaded, written or deleted. Synchronous, so that a
/// caller running it inside a network namespace resolves interfaces there.
/// </summary>
public static class BpfCli
{
    public const string Usage = """
        Usage: calico-node -bpf <command>

        Inspects the eBPF dataplane's pinned maps (read only) under $CALICO_BPF_ROOT (default /sys/fs/bpf/calico).
        As upstream's calico-bpf, adapted to this dataplane's maps:

          conntrack dump [--raw] [-4|--ipv4] [-6|--ipv6] [-j|--json]
              One line per flow: protocol, opener -> responder, time since the last packet, state (TCP: SYN-SENT,
              ESTABLISHED, CLOSED), EXPIRED when idle past its timeout, and the interfaces whose egress (from the
              workload) and ingress (to the workload) policy allowed it. One map holds both families: both are shown
              unless -4 or -6 picks one (upstream's -6 picks its separate IPv6 map). --raw: the stored fields.
              Upstream's --ver is not taken (one map layout), nor NAT entries (nft does NAT here). --json: one array,
              upstream's field names (type, proto, src, dst, flags, active_ago, tcp_state; --raw: addr_a, port_a, ...)
              and ours (state, expired, egress_allowed_by, ingress_allowed_by).
          conntrack stats [-4|--ipv4] [-6|--ipv6] [-j|--json]
              Counts by protocol and TCP state (a FIN and an RST both count as closed), and entries idle past their
              timeout.
          policy dump <interface> <ingress|egress|all>
              The rule tables the interface's programs walk (cali_eps -> cali_rules), each rule decoded with its
              hit count (cali_counters: the first packets of the flows it decided) and its IP sets' members (past 4,
              their count).
              Hooks are tc hooks as upstream's: on a workload interface ingress is traffic from the workload (its egress
              policy), egress traffic to it (its ingress policy). Upstream prints its generated program's annotations;
              our maps hold rules as data, without the policy each came from. No xdp hook, no --asm (no generated
              program).
          counters dump [--iface <interface>] [-j|--json]
              cali_reasons by name (bpf/include/calico_maps.h's CALI_REASON_*), for all interfaces together, and the
              per-rule counters with the interfaces and hooks whose table each is (with --iface: only that
              interface's). Upstream's counters are per interface and hook; counters flush is not offered (read only).

        """;

    private const int UsageError = 2;

    public static int Run(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Count == 0)
        {
            stderr.Write(Usage);
            return UsageError;
        }

        if (args[0] is "-h" or "--help" or "help")
        {
            stdout.Write(Usage);
            return 0;
        }

        try
        {
            var root = BpfFilesystem.RootFrom(environment);
            var rest = args.Skip(2).ToList();
            return (args[0], args.Count > 1 ? args[1] : "") switch
            {
                ("conntrack", "dump") => BpfInspect.ConntrackDump(root, BpfCliOptions.Parse(rest, "conntrack dump", flags: ["--raw", "-4", "--ipv4", "-6", "--ipv6", "-j", "--json"]), stdout),
                ("conntrack", "stats") => BpfInspect.ConntrackStats(root, BpfCliOptions.Parse(rest, "conntrack stats", flags: ["-4", "--ipv4", "-6", "--ipv6", "-j", "--json"]), stdout),
                ("policy", "dump") => BpfInspect.PolicyDump(root, BpfCliOptions.Parse(rest, "policy dump", positional: 2), stdout),
                ("counters", "dump") => BpfInspect.CountersDump(root, BpfCliOptions.Parse(rest, "counters dump", flags: ["-j", "--json"], valued: ["--iface"]), stdout),
                _ => throw new BpfUsageException($"unknown command '{string.Join(' ', args.Take(2))}': calico-node -bpf takes conntrack dump, conntrack stats, policy dump, counters dump"),
            };
        }
        catch (BpfUsageException e)
        {
            stderr.WriteLine("calico-node -bpf: " + e.Message);
            stderr.Write(Usage);
            return UsageError;
        }
        catch (Exception e) when (e is BpfToolException or BpfException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine("calico-node -bpf: " + e.Message);
            return 1;
        }
    }
}
