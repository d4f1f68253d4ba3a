using Calico.Felix.Config;
using static Calico.Felix.Tests.Config.LoaderHarness;

namespace Calico.Felix.Tests.Config;

[Trait("Tier", "Unit")]
public sealed class FelixConfigFileTests
{
    [Theory]
    [InlineData("[global]\nLogSeverityScreen = debug\n", "LogSeverityScreen", "debug")]
    [InlineData("[global]\nLogSeverityScreen=debug", "LogSeverityScreen", "debug")]
    [InlineData("[global]\r\nLogSeverityScreen: debug\r\n", "LogSeverityScreen", "debug")]
    [InlineData("[global]\nLogPrefix = \"my # prefix\"\n", "LogPrefix", "my # prefix")]
    [InlineData("[global]\nLogPrefix = 'quoted'\n", "LogPrefix", "quoted")]
    [InlineData("[global]\nHealthPort = 9200 # inline comment\n", "HealthPort", "9200")]
    [InlineData("[global]\nHealthPort = 9200 ; inline comment\n", "HealthPort", "9200")]
    [InlineData("HealthPort = 1\n", "HealthPort", "1")]
    [InlineData("[global]\nEtcdEndpoints = http://a:2379\n", "EtcdEndpoints", "http://a:2379")]
    public void Parse_ValidLine_YieldsEntry(string text, string key, string value)
    {
        var (entries, problems) = FelixConfigFile.Parse(text);

        Assert.Empty(problems);
        var entry = Assert.Single(entries);
        Assert.Equal(key, entry.Key);
        Assert.Equal(value, entry.Value);
    }

    [Fact]
    public void Parse_CommentsAndBlankLines_AreSkippedAndLinesCounted()
    {
        var (entries, problems) = FelixConfigFile.Parse("# comment\n; another\n\n[global]\n  RouteRefreshInterval = 10  \n");

        Assert.Empty(problems);
        var entry = Assert.Single(entries);
        Assert.Equal(new ConfigFileEntry("global", "RouteRefreshInterval", "10", 5), entry);
    }

    [Theory]
    [InlineData("[global]\nnonsense\n", "config file line 2: expected 'Name = value', got 'nonsense'")]
    [InlineData("[global\nA = 1\n", "config file line 1: unclosed section header '[global'")]
    [InlineData("[global]\n\n\n = 5\n", "config file line 4: missing parameter name in '= 5'")]
    public void Parse_MalformedLine_ReportsLineNumber(string text, string expected)
    {
        var (_, problems) = FelixConfigFile.Parse(text);

        var problem = Assert.Single(problems);
        Assert.Equal(expected, problem.Message);
        Assert.Equal(ConfigSource.ConfigFile, problem.Source);
    }

    [Fact]
    public void Load_MalformedLine_OtherLinesStillApply()
    {
        var result = Load(file: "[global]\nthis is not ini\nHealthEnabled = true\n");

        Assert.Single(result.Problems);
        Assert.True(result.Config.HealthEnabled);
    }

    [Fact]
    public void Load_DuplicateKey_LaterWinsWithWarning()
    {
        var result = Load(file: "[global]\nHealthPort = 1\nhealthport = 2\n");

        var problem = Assert.Single(result.Problems);
        Assert.Equal(ConfigProblemSeverity.Warning, problem.Severity);
        Assert.Equal("config file line 2: HealthPort is set again on line 3; line 3 wins", problem.Message);
        Assert.Equal(2, result.Config.HealthPort);
        Assert.Equal("config file line 3", result.Origins["HealthPort"].Location);
    }

    [Fact]
    public void Load_InvalidFileValue_NamesLine()
    {
        var result = Load(file: "[global]\n\nHealthPort = lots\n", global: Resource("default", s => s.HealthPort = 9300));

        var problem = Assert.Single(result.Problems);
        Assert.Equal("HealthPort='lots' (config file line 3): not an integer", problem.Message);
        Assert.Equal(9300, result.Config.HealthPort);
    }
}
