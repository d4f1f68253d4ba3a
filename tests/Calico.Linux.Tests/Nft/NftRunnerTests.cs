using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Calico.Linux.Nft;
using Calico.TestKit;
using Xunit.Abstractions;

namespace Calico.Linux.Tests.Nft;

/// <summary>Root tier: the real nft binary inside namespaces each test creates.</summary>
[Trait("Tier", "Root")]
public class NftRunnerTests(ITestOutputHelper output)
{
    private const string BaseTable = """
        table inet calico {
          chain cali-FORWARD {
            type filter hook forward priority filter; policy accept;
            counter
          }
        }
        """;

    [Fact]
    public async Task ApplyIn_Script_CreatesTableListedAsJson()
    {
        Prerequisites.Require("nft");
        using var scope = new NetnsScope("calt-nft");

        NftResult result = await NftRunner.ApplyInAsync(scope.Path, BaseTable, CancellationToken.None);

        Assert.True(result.Duration > TimeSpan.Zero);
        string? json = await NftRunner.ListTableJsonInAsync(scope.Path, "inet", "calico", CancellationToken.None);
        Assert.NotNull(json);
        Assert.Equal(["cali-FORWARD"], ChainNames(json));
        (int exit, string upstream, _) = scope.Exec("nft", "-j", "list", "ruleset");
        Assert.Equal(0, exit);
        Assert.Equal(["cali-FORWARD"], ChainNames(upstream));
    }

    [Fact]
    public async Task ApplyIn_LastCommandFails_KeepsPreviousRulesetAndNamesTheLine()
    {
        Prerequisites.Require("nft");
        using var scope = new NetnsScope("calt-nft");
        await NftRunner.ApplyInAsync(scope.Path, BaseTable, CancellationToken.None);
        string? before = await NftRunner.ListTableJsonInAsync(scope.Path, "inet", "calico", CancellationToken.None);

        const string Broken = """
            add chain inet calico cali-new
            add rule inet calico cali-new counter accept
            add rule inet calico cali-no-such-chain accept
            """;
        NftException failure = await Assert.ThrowsAsync<NftException>(() => NftRunner.ApplyInAsync(scope.Path, Broken, CancellationToken.None));

        output.WriteLine(failure.Message);
        Assert.NotEqual(0, failure.ExitCode);
        Assert.Contains(":3:", failure.Error, StringComparison.Ordinal);
        Assert.Contains("cali-no-such-chain", failure.Error, StringComparison.Ordinal);
        string? after = await NftRunner.ListTableJsonInAsync(scope.Path, "inet", "calico", CancellationToken.None);
        Assert.Equal(["cali-FORWARD"], ChainNames(after!));
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task ListTableJsonIn_MissingTable_ReturnsNull()
    {
        Prerequisites.Require("nft");
        using var scope = new NetnsScope("calt-nft");

        Assert.Null(await NftRunner.ListTableJsonInAsync(scope.Path, "inet", "calico", CancellationToken.None));
    }

    [Theory]
    [InlineData("inet", "calico; flush ruleset")]
    [InlineData("inet x", "calico")]
    [InlineData("", "calico")]
    public async Task ListTableJson_InvalidNames_Throw(string family, string table)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => NftRunner.ListTableJsonAsync(family, table, CancellationToken.None));
    }

    [Fact]
    public async Task ApplyIn_PerCallOverhead_IsPrinted()
    {
        Prerequisites.Require("nft");
        using var scope = new NetnsScope("calt-nft");
        await NftRunner.ApplyInAsync(scope.Path, BaseTable, CancellationToken.None);
        const int Calls = 20;
        const string Script = "flush chain inet calico cali-FORWARD\nadd rule inet calico cali-FORWARD counter\n";

        var total = Stopwatch.StartNew();
        TimeSpan childTime = TimeSpan.Zero;
        for (int i = 0; i < Calls; i++)
        {
            childTime += (await NftRunner.ApplyInAsync(scope.Path, Script, CancellationToken.None)).Duration;
        }

        total.Stop();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"nft -f - (2 commands) via nsenter: {total.Elapsed.TotalMilliseconds / Calls:F2} ms per call, of which child start to exit {childTime.TotalMilliseconds / Calls:F2} ms"));
    }

    private static List<string> ChainNames(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        var names = new List<string>();
        foreach (JsonElement item in document.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("chain", out JsonElement chain))
            {
                names.Add(chain.GetProperty("name").GetString()!);
            }
        }

        return names;
    }
}
