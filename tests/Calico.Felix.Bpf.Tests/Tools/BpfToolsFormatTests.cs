using System.Net;
using System.Text.RegularExpressions;
using Calico.Felix.Bpf.Tools;
using Calico.Felix.Calc.Model;
using Calico.Felix.Rules;
using Calico.TestKit;

namespace Calico.Felix.Bpf.Tests.Tools;

/// <summary>calico-node -bpf's text: conntrack lines as upstream's, decoded rules, counters by the C's reason names.</summary>
[Trait("Tier", "Unit")]
public sealed class BpfToolsFormatTests
{
    private const ulong Second = 1_000_000_000;

    private static readonly ConntrackTuple TcpKey = new(IPAddress.Parse("10.65.0.2"), 40000, IPAddress.Parse("10.65.0.3"), 80, 6, 4);

    [Fact]
    public void AFlowNatOutgoingRewrote_ShowsTheSourceItLeavesWith()
    {
        var entry = new ConntrackEntry(1 * Second, 10 * Second, ConntrackState.Established, ConntrackOpener.Low, BpfMapLayout.ConntrackBpfNatSeen, 3, 0);
        Assert.EndsWith("  snat=192.168.1.1:20001", ConntrackDump.Pretty(TcpKey, entry, 11 * Second, snat: (IPAddress.Parse("192.168.1.1"), 20001)), StringComparison.Ordinal);
        var json = new StringWriter();
        ConntrackDump.WriteJson(json, [(TcpKey, entry)], 11 * Second, raw: false, snat: (_, _) => (IPAddress.Parse("192.168.1.1"), 20001));
        Assert.Contains("\"snat\": \"192.168.1.1:20001\"", json.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A host connection calico_to_data gave a port of its own: a forward cali_nat entry whose source is the NAT address
    /// itself. conntrack dump lists it, flagged host-psnat as upstream does; a workload's binding and a reverse entry
    /// are not such a connection.
    /// </summary>
    [Fact]
    public void AHostConnectionGivenAPortOfItsOwn_IsListedFlaggedHostPsnat()
    {
        byte[] key = BpfMapLayout.NatForwardKey(IPAddress.Parse("192.168.1.1"), 42000, IPAddress.Parse("192.168.1.254"), 8080, 6, 4);
        var value = new byte[BpfMapLayout.NatValueSize];
        IPAddress.Parse("192.168.1.1").GetAddressBytes().CopyTo(value, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(16), 25217);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(24), 10 * Second);
        HostPortBinding binding = BpfMapLayout.ReadHostPortBinding(key, value)!;
        Assert.Equal(new HostPortBinding(6, IPAddress.Parse("192.168.1.1"), 42000, IPAddress.Parse("192.168.1.254"), 8080, 25217, 10 * Second), binding);
        Assert.Equal(
            "TCP 192.168.1.1:42000 -> 192.168.1.254:8080  Active ago 1s host-psnat (the host's own connection, tracked by the kernel; its port was a workload's NAT binding's)  snat=192.168.1.1:25217",
            ConntrackDump.PrettyHostPort(binding, 11 * Second));
        var json = new StringWriter();
        ConntrackDump.WriteJson(json, [], 11 * Second, raw: false, hostPorts: [binding]);
        using (var doc = System.Text.Json.JsonDocument.Parse(json.ToString()))
        {
            var flow = Assert.Single(doc.RootElement.EnumerateArray());
            Assert.Equal("host-psnat", Assert.Single(flow.GetProperty("flags").EnumerateArray()).GetString());
            Assert.Equal("192.168.1.1:25217", flow.GetProperty("snat").GetString());
        }

        byte[] podKey = BpfMapLayout.NatForwardKey(IPAddress.Parse("10.65.0.2"), 42000, IPAddress.Parse("192.168.1.254"), 8080, 6, 4);
        Assert.Null(BpfMapLayout.ReadHostPortBinding(podKey, value)); // a workload's binding
        byte[] reverse = (byte[])key.Clone();
        reverse[38] = 1;
        Assert.Null(BpfMapLayout.ReadHostPortBinding(reverse, value));
    }

    [Fact]
    public void ANatForwardKey_IsTheBindingsKeyAsTheProgramWritesIt()
    {
        byte[] key = BpfMapLayout.NatForwardKey(IPAddress.Parse("10.65.0.2"), 40000, IPAddress.Parse("8.8.8.8"), 53, 17, 4);
        Assert.Equal(BpfMapLayout.NatKeySize, key.Length);
        Assert.Equal([10, 65, 0, 2], key[..4]);
        Assert.Equal([8, 8, 8, 8], key[16..20]);
        Assert.Equal([0x9c, 0x40, 0, 53, 17, 4, 0, 0], key[32..40]);
        var value = new byte[BpfMapLayout.NatValueSize];
        new byte[] { 192, 168, 1, 1 }.CopyTo(value, 0);
        value[16] = 0x4e; // 20001 big-endian
        value[17] = 0x21;
        Assert.Equal((IPAddress.Parse("192.168.1.1"), (ushort)20001), BpfMapLayout.ReadNatValue(value, 4));

        // From a conntrack entry: the opener's end first (here the higher address opened); none without the NAT flag.
        var tuple = new ConntrackTuple(IPAddress.Parse("8.8.8.8"), 53, IPAddress.Parse("10.65.0.2"), 40000, 17, 4);
        var natted = new ConntrackEntry(0, 0, ConntrackState.Established, ConntrackOpener.High, BpfMapLayout.ConntrackBpfNatSeen, 3, 0);
        Assert.Equal(key, BpfMapLayout.NatForwardKey(tuple, natted));
        Assert.Null(BpfMapLayout.NatForwardKey(tuple, natted with { Flags = 0 }));
    }

    [Fact]
    public void BpfReasons_AreTheHeadersCaliReasons_ByNameAndIndex()
    {
        string header = File.ReadAllText(Path.Combine(BpfTestPrograms.RepositoryRoot(), "bpf", "include", "calico_maps.h"));
        var defined = Regex.Matches(header, @"#define CALI_REASON_(\w+) (\d+)")
            .Select(static m => (Name: m.Groups[1].Value, Index: int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();

        Assert.Equal(BpfReasons.Count, defined.Single(static d => d.Name == "COUNT").Index);
        Assert.Equal(defined.Where(static d => d.Name != "COUNT").OrderBy(static d => d.Index).ToList(), BpfReasons.All.Select(static r => (r.Name, r.Index)).ToList());
        Assert.Equal("reason-15", BpfReasons.NameOf(15));
    }

    [Fact]
    public void Pretty_PrintsTheOpenerFirst_TheAgeAndState_AndWhoseHookAllowedIt()
    {
        var opened = new ConntrackEntry(1 * Second, 10 * Second, ConntrackState.Established, ConntrackOpener.Low, 0, 3, 4);
        string line = ConntrackDump.Pretty(TcpKey, opened, 11_500_000_000, ifindex => ifindex == 3 ? "cali1" : null);
        Assert.Equal("TCP 10.65.0.2:40000 -> 10.65.0.3:80  Active ago 1.5s ESTABLISHED  egress-allowed-by=cali1(3) ingress-allowed-by=4", line);

        var byHigh = opened with { Opener = ConntrackOpener.High, State = ConntrackState.New, IngressApprovedIfindex = 0 };
        Assert.Equal("TCP 10.65.0.3:80 -> 10.65.0.2:40000  Active ago 21s SYN-SENT EXPIRED  egress-allowed-by=3 ingress-allowed-by=-", ConntrackDump.Pretty(TcpKey, byHigh, 31 * Second));
    }

    [Fact]
    public void Pretty_ShowsIpv6EndsInBrackets_AndOtherProtocolsByNumber()
    {
        var key = new ConntrackTuple(IPAddress.Parse("fd00::1"), 0, IPAddress.Parse("fd00::2"), 0, 47, 6);
        var entry = new ConntrackEntry(0, 5 * Second, ConntrackState.New, ConntrackOpener.Low, 0, 0, 0);
        Assert.Equal("Proto-47 [fd00::1]:0 -> [fd00::2]:0  Active ago 0s NEW  egress-allowed-by=- ingress-allowed-by=-", ConntrackDump.Pretty(key, entry, 5 * Second));
    }

    [Fact]
    public void Raw_PrintsTheStoredFields()
    {
        var entry = new ConntrackEntry(7, 9, ConntrackState.Closing, ConntrackOpener.High, 0x12, 3, 4);
        Assert.Equal(
            "proto=6 family=4 lo=10.65.0.2:40000 hi=10.65.0.3:80 -> created_ns=7 last_seen_ns=9 state=3 opener=1 flags=0x0012 egress_approved_ifindex=3 ingress_approved_ifindex=4",
            ConntrackDump.Raw(TcpKey, entry));
    }

    [Fact]
    public void WriteStats_CountsByProtocolAndTcpState_AndExpired()
    {
        var udp = TcpKey with { Protocol = 17 };
        var icmp = TcpKey with { Protocol = 1 };
        var output = new StringWriter();
        ConntrackDump.WriteStats(output, 512000,
        [
            (TcpKey, new ConntrackEntry(0, 100 * Second, ConntrackState.New, ConntrackOpener.Low, 0, 1, 0)),
            (TcpKey, new ConntrackEntry(0, 100 * Second, ConntrackState.Established, ConntrackOpener.Low, 0, 1, 0)),
            (TcpKey, new ConntrackEntry(0, 100 * Second, ConntrackState.Closing, ConntrackOpener.Low, 0, 1, 0)),
            (udp, new ConntrackEntry(0, 100 * Second, ConntrackState.New, ConntrackOpener.Low, 0, 1, 0)),
            (icmp, new ConntrackEntry(0, 90 * Second, ConntrackState.New, ConntrackOpener.Low, 0, 1, 0)),
        ], 100 * Second);

        string text = output.ToString();
        foreach (string line in new[] { "Conntrack map size: 512000", "Total connections: 5", "Expired (idle past timeout, not yet removed): 1", "TCP : 3", "UDP : 1", "Others : 1", "TCP Established: 1", "TCP Closed (FIN or RST): 1", "TCP Syn-sent: 1" })
        {
            Assert.Contains(line + Environment.NewLine, text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0ul, "0s")]
    [InlineData(999ul, "999ns")]
    [InlineData(1_500ul, "1.5µs")]
    [InlineData(2_250_000ul, "2.25ms")]
    [InlineData(1_500_000_000ul, "1.5s")]
    [InlineData(125_000_000_000ul, "2m5s")]
    [InlineData(3_723_004_000_000ul, "1h2m3.004s")]
    public void GoDuration_PrintsAsGoDoes(ulong nanoseconds, string expected) => Assert.Equal(expected, GoDuration.Format(nanoseconds));

    [Fact]
    public void RuleText_DescribesActionsAndConditions_WithSetMemberCounts()
    {
        var origin = BpfMapLayout.ReadOrigin;
        var rule = new FlatRule
        {
            Action = FlatAction.Allow,
            IpVersion = 4,
            Protocol = 6,
            SrcSets = [3, 4],
            NotDstSets = [5],
            DstPorts = [new PortRange(80, 80), new PortRange(8000, 8080)],
            Origin = origin,
        };
        Assert.Equal(
            "Action: allow  Match: ipv4 proto=tcp src-sets={3 [10.0.0.0/24, 10.0.1.0/24], 4 [empty]} dst-not-sets={5 [5 members]} dst-ports=80,8000-8080",
            RuleText.Describe(rule, new Dictionary<uint, IReadOnlyList<string>> { [3] = ["10.0.0.0/24", "10.0.1.0/24"], [5] = ["a", "b", "c", "d", "e"] }));
        Assert.Equal("Action: goto rule 9  Match: any", RuleText.Describe(new FlatRule { Action = FlatAction.Goto, Jump = 9, Origin = origin }));
        Assert.Equal(
            "Action: next (no match: rule 4)  Match: proto!=udp icmp-type=8 icmp-code=0 not(icmp-type=3)",
            RuleText.Describe(new FlatRule { Action = FlatAction.Next, Jump = 4, NotProtocol = 17, IcmpType = 8, IcmpCode = 0, NotIcmpType = 3, Origin = origin }));
        Assert.Equal("Action: deny  Match: src-sets={7}", RuleText.Describe(new FlatRule { Action = FlatAction.Deny, SrcSets = [7], Origin = origin }));
        Assert.Equal(
            "Action: allow  Match: merged-run=5 on dst +any-proto [12 entries]",
            RuleText.Describe(new FlatRule { Action = FlatAction.Allow, Run = 5, RunOnDestination = true, RunAnyProtocol = true, Origin = origin }, null, new Dictionary<uint, int> { [5] = 12 }));
        Assert.Equal("Action: deny  Match: merged-run=2 on src", RuleText.Describe(new FlatRule { Action = FlatAction.Deny, Run = 2, Origin = origin }));
    }

    [Fact]
    public void PolicyDump_PrintsEachHooksTableRuleByRuleWithHitCounts_AndWarnsOfABrokenTable()
    {
        var origin = BpfMapLayout.ReadOrigin;
        var endpoint = new BpfEndpointValue(BpfMapLayout.EndpointWorkload, 2, 1, EndpointToHostAction.Drop);
        var output = new StringWriter();
        PolicyDump.Write(output, "cali1", 7, endpoint,
        [
            new PolicyDumpHook(true, 1, [new PolicyDumpRule(0, new FlatRule { Action = FlatAction.Allow, Protocol = 6, Origin = origin }, 3, 180), new PolicyDumpRule(1, new FlatRule { Action = FlatAction.Deny, Origin = origin }, 0, 0)]),
            new PolicyDumpHook(false, 2, [new PolicyDumpRule(0, new FlatRule { Action = FlatAction.Log, Origin = origin }, 1, 60)]),
        ], null);

        Assert.Equal(
            """
            IfaceName: cali1
            Ifindex: 7  Endpoint: workload  DefaultEndpointToHostAction: Drop
            Hook: ingress  (tc ingress: traffic from the workload, its egress policy, calico_from_wl)
              Table: 1  Rules: 2
                Rule 0: Action: allow  Match: proto=tcp
                  Hit count: 3 (180 bytes)
                Rule 1: Action: deny  Match: any
                  Hit count: 0 (0 bytes)
            Hook: egress  (tc egress: traffic to the workload, its ingress policy, calico_to_wl)
              Table: 2  Rules: 1
                Rule 0: Action: log (count, continue)  Match: any
                  Hit count: 1 (60 bytes)
              Warning: the table ends at rule 0 without a verdict: what reaches its end is dropped (BAD_TABLE)

            """.ReplaceLineEndings(), output.ToString());
    }

    [Fact]
    public void CountersDump_NamesReasonsAsTheHeader_AndListsRuleCountersInOrder()
    {
        var reasons = Enumerable.Repeat((0ul, 0ul), BpfReasons.Count).ToList();
        reasons[4] = (2, 120);
        reasons[5] = (1, 60);
        var output = new StringWriter();
        var users = CountersDump.TableUsers(
        [
            ("cali2", new BpfEndpointValue(BpfMapLayout.EndpointWorkload, IngressTable: 2, EgressTable: 1, EndpointToHostAction.Drop)),
            ("cali1", new BpfEndpointValue(BpfMapLayout.EndpointWorkload, IngressTable: 2, EgressTable: 1, EndpointToHostAction.Drop)),
            ("cali3", new BpfEndpointValue(BpfMapLayout.EndpointWorkload, IngressTable: 0, EgressTable: 4, EndpointToHostAction.Drop)),
        ]);
        Assert.Equal(new Dictionary<uint, string> { [1] = "cali1 ingress, cali2 ingress", [2] = "cali1 egress, cali2 egress", [4] = "cali3 ingress" }, users);
        CountersDump.Write(output, reasons, [new RuleCounter(2, 0, 1, 60, users[2]), new RuleCounter(1, 1, 1, 60, users[1]), new RuleCounter(1, 0, 2, 120, users[1]), new RuleCounter(3, 0, 1, 60, CountersDump.UnusedTable)], "cali1");

        string text = output.ToString();
        Assert.Matches(@"\n  POLICY_ALLOW +2 +120 +passed: policy allowed a new flow\r?\n", text);
        Assert.Matches(@"\n  POLICY_DENY +1 +60 ", text);
        Assert.Matches(@"\n  SPOOFED +0 +0 ", text);
        Assert.DoesNotContain("reason-14", text, StringComparison.Ordinal);
        Assert.Contains("Rule counters of cali1's tables", text, StringComparison.Ordinal);
        Assert.Matches(@"  TABLE +RULE +PACKETS +BYTES +USED BY\r?\n  1 +0 +2 +120 +cali1 ingress, cali2 ingress\r?\n  1 +1 +1 +60 +cali1 ingress, cali2 ingress\r?\n  2 +0 +1 +60 +cali1 egress, cali2 egress\r?\n  3 +0 +1 +60 +no endpoint \(a replaced table's\)\r?\n$", text);
    }

    [Fact]
    public void Json_ConntrackAsUpstreamNamesIt_StatsAndCounters()
    {
        var entry = new ConntrackEntry(1 * Second, 10 * Second, ConntrackState.Established, ConntrackOpener.High, 0, 3, 0);
        var output = new StringWriter();
        ConntrackDump.WriteJson(output, [(TcpKey, entry)], 11 * Second, raw: false, ifindex => ifindex == 3 ? "cali1" : null);
        using (var doc = System.Text.Json.JsonDocument.Parse(output.ToString()))
        {
            var flow = Assert.Single(doc.RootElement.EnumerateArray());
            Assert.Equal(
                ["normal", "TCP", "10.65.0.3:80", "10.65.0.2:40000", "1s", "ESTABLISHED", "ESTABLISHED", "cali1(3)", "-"],
                new[] { "type", "proto", "src", "dst", "active_ago", "tcp_state", "state", "egress_allowed_by", "ingress_allowed_by" }.Select(n => flow.GetProperty(n).GetString()));
            Assert.False(flow.GetProperty("expired").GetBoolean());
            Assert.Equal(0, flow.GetProperty("flags").GetArrayLength());
        }

        output = new StringWriter();
        ConntrackDump.WriteJson(output, [(TcpKey with { Protocol = 17 }, entry)], 100 * Second, raw: true);
        using (var doc = System.Text.Json.JsonDocument.Parse(output.ToString()))
        {
            var flow = Assert.Single(doc.RootElement.EnumerateArray());
            Assert.Equal(("10.65.0.2", 40000, "10.65.0.3", 80), (flow.GetProperty("addr_a").GetString(), flow.GetProperty("port_a").GetInt32(), flow.GetProperty("addr_b").GetString(), flow.GetProperty("port_b").GetInt32()));
            Assert.False(flow.TryGetProperty("tcp_state", out _));
            Assert.True(flow.GetProperty("expired").GetBoolean());
            Assert.Equal((10 * Second, 1, 3u), (flow.GetProperty("last_seen_ns").GetUInt64(), flow.GetProperty("opener").GetInt32(), flow.GetProperty("egress_approved_ifindex").GetUInt32()));
        }

        output = new StringWriter();
        ConntrackDump.WriteStatsJson(output, 100, [(TcpKey, entry)], 11 * Second);
        using (var doc = System.Text.Json.JsonDocument.Parse(output.ToString()))
        {
            Assert.Equal((100, 1, 1, 1, 0), (doc.RootElement.GetProperty("map_size").GetInt32(), doc.RootElement.GetProperty("total_connections").GetInt32(), doc.RootElement.GetProperty("tcp").GetInt32(), doc.RootElement.GetProperty("tcp_established").GetInt32(), doc.RootElement.GetProperty("expired").GetInt32()));
        }

        var reasons = Enumerable.Repeat((0ul, 0ul), BpfReasons.Count).ToList();
        reasons[5] = (1, 60);
        output = new StringWriter();
        CountersDump.WriteJson(output, reasons, [new RuleCounter(2, 1, 1, 60, "cali1 egress")], "cali1");
        using (var doc = System.Text.Json.JsonDocument.Parse(output.ToString()))
        {
            Assert.Equal("cali1", doc.RootElement.GetProperty("interface").GetString());
            Assert.Equal(BpfReasons.All.Count, doc.RootElement.GetProperty("reasons").GetArrayLength());
            var deny = doc.RootElement.GetProperty("reasons")[5];
            Assert.Equal(("POLICY_DENY", 1ul, 60ul), (deny.GetProperty("name").GetString(), deny.GetProperty("packets").GetUInt64(), deny.GetProperty("bytes").GetUInt64()));
            var rule = Assert.Single(doc.RootElement.GetProperty("rules").EnumerateArray());
            Assert.Equal(("cali1 egress", 2u, 1u, 1ul), (rule.GetProperty("used_by").GetString(), rule.GetProperty("table").GetUInt32(), rule.GetProperty("rule").GetUInt32(), rule.GetProperty("packets").GetUInt64()));
        }
    }
}
