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
/// etcd, each workload in its own netns inside a host netns, beside two exec floors measured in the same loop
/// (nsenter /bin/true, and the plugin's VERSION command), with the plugin's own per-step trace (CALICO_CNI_PHASES)
/// split into a median per step; then 100 concurrent ADDs, three rounds (total, duplicates, leaks, lock waits).
/// Needs root.
/// </summary>
internal static class CniBenchmarks
{
    private const int Sequential = 100;
    private const int Concurrent = 100;
    private const int ConcurrentRounds = 3;
    private const int WarmUp = 3;

    public static async Task RunAsync()
    {
        // CALICO_CNI_BENCH_PLUGIN picks another build (e.g. main's, for a before/after on one machine).
        var plugin = Path.GetFullPath(Environment.GetEnvironmentVariable("CALICO_CNI_BENCH_PLUGIN") is { Length: > 0 } other ? other : "out/bin/calico");
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

            // Each iteration runs the two exec floors and then ADD and DEL, so the anchors see the same machine load as
            // the calls they anchor. The first WarmUp iterations are not counted (page cache, etcd's first writes).
            var adds = new List<double>();
            var dels = new List<double>();
            var floorTrue = new List<double>();
            var floorVersion = new List<double>();
            var floorVersionCpu = new List<double>();
            var phases = new List<PhaseTrace>();
            for (var i = -WarmUp; i < Sequential; i++)
            {
                var ns = namespaces[Math.Max(i, 0)];
                var id = "seq" + (i + WarmUp).ToString(CultureInfo.InvariantCulture) + "x0123456789";
                var t = await ExecAsync("/bin/true", host, "VERSION", id, ns, conf);
                var v = await ExecAsync(plugin, host, "VERSION", id, ns, conf);
                var add = await ExecAsync(plugin, host, "ADD", id, ns, conf);
                var del = await ExecAsync(plugin, host, "DEL", id, ns, conf);
                if (i < 0)
                {
                    continue;
                }

                floorTrue.Add(t.Ms);
                floorVersion.Add(v.Ms);
                floorVersionCpu.Add(v.Phases?.CpuMs ?? double.NaN);
                adds.Add(add.Ms);
                dels.Add(del.Ms);
                if (add.Phases is { } trace)
                {
                    phases.Add(trace);
                }
            }

            Stats.Row("exec floor: nsenter /bin/true", Spread.Of(floorTrue).Format(" ms"));
            Stats.Row("exec floor: nsenter calico VERSION", Spread.Of(floorVersion).Format(" ms"));
            Stats.Row("exec floor: calico VERSION CPU time", Spread.Of(floorVersionCpu).Format(" ms"));
            Stats.Row("cni ADD exec-to-result", Spread.Of(adds).Format(" ms"));
            Stats.Row("cni ADD exec-to-result p50", Stats.F(Stats.Percentile(adds, 50), "ms"));
            Stats.Row("cni ADD exec-to-result p99", Stats.F(Stats.Percentile(adds, 99), "ms"));
            Stats.Row("cni DEL exec-to-result p50", Stats.F(Stats.Percentile(dels, 50), "ms"));
            Stats.Row("cni DEL exec-to-result p99", Stats.F(Stats.Percentile(dels, 99), "ms"));
            PrintPhases("ADD", phases);
            AimReport.RecordAtMost("cni ADD exec-to-result p50", Stats.Percentile(adds, 50), "ms", 10);
            AimReport.RecordAtMost("cni ADD exec-to-result p99", Stats.Percentile(adds, 99), "ms", 30);

            var totals = new List<double>();
            for (var round = 0; round < ConcurrentRounds; round++)
            {
                totals.Add(await ConcurrentRoundAsync(plugin, host, conf, etcdUrl, namespaces, round));
            }

            Stats.Row($"cni {Concurrent} concurrent ADDs total", Spread.Of(totals).Format(" ms"));
            AimReport.RecordAtMost($"cni {Concurrent} concurrent ADDs total (median of {ConcurrentRounds})", Spread.Of(totals).Median, "ms", 2000);
        }
        finally
        {
            foreach (var n in namespaces)
            {
                await RunShell($"ip netns del {n} 2>/dev/null || true");
            }
        }
    }

    /// <summary>100 ADDs at once (total time, failures, duplicates, how long each waited for the IPAM lock), then 100 DELs and a leak count.</summary>
    private static async Task<double> ConcurrentRoundAsync(string plugin, string host, string conf, string etcdUrl, List<string> namespaces, int round)
    {
        var prefix = "par" + round.ToString(CultureInfo.InvariantCulture) + "n";
        var outputs = new (int Exit, string Stdout, string Stderr)[Concurrent];
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(async i =>
            outputs[i] = await RunAsync(plugin, host, "ADD", prefix + i.ToString(CultureInfo.InvariantCulture) + "x0123456789", namespaces[i], conf)));
        sw.Stop();
        var addresses = outputs.Select(o => o.Exit == 0 && JsonDocument.Parse(o.Stdout).RootElement.TryGetProperty("ips", out var ips) ? ips[0].GetProperty("address").GetString() : null).ToList();
        var traces = outputs.Select(o => PhaseTrace.Parse(o.Stderr, 0)).OfType<PhaseTrace>().ToList();
        Console.WriteLine($"   round {round + 1}: {Concurrent} concurrent ADDs {sw.Elapsed.TotalMilliseconds:F0} ms");
        Stats.Row("cni concurrent ADD failures", Stats.F(addresses.Count(a => a is null), ""));
        Stats.Row("cni concurrent ADD duplicate addresses", Stats.F(addresses.Count(a => a is not null) - addresses.Where(a => a is not null).Distinct().Count(), ""));
        Stats.Row("cni concurrent ADD: wait for the IPAM lock", Spread.Of(traces.Where(t => t.Has("ready") && t.Has("locked")).Select(t => t.Step("ready", "locked")).ToList()).Format(" ms"));
        Stats.Row("cni concurrent ADD: process entry to result", Spread.Of(traces.Where(t => t.Has("result")).Select(t => t.At("result")).ToList()).Format(" ms"));
        Stats.Row("cni concurrent ADD: etcd first call (connect)", Spread.Of(traces.Select(t => t.EtcdFirst).ToList()).Format(" ms"));
        await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(i => RunAsync(plugin, host, "DEL", prefix + i.ToString(CultureInfo.InvariantCulture) + "x0123456789", namespaces[i], conf)));
        var leaked = await CountKeysAsync(host, etcdUrl, ResourceKeys.IpamHandlePrefix) + await CountKeysAsync(host, etcdUrl, "/calico/resources/v3/projectcalico.org/workloadendpoints/");
        Stats.Row("cni leaked handles + endpoints after DEL", Stats.F(leaked, ""));
        return sw.Elapsed.TotalMilliseconds;
    }

    /// <summary>The median of each step of the plugin's own trace (CALICO_CNI_PHASES), exec start to process exit.</summary>
    private static void PrintPhases(string command, List<PhaseTrace> traces)
    {
        Console.WriteLine($"  {command} phase split (median, min–max over {traces.Count} calls; ms):");
        Stats.Row("  exec -> process entry (nsenter, exec, runtime start)", Spread.Of(traces.Select(t => t.EntryAfterExec).ToList()).Format());
        var names = traces.Count == 0 ? [] : traces[0].Marks.Select(m => m.Name).ToList();
        var previous = "entry";
        foreach (var name in names)
        {
            Stats.Row($"  {previous} -> {name}", Spread.Of(traces.Where(t => t.Has(name) && (previous == "entry" || t.Has(previous))).Select(t => t.Step(previous, name)).ToList()).Format());
            previous = name;
        }

        Stats.Row($"  {previous} -> exit seen by the caller", Spread.Of(traces.Select(t => t.ExitAfterEnd).ToList()).Format());
        Stats.Row("  plugin CPU time (user + system)", Spread.Of(traces.Select(t => t.CpuMs).ToList()).Format());
        Stats.Row("  etcd sequential round trips", Spread.Of(traces.Select(t => (double)t.EtcdTrips).ToList()).Format());
        Stats.Row("  etcd first call (opens the connection)", Spread.Of(traces.Select(t => t.EtcdFirst).ToList()).Format());
        Stats.Row("  etcd calls", traces.Count == 0 ? "" : traces[traces.Count / 2].EtcdCalls);
    }

    private static async Task<(double Ms, PhaseTrace? Phases)> ExecAsync(string plugin, string host, string command, string id, string ns, string conf)
    {
        var startUnixUs = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        var start = Stopwatch.GetTimestamp();
        var r = await RunAsync(plugin, host, command, id, ns, conf);
        var ms = Stats.Ms(Stopwatch.GetTimestamp() - start);
        if (r.Exit != 0)
        {
            throw new InvalidOperationException($"{command} failed: {r.Stdout} {r.Stderr}");
        }

        var trace = PhaseTrace.Parse(r.Stderr, startUnixUs);
        if (trace is not null)
        {
            trace.ExitAfterEnd = ms - trace.EntryAfterExec - trace.At("end");
        }

        return (ms, trace);
    }

    // The plugin is exec'd inside the host namespace through nsenter; nsenter's own cost (~1 ms) is included.
    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string plugin, string host, string command, string id, string ns, string conf)
    {
        var info = new ProcessStartInfo("nsenter") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add($"--net=/var/run/netns/{host}");
        info.ArgumentList.Add(plugin);
        info.Environment["CNI_COMMAND"] = command;
        info.Environment["CNI_CONTAINERID"] = id;
        info.Environment["CNI_NETNS"] = "/var/run/netns/" + ns;
        info.Environment["CNI_IFNAME"] = "eth0";
        info.Environment["CNI_PATH"] = Path.GetDirectoryName(plugin)!;
        info.Environment["CALICO_CNI_PHASES"] = "1";
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            await p.StandardInput.WriteAsync(conf);
            p.StandardInput.Close();
        }
        catch (IOException)
        {
            // /bin/true (the exec floor) exits without reading its input.
        }

        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
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
