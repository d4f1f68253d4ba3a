using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Calico.Api;
using Calico.Client;
using Calico.Datastore;
using Calico.TestKit;

namespace Calico.Benchmarks;

/// <summary>
/// CNI ADD/DEL latency, exec to result, of the Native AOT plugin in out/bin (./build.sh builds it) against a local
/// etcd, each workload in its own netns inside a host netns; then 100 concurrent ADDs (total, duplicates, leaks).
/// Needs root.
/// </summary>
internal static class CniBenchmarks
{
    private const int Sequential = 100;
    private const int Concurrent = 100;

    public static async Task RunAsync()
    {
        var plugin = Path.GetFullPath("out/bin/calico");
        if (!File.Exists(plugin))
        {
            Console.WriteLine($"cni: {plugin} is missing: run ./build.sh (Native AOT) first");
            return;
        }

        if (Environment.UserName != "root")
        {
            Console.WriteLine("cni: needs root (network namespaces)");
            return;
        }

        // The plugin runs inside a namespace standing as the host; etcd runs there too, so the machine's own
        // namespace is never touched and the plugin reaches etcd on that namespace's loopback.
        using var dir = new TempDirectory("cni-bench");
        var host = "cnibh" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        const string EtcdUrl = "http://127.0.0.1:23790";
        var calicoctl = Path.GetFullPath("out/bin/calicoctl");
        var conf = $$"""{"cniVersion":"1.0.0","name":"bench","type":"calico","etcd_endpoints":"{{EtcdUrl}}","nodename":"bench-node","log_level":"error","log_file_path":"{{dir.File("cni.log")}}","ipam_lock_file":"{{dir.File("ipam.lock")}}","ipam":{"type":"calico-ipam"} }""";
        await Sh($"ip netns add {host} && ip -n {host} link set lo up");
        using var etcd = Process.Start(new ProcessStartInfo("ip")
        {
            ArgumentList = { "netns", "exec", host, Prerequisites.Require("etcd"), "--data-dir", dir.File("etcd"), "--listen-client-urls", EtcdUrl, "--advertise-client-urls", EtcdUrl, "--listen-peer-urls", "http://127.0.0.1:23800", "--log-level", "error" },
            UseShellExecute = false,
            RedirectStandardError = true,
        })!;
        _ = etcd.StandardError.ReadToEndAsync();
        try
        {
            await WaitForAsync($"ip netns exec {host} etcdctl --endpoints {EtcdUrl} endpoint health >/dev/null 2>&1");
            await Sh($"printf 'apiVersion: projectcalico.org/v3\\nkind: IPPool\\nmetadata:\\n  name: bench\\nspec:\\n  cidr: 10.99.0.0/16\\n  blockSize: 26\\n' | ETCD_ENDPOINTS={EtcdUrl} ip netns exec {host} {calicoctl} apply -f - >/dev/null");
            await RunBenchAsync(plugin, host, conf, EtcdUrl);
        }
        finally
        {
            etcd.Kill();
            await etcd.WaitForExitAsync();
            await RunShell($"ip netns del {host} 2>/dev/null || true");
        }
    }

    private static async Task RunBenchAsync(string plugin, string host, string conf, string etcdUrl)
    {
        var namespaces = new List<string>();
        try
        {
            for (var i = 0; i < Math.Max(Sequential, Concurrent); i++)
            {
                namespaces.Add($"{host}-{i}");
            }

            await Sh(string.Join(" && ", namespaces.Select(n => $"ip netns add {n}")));
            var adds = new List<double>();
            var dels = new List<double>();
            for (var i = 0; i < Sequential; i++)
            {
                var id = "seq" + i.ToString(CultureInfo.InvariantCulture) + "x0123456789";
                adds.Add(await ExecAsync(plugin, host, "ADD", id, namespaces[i], conf));
                dels.Add(await ExecAsync(plugin, host, "DEL", id, namespaces[i], conf));
            }

            Stats.Row("cni ADD exec-to-result p50", Stats.F(Stats.Percentile(adds, 50), "ms"));
            Stats.Row("cni ADD exec-to-result p99", Stats.F(Stats.Percentile(adds, 99), "ms"));
            Stats.Row("cni DEL exec-to-result p50", Stats.F(Stats.Percentile(dels, 50), "ms"));
            Stats.Row("cni DEL exec-to-result p99", Stats.F(Stats.Percentile(dels, 99), "ms"));

            var outputs = new string[Concurrent];
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(async i =>
                outputs[i] = (await RunAsync(plugin, host, "ADD", "par" + i.ToString(CultureInfo.InvariantCulture) + "x0123456789", namespaces[i], conf)).Stdout));
            sw.Stop();
            var addresses = outputs.Select(o => JsonDocument.Parse(o).RootElement.TryGetProperty("ips", out var ips) ? ips[0].GetProperty("address").GetString() : null).ToList();
            Stats.Row($"cni {Concurrent} concurrent ADDs total", Stats.F(sw.Elapsed.TotalMilliseconds, "ms"));
            Stats.Row("cni concurrent ADD failures", Stats.F(addresses.Count(a => a is null), ""));
            Stats.Row("cni concurrent ADD duplicate addresses", Stats.F(addresses.Count - addresses.Distinct().Count(), ""));
            await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(i => RunAsync(plugin, host, "DEL", "par" + i.ToString(CultureInfo.InvariantCulture) + "x0123456789", namespaces[i], conf)));
            var leaked = await CountKeysAsync(host, etcdUrl, ResourceKeys.IpamHandlePrefix) + await CountKeysAsync(host, etcdUrl, "/calico/resources/v3/projectcalico.org/workloadendpoints/");
            Stats.Row("cni leaked handles + endpoints after DEL", Stats.F(leaked, ""));
        }
        finally
        {
            foreach (var n in namespaces)
            {
                await RunShell($"ip netns del {n} 2>/dev/null || true");
            }
        }
    }

    private static async Task<double> ExecAsync(string plugin, string host, string command, string id, string ns, string conf)
    {
        var start = Stopwatch.GetTimestamp();
        var r = await RunAsync(plugin, host, command, id, ns, conf);
        var ms = Stats.Ms(Stopwatch.GetTimestamp() - start);
        if (r.Exit != 0)
        {
            throw new InvalidOperationException($"{command} failed: {r.Stdout}");
        }

        return ms;
    }

    // The plugin is exec'd inside the host namespace through nsenter; nsenter's own cost (~1 ms) is included.
    private static async Task<(int Exit, string Stdout)> RunAsync(string plugin, string host, string command, string id, string ns, string conf)
    {
        var info = new ProcessStartInfo("nsenter") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add($"--net=/var/run/netns/{host}");
        info.ArgumentList.Add(plugin);
        info.Environment["CNI_COMMAND"] = command;
        info.Environment["CNI_CONTAINERID"] = id;
        info.Environment["CNI_NETNS"] = "/var/run/netns/" + ns;
        info.Environment["CNI_IFNAME"] = "eth0";
        info.Environment["CNI_PATH"] = Path.GetDirectoryName(plugin)!;
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardInput.WriteAsync(conf);
        p.StandardInput.Close();
        await p.WaitForExitAsync();
        await stderr;
        return (p.ExitCode, await stdout);
    }

    private static async Task<int> CountKeysAsync(string host, string etcdUrl, string prefix)
    {
        using var p = Process.Start(new ProcessStartInfo("ip") { ArgumentList = { "netns", "exec", host, "etcdctl", "--endpoints", etcdUrl, "get", "--prefix", "--keys-only", prefix }, RedirectStandardOutput = true, UseShellExecute = false })!;
        var text = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    private static async Task WaitForAsync(string script)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await RunShell(script) == 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("timed out waiting for: " + script);
    }

    private static async Task Sh(string script)
    {
        if (await RunShell(script) != 0)
        {
            throw new InvalidOperationException("failed: " + script);
        }
    }

    private static async Task<int> RunShell(string script)
    {
        using var p = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", script }, UseShellExecute = false })!;
        await p.WaitForExitAsync();
        return p.ExitCode;
    }
}
