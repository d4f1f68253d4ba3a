using System.Globalization;
using System.Text.RegularExpressions;

namespace Calico.Node.Tests.Kernel;

/// <summary>
/// Root tier, the real calico-node: its /metrics carries upstream Felix's families under upstream's exact names (so
/// upstream's Grafana dashboards find them), each with a sample, and the values are calico-node's real state (the
/// pods, policy, nft table and routes this test created; the process's own memory), not constants.
/// </summary>
[Trait("Tier", "Root")]
public sealed class UpstreamMetricsKernelTests(AgentHostFixture host) : IClassFixture<AgentHostFixture>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(20);

    /// <summary>Upstream's names (felix/**/*.go prometheus.New*, client_golang's process collector) calico-node must expose.</summary>
    public static readonly string[] RequiredUpstreamFamilies =
    [
        "felix_int_dataplane_failures",
        "felix_int_dataplane_messages",
        "felix_int_dataplane_initial_resync_time_seconds",
        "felix_int_dataplane_apply_time_seconds",
        "felix_int_dataplane_msg_batch_size",
        "felix_int_dataplane_iface_msg_batch_size",
        "felix_int_dataplane_addr_msg_batch_size",
        "felix_resync_state",
        "felix_resyncs_started",
        "felix_calc_graph_updates_processed",
        "felix_calc_graph_output_events",
        "felix_calc_graph_update_time_seconds",
        "felix_cluster_num_hosts",
        "felix_cluster_num_workload_endpoints",
        "felix_cluster_num_host_endpoints",
        "felix_cluster_num_policies",
        "felix_cluster_num_profiles",
        "felix_cluster_num_tiers",
        "felix_active_local_selectors",
        "felix_active_local_endpoints",
        "felix_active_local_policies",
        "felix_route_table_resync_seconds",
        "felix_route_table_num_routes",
        "felix_route_table_num_ifaces",
        "felix_nft_calls",
        "felix_nft_errors",
        "felix_nft_list_calls",
        "felix_nft_list_errors",
        "felix_nft_chains",
        "felix_nft_rules",
        "felix_nft_sets",
        "felix_nft_maps",
        "felix_log_errors",
        "felix_host",
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_virtual_memory_bytes",
        "process_open_fds",
        "process_max_fds",
        "process_start_time_seconds",
        "dotnet_collection_count_total",
        "dotnet_total_memory_bytes",
    ];

    [Fact]
    public async Task Metrics_carry_upstreams_names_with_real_values()
    {
        await host.ApplyAsync("""
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata:
              name: metrics-web
              namespace: ns1
            spec:
              selector: app == 'metrics-web'
              types: [Ingress]
              ingress:
              - action: Allow
                source:
                  selector: app == 'metrics-client'
            """);
        await host.AddPodAsync("mweb", "10.65.0.80", ("app", "metrics-web"));
        await host.AddPodAsync("mcli", "10.65.0.81", ("app", "metrics-client"));

        string text = "";
        await host.WaitForAsync(
            async () =>
            {
                text = (await NetnsSockets.HttpGetAsync(host.HostNs, 9091, "/metrics"))?.Body ?? "";
                return Value(text, "felix_cluster_num_workload_endpoints") >= 2 && Value(text, "felix_route_table_num_routes{table=\"IPv4:254\"}") >= 2;
            },
            Converge,
            "the two pods counted in /metrics");

        string[] missing = RequiredUpstreamFamilies.Where(name => !HasSample(text, name)).ToArray();
        Assert.True(missing.Length == 0, "no sample for: " + string.Join(", ", missing));
        string[] unannounced = SampleFamilies(text).Where(f => !text.Contains("# HELP " + f + " ", StringComparison.Ordinal) || !text.Contains("# TYPE " + f + " ", StringComparison.Ordinal)).ToArray();
        Assert.True(unannounced.Length == 0, "samples without HELP and TYPE lines: " + string.Join(", ", unannounced));
        Assert.DoesNotContain("felix_int_dataplane_failures_total", text, StringComparison.Ordinal);

        Assert.True(Value(text, "felix_active_local_endpoints") >= 2);
        Assert.True(Value(text, "felix_active_local_policies") >= 1);
        Assert.True(Value(text, "felix_active_local_selectors") >= 1, "the client selector is an active IP set");
        Assert.True(Value(text, "felix_cluster_num_policies") >= 1);
        Assert.True(Value(text, "felix_cluster_num_profiles") >= 1);
        Assert.Equal(1, Value(text, "felix_cluster_num_hosts"));
        Assert.Equal(3, Value(text, "felix_resync_state"));
        Assert.Equal(1, Value(text, "felix_host{host=\"host1\"}"));
        Assert.True(Value(text, "felix_nft_calls") >= 1);
        Assert.True(Value(text, "felix_nft_rules{ip_version=\"inet\"}") > 10);
        Assert.True(Value(text, "felix_nft_chains{ip_version=\"inet\"}") > 5);
        Assert.True(Value(text, "felix_nft_sets{ip_version=\"4\"}") >= 1);
        Assert.True(Value(text, "felix_route_table_num_ifaces{table=\"IPv4:254\"}") >= 2);
        Assert.True(Value(text, "felix_int_dataplane_messages{type=\"WorkloadEndpointUpdate\"}") >= 2);
        Assert.True(Value(text, "felix_int_dataplane_messages{type=\"ActivePolicyUpdate\"}") >= 1);
        Assert.True(Value(text, "felix_calc_graph_updates_processed{type=\"WorkloadEndpointKey\"}") >= 2);
        Assert.True(Value(text, "felix_int_dataplane_initial_resync_time_seconds") > 0);
        Assert.Contains("felix_int_dataplane_apply_time_seconds{quantile=\"0.99\"}", text, StringComparison.Ordinal);

        // The process metrics are this process's: its resident memory is what the kernel says of calico-node.
        double rss = Value(text, "process_resident_memory_bytes");
        Assert.InRange(rss, 5e6, 2e9);
        Assert.True(Value(text, "process_open_fds") > 3);
        double start = Value(text, "process_start_time_seconds");
        Assert.InRange(start, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    /// <summary>The family of every sample line (a summary's _sum/_count and a histogram's _bucket belong to their family).</summary>
    private static IEnumerable<string> SampleFamilies(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => l.Split('{', ' ')[0])
            .Select(n => text.Contains("# TYPE " + n + " ", StringComparison.Ordinal) ? n : Regex.Replace(n, "_(sum|count|bucket)$", ""))
            .Distinct(StringComparer.Ordinal);

    /// <summary>True when a sample of the family (bare, with labels, or a summary's _sum/_count) is in the text.</summary>
    private static bool HasSample(string text, string family) =>
        Regex.IsMatch(text, "^" + Regex.Escape(family) + "(_sum|_count)?(\\{[^}]*\\})? \\S+$", RegexOptions.Multiline);

    /// <summary>The value of the sample named exactly <paramref name="sample"/> (with its labels), or NaN.</summary>
    private static double Value(string text, string sample)
    {
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith(sample + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(sample.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return double.NaN;
    }
}
