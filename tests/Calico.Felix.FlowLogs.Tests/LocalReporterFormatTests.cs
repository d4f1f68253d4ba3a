using System.Net;
using System.Text.Json;
using Calico.Goldmane.Api;

namespace Calico.Felix.FlowLogs.Tests;

[Trait("Tier", "Unit")]
public sealed class LocalReporterFormatTests
{
    [Fact]
    public void Line_HasKeyTraceCountersAndOnlyHereAddressesAndNode()
    {
        var key = new FlowKey
        {
            SourceName = "a", SourceNamespace = "ns1", SourceType = EndpointType.WorkloadEndpoint,
            DestName = "pub", DestNamespace = "-", DestType = EndpointType.Network, DestPort = 443, Proto = "tcp",
            Reporter = Reporter.Src, Action = Calico.Goldmane.Api.Action.Allow, Policies = new PolicyTrace(),
        };
        key.Policies.EnforcedPolicies.Add(new PolicyHit { Kind = PolicyKind.GlobalNetworkPolicy, Tier = "default", Name = "egress", Action = Calico.Goldmane.Api.Action.Allow, RuleIndex = 2 });
        var flow = new Flow { Key = key, BytesOut = 1234, StartTime = 10, EndTime = 25 };
        var tuple = new FlowTuple(IPAddress.Parse("10.65.0.1"), IPAddress.Parse("8.8.8.8"), 6, 40001, 443);

        string line = LocalReporterFormat.Line(new FlowRecord(flow, [tuple], 0), "node-1");

        Assert.DoesNotContain('\n', line);
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        Assert.Equal("node-1", r.GetProperty("node").GetString());
        Assert.Equal("Allow", r.GetProperty("action").GetString());
        Assert.Equal(1234, r.GetProperty("bytes_out").GetInt64());
        var hit = r.GetProperty("policies").GetProperty("enforced_policies")[0];
        Assert.Equal(("GlobalNetworkPolicy", "default", "egress", 2), (hit.GetProperty("kind").GetString(), hit.GetProperty("tier").GetString(), hit.GetProperty("name").GetString(), hit.GetProperty("rule_index").GetInt32()));
        var c = r.GetProperty("connections")[0];
        Assert.Equal(("10.65.0.1", 40001, "8.8.8.8"), (c.GetProperty("source_ip").GetString(), c.GetProperty("source_port").GetInt32(), c.GetProperty("dest_ip").GetString()));
    }
}
