using System.Text;

namespace Calico.Linux.Tests.Nft;

/// <summary>
/// Rules to compile: every distinct rule line of the Calico.Felix.Rules golden files (read at test time, so new
/// renderer output is covered without editing this file) plus hand-written edge cases. <see cref="DeclarationScript"/>
/// declares, empty, every set, map and chain those rules refer to.
/// </summary>
internal static class NftRuleCorpus
{
    /// <summary>Rules outside what the renderer emits today, against the edge-* objects declared below.</summary>
    public static readonly string[] EdgeCases =
    [
        "ip saddr 10.0.0.1 counter accept",
        "ip saddr != 10.0.0.0/8 counter drop",
        "ip daddr 10.1.128.0/17 counter accept",
        "ip daddr != 10.1.128.0/17 counter accept",
        "ip saddr 0.0.0.0/0 counter accept",
        "ip6 saddr ::/0 counter accept",
        "ip6 daddr != { ::/0 } counter accept",
        "ip6 saddr { ::/0, fd00::1 } counter accept",
        "ip6 saddr { fd00::/64, fd01::1, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff } counter drop",
        "ip saddr { 0.0.0.0/1, 128.0.0.0/1 } counter accept",
        "ip saddr { 10.0.0.0/24, 10.0.1.0/24, 10.2.0.0/16, 10.2.3.0/24 } counter accept",
        "ip daddr != { 10.0.0.1, 10.0.0.2 } counter drop",
        "ip6 daddr { fd00::1, fd00::2 } counter accept",
        "ip saddr { 255.255.255.0/24, 10.0.0.0/8 } counter accept",
        "ip saddr @edge-s4 ip daddr != @edge-s4 counter drop",
        "ip6 saddr != @edge-s6 counter drop",
        "th dport 80 counter accept",
        "th sport != 22 counter accept",
        "th dport 1000-2000 counter accept",
        "th dport != 1000-2000 counter accept",
        "th dport { 80, 443 } counter accept",
        "th dport != { 80, 443, 1000-2000 } counter accept",
        "th sport { 80-90, 91, 100, 0-10 } counter accept",
        "th dport { 1-65535 } counter accept",
        "th dport { 65535, 1 } counter accept",
        "meta l4proto { tcp, udp } counter accept",
        "meta l4proto != { tcp, udp } counter drop",
        "meta l4proto 47 counter accept",
        "meta l4proto sctp th dport 9 counter accept",
        "meta l4proto udplite counter accept",
        "meta l4proto != ipv6-icmp counter accept",
        "meta l4proto tcp ip saddr 10.0.0.0/8 counter accept",
        "icmp type 8 counter accept",
        "icmp type != 8 counter accept",
        "icmp type { 0, 8 } counter accept",
        "icmp type 3 icmp code 4 counter accept",
        "meta l4proto icmp icmp type 8 counter accept",
        "icmp type . icmp code { 3 . 4, 3 . 1 } counter accept",
        "icmpv6 type 128 counter accept",
        "icmpv6 type != { 1, 2 } counter accept",
        "icmpv6 code 3 counter accept",
        "meta nfproto ipv4 counter accept",
        "meta nfproto ipv6 ip6 daddr fd00::/8 counter accept",
        "ip saddr . meta l4proto . th dport @edge-p4 counter accept",
        "ip saddr . meta l4proto . th dport != @edge-p4 counter accept",
        "ip daddr . meta l4proto . th sport @edge-p4 counter accept",
        "ip6 saddr . meta l4proto . th dport != @edge-p6 counter accept",
        "ip daddr . meta l4proto @calim4-edge-pp4 counter accept",
        "ip6 saddr . meta l4proto . th dport @calim6-edge-ppp6 counter accept",
        "meta mark & 0x00010000 == 0x00010000 counter accept",
        "meta mark & 0x00020000 != 0x00000000 counter accept",
        "counter meta mark set meta mark | 0x00010000 return",
        "counter meta mark set meta mark & 0xfffcffff",
        "ct state established,related counter accept",
        "ct state invalid counter drop",
        "ct state new,untracked counter accept",
        "iifname \"eth0\" counter accept",
        "oifname != \"cali*\" counter drop",
        "iifname \"a\" oifname \"veth-long-name1\" counter accept",
        "oifname vmap @edge-map",
        "counter jump edge-target",
        "counter goto edge-target",
        "accept",
        "drop",
        "counter",
        "counter log prefix \"calico-drop \" drop",
        "counter log prefix \"it's: a \"",
        "ip saddr @edge-s4 counter masquerade fully-random comment \"NAT outgoing\"",
        "counter masquerade",
        "counter accept comment \"with spaces, commas, 'quotes' and {braces}; and @ # $ %\"",
        "counter accept comment \"x\"",
        "ip saddr 10.0.0.1 ip daddr 10.0.0.2 counter accept",
        "th dport 2 th sport 1 counter accept",
        "th dport 80 th sport != 1 counter accept",
        "th dport { 80 } th sport { 1 } counter accept",
        "th sport 1-2 th dport 3 counter accept",
        "ip saddr 1.2.3.4 counter ip daddr 5.6.7.8 accept",
        "ip saddr 10.0.0.0/24 ip daddr 10.0.0.0/8 counter accept",
        "ip saddr 10.0.0.0/8 ip daddr 1.2.3.4 th dport 1 th sport 2 counter accept",
        "icmp code 0 ip saddr 1.2.3.4 icmp type 3 counter accept",
        "icmpv6 type 1 icmpv6 code 0 counter accept",
        "ip saddr 1.2.3.4 ip daddr 10.1.128.0/17 counter accept",
        "icmpv6 code { 0, 1 } counter accept",
        "icmp code { 0, 1 } counter accept",
        "meta nfproto ipv4 ip saddr . meta l4proto . th dport { 10.0.0.1 . tcp . 80, 10.0.0.2 . udp . 53 } counter accept",
        "ip6 daddr . meta l4proto != { fd00::1 . tcp, fd00::2 . 47 } counter drop",
        "meta l4proto . th dport { tcp . 80, udp . 53 } counter accept",
        "th sport . th dport { 1 . 2 } counter accept",
        "ct state != established counter drop",
        "meta nfproto != ipv6 counter accept",
        "iifname != \"eth0\" oifname \"cali*\" counter accept",
        "meta mark & 0x00030000 == 0x00010000 counter accept",
        "fib saddr . iif oif missing counter drop",
        "fib saddr . iif oif exists counter accept",
        "fib daddr oif missing drop",
        "fib daddr . mark oif exists accept",
        "meta nfproto ipv6 fib saddr . mark . iif oif missing counter drop",
        "counter drop comment \"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567\"",
    ];

    private static readonly string TestdataDirectory = FindTestdata();

    /// <summary>Every rule line of every chain of the golden files, distinct, in first-seen order.</summary>
    public static IReadOnlyList<string> RendererRules()
    {
        var rules = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string? Chain, string Text) line in GoldenLines())
        {
            if (line.Chain is not null && line.Text.Length > 0 && !line.Text.StartsWith("type ", StringComparison.Ordinal)
                && !line.Text.StartsWith('#') && seen.Add(line.Text))
            {
                rules.Add(line.Text);
            }
        }

        return rules;
    }

    public static IReadOnlyList<string> All() => [.. RendererRules(), .. EdgeCases];

    /// <summary>
    /// <c>nft -f</c> text declaring, inside <c>table inet calico</c>, every set and map of the golden files (without
    /// elements), every chain as a regular chain, and the edge-* objects.
    /// </summary>
    public static string DeclarationScript()
    {
        var sets = new Dictionary<string, string>(StringComparer.Ordinal);
        var chains = new SortedSet<string>(StringComparer.Ordinal) { "edge-target" };
        string? set = null;
        var body = new StringBuilder();
        foreach (string path in Directory.GetFiles(TestdataDirectory, "expected.nft", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            foreach (string raw in File.ReadLines(path))
            {
                string line = raw.Trim();
                if ((line.StartsWith("set ", StringComparison.Ordinal) || line.StartsWith("map ", StringComparison.Ordinal)) && line.EndsWith('{'))
                {
                    set = line[..^1].Trim();
                    body.Clear();
                }
                else if (set is not null && (line.StartsWith("type ", StringComparison.Ordinal) || line.StartsWith("flags ", StringComparison.Ordinal)))
                {
                    body.Append(line).Append("; ");
                }
                else if (set is not null && line == "}")
                {
                    sets.TryAdd(set, body.ToString());
                    set = null;
                }
                else if (line.StartsWith("chain ", StringComparison.Ordinal) && line.EndsWith('{'))
                {
                    chains.Add(line[6..^1].Trim());
                }
            }
        }

        sets.TryAdd("set edge-s4", "type ipv4_addr; flags interval; ");
        sets.TryAdd("set edge-s6", "type ipv6_addr; flags interval; ");
        sets.TryAdd("set edge-p4", "type ipv4_addr . inet_proto . inet_service; ");
        sets.TryAdd("set edge-p6", "type ipv6_addr . inet_proto . inet_service; ");
        sets.TryAdd("set calim4-edge-pp4", "type ipv4_addr . inet_proto; flags interval; ");
        sets.TryAdd("set calim6-edge-ppp6", "type ipv6_addr . inet_proto . inet_service; flags interval; ");
        sets.TryAdd("map edge-map", "type ifname : verdict; ");

        var script = new StringBuilder("table inet calico {\n");
        foreach ((string declaration, string declarationBody) in sets)
        {
            script.Append("  ").Append(declaration).Append(" { ").Append(declarationBody).Append("}\n");
        }

        foreach (string chain in chains)
        {
            script.Append("  chain ").Append(chain).Append(" { }\n");
        }

        return script.Append("}\n").ToString();
    }

    private static IEnumerable<(string? Chain, string Text)> GoldenLines()
    {
        foreach (string path in Directory.GetFiles(TestdataDirectory, "expected.nft", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string? chain = null;
            foreach (string raw in File.ReadLines(path))
            {
                string line = raw.Trim();
                if (line.StartsWith("chain ", StringComparison.Ordinal) && line.EndsWith('{'))
                {
                    chain = line[6..^1].Trim();
                    continue;
                }

                if (line == "}")
                {
                    chain = null;
                    continue;
                }

                yield return (chain, line);
            }
        }
    }

    private static string FindTestdata()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "tests", "Calico.Felix.Rules.Tests", "testdata");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/Calico.Felix.Rules.Tests/testdata not found above " + AppContext.BaseDirectory);
    }
}
