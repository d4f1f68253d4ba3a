using System.Text.Json;
using Calico.Ctl.Commands;
using Calico.Ctl.Output;
using Calico.Goldmane.Api;
using GmAction = Calico.Goldmane.Api.Action;

namespace Calico.Ctl.Tests;

/// <summary><c>calicoctl flows</c>: flag parsing into Goldmane requests, bad flags named, and the output formats.</summary>
[Trait("Tier", "Unit")]
public sealed class FlowsCommandTests
{
    private static FlowsOptions Parse(string? server = null, string? env = null, string? action = null, string? since = null, string? ns = null,
        string? name = null, string? policy = null, string? port = null, string? output = null) =>
        FlowsOptions.Parse(server, n => n == FlowsOptions.ServerEnvironment ? env : null, action, since, ns, name, policy, port, output);

    [Fact]
    public void Defaults_LoopbackServerEverythingAsTable()
    {
        var options = Parse();
        Assert.Equal(new Uri("http://127.0.0.1:7443"), options.ServerUri);
        Assert.Equal(FlowsOutput.Table, options.Output);
        var request = Assert.Single(options.Requests());
        Assert.Equal(0, request.StartTimeGte);
        Assert.Equal(new Filter(), request.Filter);
        Assert.Equal([SortBy.Time], request.SortBy.Select(s => s.SortBy));
    }

    [Theory]
    [InlineData(null, "10.0.0.5:7443", "http://10.0.0.5:7443/")]
    [InlineData("[::1]:9000", "10.0.0.5:7443", "http://[::1]:9000/")]
    [InlineData("https://goldmane.lab:7443", null, "https://goldmane.lab:7443/")]
    public void Server_FlagThenEnvironmentThenDefault(string? flag, string? env, string expected) =>
        Assert.Equal(expected, Parse(server: flag, env: env).ServerUri.ToString());

    [Fact]
    public void Filters_ActionSincePortPolicy_BecomeTheRequest()
    {
        var request = Assert.Single(Parse(action: "deny", since: "1h30m", port: "5432", policy: "backend/lockdown").Requests());
        Assert.Equal(-5400, request.StartTimeGte);
        Assert.Equal([GmAction.Deny], request.Filter.Actions);
        Assert.Equal(5432, Assert.Single(request.Filter.DestPorts).Port);
        var policy = Assert.Single(request.Filter.Policies);
        Assert.Equal("lockdown", policy.Name.Value);
        Assert.Equal("backend", policy.Namespace.Value);
    }

    [Fact]
    public void NamespaceAndName_EitherEnd_OneRequestPerCombination()
    {
        var requests = Parse(ns: "backend", name: "api").Requests();
        Assert.Equal(4, requests.Count);
        var combos = requests.Select(r => (
            Ns: r.Filter.SourceNamespaces.Count == 1 ? "src" : r.Filter.DestNamespaces.Count == 1 ? "dst" : "?",
            Name: r.Filter.SourceNames.Count == 1 ? "src" : r.Filter.DestNames.Count == 1 ? "dst" : "?")).ToHashSet();
        Assert.Equal(new HashSet<(string, string)> { ("src", "src"), ("src", "dst"), ("dst", "src"), ("dst", "dst") }, combos);
        Assert.All(requests, r => Assert.Equal("backend", (r.Filter.SourceNamespaces.Count == 1 ? r.Filter.SourceNamespaces : r.Filter.DestNamespaces)[0].Value));
    }

    [Theory]
    [InlineData("flows --action Alow", "--action 'Alow'")]
    [InlineData("flows --since 1x", "--since '1x'")]
    [InlineData("flows --since 0s", "--since '0s'")]
    [InlineData("flows --since m", "--since 'm'")]
    [InlineData("flows --port 0", "--port '0'")]
    [InlineData("flows --port http", "--port 'http'")]
    [InlineData("flows -o xml", "--output 'xml'")]
    [InlineData("flows --server goldmane", "--server 'goldmane'")]
    [InlineData("flows --server 10.0.0.1:7443/path", "--server '10.0.0.1:7443/path'")]
    [InlineData("flows --policy /", "--policy '")]
    public async Task BadFlag_ExitsOneNamingFlagAndValue(string commandLine, string expected)
    {
        var result = await new CtlRunner(new Dictionary<string, string>()).RunAsync(commandLine);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Err, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task BadServerInEnvironment_NamesTheVariable()
    {
        var result = await new CtlRunner(new Dictionary<string, string> { [FlowsOptions.ServerEnvironment] = "nope" }).RunAsync("flows");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("invalid CALICO_FLOWS_SERVER 'nope'", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_OneLinePerFlowWithTheDecidingPolicy()
    {
        string table = FlowPrinter.Render([FlowSamples.StagedDeny, FlowSamples.Denied], FlowsOutput.Table);
        string[] lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal(["TIME", "SOURCE", "DESTINATION", "PORT", "ACTION", "REPORTER", "POLICY"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["2026-01-01T00:00:45Z", "tools/curl", "backend/api", "8080/tcp", "Allow", "Dst", "default/backend/allow-web", "rule", "2"],
            lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["2026-01-01T00:00:30Z", "frontend/web", "db/postgres", "5432/tcp", "Deny", "Dst", "security/deny-db", "rule", "1"],
            lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(lines[0].IndexOf("POLICY", StringComparison.Ordinal), lines[2].IndexOf("security/", StringComparison.Ordinal));
    }

    [Fact]
    public void Wide_BothTraces_StagedDenyCalledOut()
    {
        string wide = FlowPrinter.Render([FlowSamples.StagedDeny, FlowSamples.Allowed], FlowsOutput.Wide);
        string[] lines = wide.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("PACKETS IN/OUT", lines[0], StringComparison.Ordinal);
        Assert.Contains("10/8", lines[1], StringComparison.Ordinal);
        Assert.Contains("1200/900", lines[1], StringComparison.Ordinal);
        Assert.Contains("default/backend/allow-web rule 2 Allow", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("staged policy would deny: default/backend/staged:lockdown rule 0 Deny", lines[1].TrimEnd(), StringComparison.Ordinal);
        Assert.EndsWith("default/backend/allow-web rule 0 Allow   =", lines[2].TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_EveryFieldUnderUpstreamsNames_WithBothTraces()
    {
        string json = FlowPrinter.Render([FlowSamples.StagedDeny], FlowsOutput.Json);
        using var doc = JsonDocument.Parse(json);
        var flow = doc.RootElement[0];
        Assert.Equal("2026-01-01T00:00:30Z", flow.GetProperty("start_time").GetString());
        Assert.Equal("Allow", flow.GetProperty("action").GetString());
        Assert.Equal("WorkloadEndpoint", flow.GetProperty("source_type").GetString());
        Assert.Equal("app=curl", flow.GetProperty("source_labels")[0].GetString());
        Assert.Equal(8080, flow.GetProperty("dest_port").GetInt64());
        Assert.Equal(1200, flow.GetProperty("bytes_in").GetInt64());
        var enforced = flow.GetProperty("policies").GetProperty("enforced")[0];
        Assert.Equal("CalicoNetworkPolicy", enforced.GetProperty("kind").GetString());
        Assert.Equal("default", enforced.GetProperty("tier").GetString());
        Assert.Equal(2, enforced.GetProperty("rule_index").GetInt64());
        var pending = flow.GetProperty("policies").GetProperty("pending")[0];
        Assert.Equal("StagedNetworkPolicy", pending.GetProperty("kind").GetString());
        Assert.Equal("Deny", pending.GetProperty("action").GetString());
    }

    [Fact]
    public void Yaml_SameDocumentAsJson()
    {
        var end = FlowSamples.Make(FlowSamples.Base, "", "pub", "frontend", "web", 443, GmAction.Deny,
            [FlowSamples.Hit(PolicyKind.EndOfTier, "default", "", "default", GmAction.Deny, -1)]);
        end.Key.Policies.EnforcedPolicies[0].Trigger = FlowSamples.Hit(PolicyKind.CalicoNetworkPolicy, "default", "frontend", "web-in", GmAction.Unspecified, 0);
        string yaml = FlowPrinter.Render([end], FlowsOutput.Yaml);

        Assert.StartsWith("- start_time: \"2026-01-01T00:00:00Z\"\n  end_time: \"2026-01-01T00:00:15Z\"\n  action: Deny\n", yaml, StringComparison.Ordinal);
        Assert.Contains("\n  source_namespace: \"\"\n  source_name: pub\n  source_labels:\n  - \"app=pub\"\n", yaml, StringComparison.Ordinal);
        Assert.Contains("\n  dest_port: 443\n", yaml, StringComparison.Ordinal);
        Assert.Contains(
            "\n  policies:\n    enforced:\n    - kind: EndOfTier\n      tier: default\n      namespace: \"\"\n      name: default\n      action: Deny\n" +
            "      policy_index: 0\n      rule_index: -1\n      trigger:\n        kind: CalicoNetworkPolicy\n", yaml, StringComparison.Ordinal);
        Assert.Equal("[]\n", FlowPrinter.Render([], FlowsOutput.Yaml));
        Assert.Equal("[]\n", FlowPrinter.Render([], FlowsOutput.Json));
    }
}
