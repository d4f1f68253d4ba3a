using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Calico.Datastore;

namespace Calico.Benchmarks;

/// <summary>
/// The raw work our agent is compared with, measured in the same run: watch delivery of the embedded datastore,
/// <c>nft -f</c> of the same table and of one-element and one-chain deltas against it, <c>ip -batch</c> of the same
/// routes. Commands run in a namespace through <c>nsenter --net</c>; its own exec cost is measured and subtracted.
/// </summary>
internal static partial class ControlAnchors
{
    /// <summary>Write (returned) → event on a second store instance on the same file (another process's view).</summary>
    public static async Task<List<double>> EmbeddedWatchDeliveryAsync(string datastorePath, int writes, int gapMs = 2)
    {
        const string Prefix = "/calico/bench/watch-anchor/";
        await using var writer = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedCreate = true, EmbeddedPath = datastorePath });
        await using var watcher = DatastoreFactory.Open(new DatastoreOptions { Type = DatastoreType.Embedded, EmbeddedCreate = true, EmbeddedPath = datastorePath });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var from = (await watcher.ListAsync(Prefix, cts.Token)).Revision;
        var sent = new long[writes];
        var samples = new List<double>(writes);
        var watching = Task.Run(async () =>
        {
            await foreach (var e in watcher.WatchAsync(Prefix, from, cts.Token))
            {
                var now = Stopwatch.GetTimestamp();
                var index = int.Parse(e.Key.AsSpan(Prefix.Length), CultureInfo.InvariantCulture);
                samples.Add(Stats.Ms(now - Volatile.Read(ref sent[index])));
                if (samples.Count == writes)
                {
                    return;
                }
            }
        }, cts.Token);
        await Task.Delay(100, cts.Token);
        for (var i = 0; i < writes; i++)
        {
            var key = Prefix + i.ToString(CultureInfo.InvariantCulture);
            Volatile.Write(ref sent[i], Stopwatch.GetTimestamp()); // an event that beats the write's return counts from its start
            await writer.UpdateAsync(key, Encoding.UTF8.GetBytes("{\"anchor\":" + i.ToString(CultureInfo.InvariantCulture) + "}"), 0, cts.Token);
            Volatile.Write(ref sent[i], Stopwatch.GetTimestamp());
            await Task.Delay(gapMs, cts.Token);
        }

        await watching;
        foreach (var kv in (await writer.ListAsync(Prefix, cts.Token)).Items)
        {
            await writer.DeleteAsync(kv.Key, 0, cts.Token);
        }

        return samples;
    }

    /// <summary><c>nft list table inet calico</c> in the namespace: the kernel's own text of what the agent programmed.</summary>
    public static async Task<string> ListTableAsync(string netnsPath)
    {
        var (exit, output, error) = await ControlHost.RunAsync("nsenter", [$"--net={netnsPath}", "nft", "list", "table", "inet", "calico"], null);
        return exit == 0 ? output : throw new InvalidOperationException("nft list table failed: " + error);
    }

    /// <summary>Median wall time of <c>nsenter --net=ns /bin/true</c>, the exec overhead included in every other figure.</summary>
    public static async Task<double> NsenterFloorMsAsync(string netnsPath)
    {
        var samples = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            samples.Add(await TimeAsync("nsenter", [$"--net={netnsPath}", "/bin/true"], null));
        }

        return Stats.Percentile(samples, 50);
    }

    /// <summary>Wall time of one <c>nft -f -</c> with <paramref name="script"/> in the namespace (throws if nft fails).</summary>
    public static Task<double> NftMsAsync(string netnsPath, string script) => TimeAsync("nsenter", [$"--net={netnsPath}", "nft", "-f", "-"], script);

    /// <summary>Wall time of one <c>ip -batch -</c> in the namespace.</summary>
    public static Task<double> IpBatchMsAsync(string netns, IReadOnlyList<string> lines) =>
        TimeAsync("ip", ["-n", netns, "-batch", "-"], string.Join('\n', lines) + "\n");

    /// <summary>The first named set of IPv4 addresses in a listing, for the one-element delta.</summary>
    public static string? FirstIpv4Set(string listing)
    {
        var m = SetHeader().Match(listing);
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>The first policy or endpoint chain (<c>cali-pi-…</c>, <c>cali-tw-…</c>; merged rule runs may leave no policy chain) with its rules, for the one-chain refill anchor.</summary>
    public static (string Chain, List<string> Rules)? FirstPolicyChain(string listing)
    {
        var lines = listing.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var m = PolicyChainHeader().Match(lines[i]);
            if (!m.Success)
            {
                continue;
            }

            var rules = new List<string>();
            for (var j = i + 1; j < lines.Length && lines[j].Trim() != "}"; j++)
            {
                if (lines[j].Trim().Length > 0)
                {
                    rules.Add(lines[j].Trim());
                }
            }

            return (m.Groups[1].Value, rules);
        }

        return null;
    }

    /// <summary>IPv4 routes the agent programmed to workload interfaces, as <c>ip route</c> prints them.</summary>
    public static async Task<List<string>> WorkloadRoutesAsync(string netns)
    {
        var (exit, output, error) = await ControlHost.RunAsync("ip", ["-n", netns, "-4", "route", "show"], null);
        if (exit != 0)
        {
            throw new InvalidOperationException("ip route show failed: " + error);
        }

        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains(" dev cali", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
    }

    private static async Task<double> TimeAsync(string program, string[] arguments, string? stdin)
    {
        var start = Stopwatch.GetTimestamp();
        var (exit, _, error) = await ControlHost.RunAsync(program, arguments, stdin);
        var ms = Stats.Ms(Stopwatch.GetTimestamp() - start);
        return exit == 0 ? ms : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {error}");
    }

    [GeneratedRegex(@"\n\s*set (cali40\S+) \{\s*\n\s*type ipv4_addr")]
    private static partial Regex SetHeader();

    [GeneratedRegex(@"^\s*chain (cali-(?:pi|po|tw|fw)-\S+) \{")]
    private static partial Regex PolicyChainHeader();
}
