using System.Diagnostics;
using System.Globalization;
using System.Text;
using Calico.Linux.Nft;
using Calico.TestKit;
using Xunit.Abstractions;

namespace Calico.Linux.Tests.Nft;

/// <summary>
/// Prints (never asserts) the cost of one set-element add over netlink against <c>nft -f</c>, on a table the size
/// of a busy node: 10,000 elements in the set and 1,000 chains of a few rules. nft fetches its cache of the table
/// first; the netlink batch does not.
/// </summary>
[Trait("Tier", "Root")]
public class NfTablesSetElementsMeasurementTests(ITestOutputHelper output)
{
    private const int Samples = 20;

    [Fact]
    public async Task Apply_OneElementOnLargeTable_PrintsNetlinkAndNftMedians()
    {
        Prerequisites.Require("nft");
        using var scope = new NetnsScope("calt-nfm");
        var build = Stopwatch.StartNew();
        await NftRunner.ApplyInAsync(scope.Path, LargeTable(), CancellationToken.None);
        build.Stop();
        using NfTablesSetElements elements = await NfTablesSetElements.OpenInAsync(scope.Path, CancellationToken.None);

        var netlink = new List<double>(Samples);
        for (int i = 0; i < Samples; i++)
        {
            SetElementChange[] change = [new("cali40s_big", NftSetKind.Ipv4Prefix, true, string.Create(CultureInfo.InvariantCulture, $"172.16.0.{i}"))];
            long started = Stopwatch.GetTimestamp();
            elements.Apply("inet", "calico", change);
            netlink.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var nft = new List<double>(Samples);
        var nftChild = new List<double>(Samples);
        for (int i = 0; i < Samples; i++)
        {
            string script = string.Create(CultureInfo.InvariantCulture, $"add element inet calico cali40s_big {{ 172.17.0.{i} }}\n");
            long started = Stopwatch.GetTimestamp();
            NftResult result = await NftRunner.ApplyInAsync(scope.Path, script, CancellationToken.None);
            nft.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            nftChild.Add(result.Duration.TotalMilliseconds);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"table: 10,000 elements in cali40s_big, 1,000 chains x 3 rules; built by one nft -f in {build.Elapsed.TotalMilliseconds:F0} ms"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"one element add, median of {Samples}: netlink batch {Median(netlink):F3} ms; nft -f via nsenter {Median(nft):F1} ms (child start to exit {Median(nftChild):F1} ms)"));
    }

    private static string LargeTable()
    {
        var script = new StringBuilder(2 * 1024 * 1024);
        script.Append("table inet calico {\n  set cali40s_big {\n    type ipv4_addr; flags interval;\n    elements = { ");
        for (int i = 0; i < 10_000; i++)
        {
            script.Append(CultureInfo.InvariantCulture, $"10.{i >> 8}.{i & 255}.1").Append(i + 1 < 10_000 ? ", " : " }\n  }\n");
        }

        for (int i = 0; i < 1_000; i++)
        {
            script.Append(CultureInfo.InvariantCulture, $"  chain cali-pi-policy{i} {{\n");
            script.Append("    ip saddr @cali40s_big tcp dport 80 counter accept\n");
            script.Append(CultureInfo.InvariantCulture, $"    ip daddr 10.{i >> 8}.{i & 255}.0/24 udp dport 53 counter accept\n");
            script.Append("    meta mark set mark | 0x10000 counter return\n  }\n");
        }

        script.Append("}\n");
        return script.ToString();
    }

    private static double Median(List<double> samples)
    {
        samples.Sort();
        return (samples[(samples.Count - 1) / 2] + samples[samples.Count / 2]) / 2;
    }
}
