using System.Text;
using System.Text.RegularExpressions;
using Calico.Observability.Metrics;

namespace Calico.Observability.Tests.Metrics;

/// <summary>
/// The registry calico-node builds (FelixMetrics, the dataplane and log collectors, process and runtime metrics)
/// exposes upstream Felix's names, and every family it writes is announced by a HELP and a TYPE line.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class UpstreamMetricNamesTests
{
    /// <summary>Upstream's family names and types (felix/**/*.go prometheus.New*, client_golang's process collector).</summary>
    private static readonly (string Name, string Type)[] Upstream =
    [
        ("felix_int_dataplane_failures", "counter"),
        ("felix_int_dataplane_messages", "counter"),
        ("felix_int_dataplane_initial_resync_time_seconds", "gauge"),
        ("felix_int_dataplane_apply_time_seconds", "summary"),
        ("felix_int_dataplane_msg_batch_size", "summary"),
        ("felix_int_dataplane_iface_msg_batch_size", "summary"),
        ("felix_int_dataplane_addr_msg_batch_size", "summary"),
        ("felix_resync_state", "gauge"),
        ("felix_resyncs_started", "counter"),
        ("felix_calc_graph_updates_processed", "counter"),
        ("felix_calc_graph_output_events", "counter"),
        ("felix_calc_graph_update_time_seconds", "summary"),
        ("felix_cluster_num_hosts", "gauge"),
        ("felix_cluster_num_workload_endpoints", "gauge"),
        ("felix_cluster_num_host_endpoints", "gauge"),
        ("felix_cluster_num_policies", "gauge"),
        ("felix_cluster_num_profiles", "gauge"),
        ("felix_cluster_num_tiers", "gauge"),
        ("felix_active_local_selectors", "gauge"),
        ("felix_active_local_endpoints", "gauge"),
        ("felix_active_local_policies", "gauge"),
        ("felix_route_table_resync_seconds", "summary"),
        ("felix_route_table_num_routes", "gauge"),
        ("felix_route_table_num_ifaces", "gauge"),
        ("felix_nft_calls", "counter"),
        ("felix_nft_errors", "counter"),
        ("felix_nft_list_calls", "counter"),
        ("felix_nft_list_errors", "counter"),
        ("felix_nft_chains", "gauge"),
        ("felix_nft_rules", "gauge"),
        ("felix_nft_sets", "gauge"),
        ("felix_nft_maps", "gauge"),
        ("felix_log_errors", "counter"),
        ("felix_host", "gauge"),
        ("process_cpu_seconds_total", "counter"),
        ("process_resident_memory_bytes", "gauge"),
        ("process_virtual_memory_bytes", "gauge"),
        ("process_virtual_memory_max_bytes", "gauge"),
        ("process_open_fds", "gauge"),
        ("process_max_fds", "gauge"),
        ("process_start_time_seconds", "gauge"),
        ("dotnet_collection_count_total", "counter"),
        ("dotnet_total_memory_bytes", "gauge"),
    ];

    private static async Task<string> CalicoNodeLikeExpositionAsync()
    {
        var registry = new MetricsRegistry();
        var felix = new FelixMetrics(registry);
        felix.DataplaneMessages.WithLabels("WorkloadEndpointUpdate").Inc();
        felix.CalcGraphUpdatesProcessed.WithLabels("WorkloadEndpointKey").Inc();
        felix.RegisterHost("host1");
        felix.RegisterLogErrors(() => 0);
        felix.RegisterDataplane(() => new DataplaneSnapshot(
            3, 1, 2, 0,
            [("inet", 40, 120, 2, 1), ("4", null, null, 5, null), ("6", null, null, 0, null)],
            [("IPv4:254", 2, 2), ("IPv6:254", 0, 0)]));
        felix.RegisterPolicyCounters(() => [new PolicyCounterSample("default", "ns1/web", "ingress", 1, 60)]);
        felix.RegisterUnsupportedSettings(() => [("FelixConfiguration", "default", "spec.wireguardEnabled")]);
        felix.RegisterCorruptResources(() => [("NetworkPolicy", "/calico/x", "last-good")]);
        ProcessMetrics.Register(registry);
        using var output = new MemoryStream();
        await registry.WriteTextAsync(output, CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public async Task Every_upstream_family_is_exposed_with_its_type_and_a_sample()
    {
        string text = await CalicoNodeLikeExpositionAsync();

        foreach (var (name, type) in Upstream)
        {
            Assert.Contains("# TYPE " + name + " " + type + "\n", text, StringComparison.Ordinal);
            Assert.Matches(new Regex("^" + Regex.Escape(name) + "(_sum|_count)?(\\{[^}]*\\})? \\S+$", RegexOptions.Multiline), text);
        }

        Assert.Contains("felix_nft_rules{ip_version=\"inet\"} 120\n", text, StringComparison.Ordinal);
        Assert.Contains("felix_nft_sets{ip_version=\"4\"} 5\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("felix_nft_chains{ip_version=\"4\"}", text, StringComparison.Ordinal);
        Assert.Contains("felix_route_table_num_routes{table=\"IPv4:254\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("felix_host{host=\"host1\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("felix_int_dataplane_apply_time_seconds{quantile=\"0.5\"}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("felix_int_dataplane_failures_total", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_family_written_has_one_HELP_and_one_TYPE_line_before_its_samples()
    {
        string text = await CalicoNodeLikeExpositionAsync();
        var help = new HashSet<string>(StringComparer.Ordinal);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split(' ', 4);
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                Assert.True(help.Add(parts[2]), "second HELP for " + parts[2]);
                Assert.True(parts.Length == 4 && parts[3].Length > 0, "empty HELP for " + parts[2]);
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                Assert.True(types.TryAdd(parts[2], parts[3]), "second TYPE for " + parts[2]);
                Assert.Contains(parts[2], help);
            }
            else
            {
                string sample = line.Split('{', ' ')[0];
                string family = types.ContainsKey(sample) ? sample : Regex.Replace(sample, "_(sum|count|bucket)$", "");
                Assert.True(types.ContainsKey(family), "sample " + sample + " has no TYPE line before it");
                Assert.Contains(family, help);
            }
        }

        Assert.True(types.Count >= Upstream.Length + 4, "families written: " + types.Count);
        Assert.Contains(types, t => t.Value == "counter");
        Assert.Contains(types, t => t.Value == "gauge");
    }

    [Fact]
    public void ProcStat_parses_fields_after_a_command_name_with_spaces_and_parentheses()
    {
        string line = "4242 (calico (node) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 17 0 123456 987654321 4321 "
            + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";

        ProcStat stat = ProcStat.Parse(line);

        Assert.Equal(250, stat.UserTicks);
        Assert.Equal(75, stat.SystemTicks);
        Assert.Equal(17, stat.Threads);
        Assert.Equal(123456, stat.StartTicks);
        Assert.Equal(987654321, stat.VirtualBytes);
        Assert.Equal(4321, stat.ResidentPages);
    }

    [Fact]
    public async Task Process_metrics_are_this_process()
    {
        string text = await CalicoNodeLikeExpositionAsync();
        double rss = Sample(text, "process_resident_memory_bytes");
        double threads = Sample(text, "process_num_threads");

        Assert.InRange(rss, Environment.WorkingSet / 2.0, Environment.WorkingSet * 2.0);
        Assert.True(threads >= 1);
        Assert.InRange(Sample(text, "process_start_time_seconds"), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 86400, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.True(Sample(text, "process_max_fds") >= Sample(text, "process_open_fds"));
    }

    private static double Sample(string text, string name)
    {
        string line = text.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
