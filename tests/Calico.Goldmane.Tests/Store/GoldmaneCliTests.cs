using Calico.Goldmane.Host;

namespace Calico.Goldmane.Tests.Store;

[Trait("Tier", "Unit")]
public sealed class GoldmaneCliTests
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Fact]
    public void DefaultsAreUpstreamsPortsAndBuckets()
    {
        var options = GoldmaneCli.Parse([], NoEnvironment)!;

        Assert.Equal((7443, 8081, 15, 242), (options.GrpcPort, options.HttpPort, options.Store.BucketSeconds, options.Store.BucketCount));
        Assert.Null(options.ListenAddress);
        Assert.Null(options.TlsCert);
    }

    [Fact]
    public void FlagsWinOverUpstreamsEnvironment()
    {
        var environment = new Dictionary<string, string> { ["PORT"] = "9000", ["AGGREGATION_WINDOW"] = "30s" };

        var options = GoldmaneCli.Parse(["--window=1m", "--listen-address", "::1", "--max-flows", "10"], environment)!;

        Assert.Equal((9000, 60, 10), (options.GrpcPort, options.Store.BucketSeconds, options.Store.MaxFlows));
        Assert.Equal("::1", options.ListenAddress!.ToString());
    }

    [Theory]
    [InlineData("--port", "0", "--port: \"0\"")]
    [InlineData("--window", "15x", "--window: \"15x\"")]
    [InlineData("--buckets", "2", "--buckets: 2")]
    [InlineData("--listen-address", "nowhere", "--listen-address: \"nowhere\"")]
    [InlineData("--tls-cert", "/nonexistent.pem", "--tls-cert: \"/nonexistent.pem\" given without --tls-key")]
    [InlineData("--http-port", "7443", "--http-port: 7443")]
    [InlineData("--log-level", "loud", "--log-level: \"loud\"")]
    public void BadValueNamesTheFlagAndTheValue(string flag, string value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => GoldmaneCli.Parse([flag, value], NoEnvironment));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadEnvironmentValueNamesTheVariable()
    {
        var error = Assert.Throws<ArgumentException>(() => GoldmaneCli.Parse([], new Dictionary<string, string> { ["AGGREGATION_WINDOW"] = "soon" }));

        Assert.StartsWith("AGGREGATION_WINDOW: \"soon\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFlagAndHelp()
    {
        Assert.StartsWith("--colour: unknown flag", Assert.Throws<ArgumentException>(() => GoldmaneCli.Parse(["--colour"], NoEnvironment)).Message, StringComparison.Ordinal);
        Assert.Null(GoldmaneCli.Parse(["--help"], NoEnvironment));
    }
}
