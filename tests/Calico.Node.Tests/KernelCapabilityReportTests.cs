using System.Text;
using Calico.Api;
using Calico.Felix.Config;
using Calico.Linux.Kernel;
using Calico.Node.Kernel;
using Calico.Observability.Health;
using Calico.Observability.Logging;
using Calico.Observability.Metrics;
using Microsoft.Extensions.Logging;

namespace Calico.Node.Tests;

/// <summary>
/// calico-node's kernel-capabilities report in-process, over the real health aggregator, metrics registry and log
/// format, for a kernel configured as this project's (no ipip, no WireGuard).
/// </summary>
[Trait("Tier", "Unit")]
public sealed class KernelCapabilityReportTests : IDisposable
{
    private const string ThisKernelConfig = """
        # CONFIG_MODULES is not set
        CONFIG_NF_TABLES=y
        CONFIG_NF_TABLES_INET=y
        CONFIG_VETH=y
        CONFIG_VXLAN=y
        # CONFIG_NET_IPIP is not set
        # CONFIG_WIREGUARD is not set
        CONFIG_BPF_SYSCALL=y
        """;

    private readonly HealthAggregator _health = new();
    private readonly MetricsRegistry _metrics = new();
    private readonly MemoryStream _log = new();
    private readonly CalicoLoggerProvider _provider;
    private readonly KernelCapabilityReport _report;

    public KernelCapabilityReportTests()
    {
        _provider = new CalicoLoggerProvider(Observability.Logging.LogSeverity.Info, _log, TimeProvider.System, 1);
        var config = KernelConfig.Parse(ThisKernelConfig, "/proc/config.gz");
        var capabilities = new KernelCapabilities("6.18", config.Source, [.. KernelFeatures.All.Select(f => KernelVerdicts.Judge(f, config, _ => false))]);
        _report = new KernelCapabilityReport(capabilities, _health, _metrics, _provider.CreateLogger("kernel"));
    }

    public void Dispose()
    {
        _provider.Dispose();
        _log.Dispose();
    }

    private static IPPool Pool(string name, string ipipMode, string vxlanMode = "Never", bool disabled = false)
    {
        var pool = new IPPool { Metadata = { Name = name } };
        pool.Spec.Cidr = "10.66.0.0/16";
        pool.Spec.IpipMode = ipipMode;
        pool.Spec.VxlanMode = vxlanMode;
        pool.Spec.Disabled = disabled;
        return pool;
    }

    /// <summary>What /readiness lists: one line per reporter with its readiness and reason.</summary>
    private string Readiness() =>
        string.Join("\n", _health.Summarize().Reporters.Select(r => $"{r.Name} ready={r.Ready} {r.Reason}"));

    private async Task<string> MetricsTextAsync()
    {
        using var stream = new MemoryStream();
        await _metrics.WriteTextAsync(stream, CancellationToken.None);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private string LogText() => Encoding.UTF8.GetString(_log.ToArray());

    private const string IpipMessage =
        "IPPool p1 ipipMode=Always needs IP-in-IP tunnels (ipip), which this kernel lacks: CONFIG_NET_IPIP is not set in /proc/config.gz";

    [Fact]
    public async Task IpipPool_OnKernelWithoutIpip_NotReadyLoggedOnceAndCounted()
    {
        _report.SetPools([Pool("p1", "Always")]);
        _report.SetPools([Pool("p1", "Always")]); // the next apply: still missing, not logged again

        HealthSummary summary = _health.Summarize();
        Assert.False(summary.Ready);
        string table = Readiness();
        Assert.Contains($"{KernelCapabilityReport.ReporterName} ready=False {IpipMessage}", table, StringComparison.Ordinal);

        string metrics = await MetricsTextAsync();
        Assert.Contains("felix_kernel_feature_missing{feature=\"ipip\",setting=\"IPPool p1 ipipMode=Always\"} 1", metrics, StringComparison.Ordinal);

        string log = LogText();
        Assert.Contains("[WARNING]", log, StringComparison.Ordinal);
        Assert.Single(log.Split('\n'), line => line.Contains("Kernel support missing: " + IpipMessage, StringComparison.Ordinal));
    }

    [Fact]
    public async Task IpipPoolChangedToVxlan_ReadyAgainAndSeriesGone()
    {
        _report.SetPools([Pool("p1", "Always")]);

        _report.SetPools([Pool("p1", "Never", vxlanMode: "Always")]);

        Assert.True(_health.Summarize().Ready, Readiness());
        Assert.DoesNotContain("setting=\"IPPool p1 ipipMode=Always\"", await MetricsTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void Lacks_ThisProjectsKernelConfig_IpipAndWireguardMissing_VxlanPresent()
    {
        Assert.True(_report.Lacks(Calico.Linux.Kernel.KernelFeatures.Ipip));
        Assert.True(_report.Lacks(Calico.Linux.Kernel.KernelFeatures.Wireguard));
        Assert.False(_report.Lacks(Calico.Linux.Kernel.KernelFeatures.Vxlan));
    }

    [Fact]
    public void DisabledIpipPool_AsksForNothing()
    {
        _report.SetPools([Pool("p1", "CrossSubnet", disabled: true)]);

        Assert.True(_health.Summarize().Ready, Readiness());
    }

    [Fact]
    public async Task WireguardAndBpfEnabled_WireguardMissingBpfPresent()
    {
        FelixConfig config = FelixConfigLoader.Load(
            [new("FELIX_WIREGUARDENABLED", "true"), new("FELIX_BPFENABLED", "true")], null, null, null, [], new Dictionary<string, string>()).Config;

        _report.SetFelixConfig(config);
        _report.SetPools([Pool("p1", "CrossSubnet")]);

        string table = Readiness();
        Assert.Contains("FelixConfiguration wireguardEnabled=true needs WireGuard (wireguard), which this kernel lacks: CONFIG_WIREGUARD is not set in /proc/config.gz", table, StringComparison.Ordinal);
        Assert.Contains("IPPool p1 ipipMode=CrossSubnet needs IP-in-IP tunnels (ipip)", table, StringComparison.Ordinal);
        Assert.DoesNotContain("bpfEnabled", table, StringComparison.Ordinal);
        string metrics = await MetricsTextAsync();
        Assert.Contains("felix_kernel_feature_missing{feature=\"wireguard\",setting=\"FelixConfiguration wireguardEnabled=true\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public void NothingRequested_Ready()
    {
        _report.SetPools([Pool("p1", "Never")]);

        Assert.True(_health.Summarize().Ready, Readiness());
    }
}
