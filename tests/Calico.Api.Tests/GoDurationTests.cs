namespace Calico.Api.Tests;

/// <summary>Go's time.ParseDuration, including its own test table (time_test.go parseDurationTests).</summary>
[Trait("Tier", "Unit")]
public sealed class GoDurationTests
{
    private const long Ns = 1;
    private const long Us = 1_000;
    private const long Ms = 1_000_000;
    private const long S = 1_000_000_000;
    private const long M = 60 * S;
    private const long H = 60 * M;

    public static TheoryData<string, long> Valid => new()
    {
        // The cases our issue names.
        { "1h2m3.5s", H + (2 * M) + (3 * S) + (500 * Ms) },
        { "-1.5h", -(H + (30 * M)) },
        { "0", 0 },
        { "300ms", 300 * Ms },
        { "1\u00b5s", Us },
        // Go's table.
        { "5s", 5 * S },
        { "30s", 30 * S },
        { "1478s", 1478 * S },
        { "-5s", -5 * S },
        { "+5s", 5 * S },
        { "-0", 0 },
        { "+0", 0 },
        { "5.0s", 5 * S },
        { "5.6s", (5 * S) + (600 * Ms) },
        { "5.s", 5 * S },
        { ".5s", 500 * Ms },
        { "1.0s", S },
        { "1.00s", S },
        { "1.004s", S + (4 * Ms) },
        { "1.0040s", S + (4 * Ms) },
        { "100.00100s", (100 * S) + Ms },
        { "10ns", 10 * Ns },
        { "11us", 11 * Us },
        { "12\u00b5s", 12 * Us },
        { "12\u03bcs", 12 * Us },
        { "13ms", 13 * Ms },
        { "14s", 14 * S },
        { "15m", 15 * M },
        { "16h", 16 * H },
        { "3h30m", (3 * H) + (30 * M) },
        { "10.5s4m", (4 * M) + (10 * S) + (500 * Ms) },
        { "-2m3.4s", -((2 * M) + (3 * S) + (400 * Ms)) },
        { "1h2m3s4ms5us6ns", H + (2 * M) + (3 * S) + (4 * Ms) + (5 * Us) + (6 * Ns) },
        { "39h9m14.425s", (39 * H) + (9 * M) + (14 * S) + (425 * Ms) },
        { "52763797000ns", 52763797000 * Ns },
        { "0.3333333333333333333h", 20 * M },
        { "9007199254740993ns", (1L << 53) + 1 },
        { "9223372036854775807ns", long.MaxValue },
        { "9223372036854775.807us", long.MaxValue },
        { "9223372036s854ms775us807ns", long.MaxValue },
        { "-9223372036854775808ns", long.MinValue },
        { "-9223372036854775.808us", long.MinValue },
        { "-9223372036s854ms775us808ns", long.MinValue },
        { "-2562047h47m16.854775808s", long.MinValue },
        { "0.100000000000000000000h", 6 * M },
        { "0.830103483285477580700h", (49 * M) + (48 * S) + (372539827 * Ns) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void TryParse_ValidGoDuration_ReturnsNanoseconds(string text, long expected)
    {
        Assert.True(GoDuration.TryParse(text, out var ns, out var error), error);
        Assert.Equal(expected, ns);
    }

    [Theory]
    [InlineData("abc", "time: invalid duration \"abc\"")]
    [InlineData("1e400s", "time: unknown unit \"e\" in duration \"1e400s\"")]
    [InlineData("99999999999h", "time: invalid duration \"99999999999h\"")]
    [InlineData("1", "time: missing unit in duration \"1\"")]
    [InlineData("", "time: invalid duration \"\"")]
    // Go's table.
    [InlineData("3", "time: missing unit in duration \"3\"")]
    [InlineData("-", "time: invalid duration \"-\"")]
    [InlineData("s", "time: invalid duration \"s\"")]
    [InlineData(".", "time: invalid duration \".\"")]
    [InlineData("-.", "time: invalid duration \"-.\"")]
    [InlineData(".s", "time: invalid duration \".s\"")]
    [InlineData("+.s", "time: invalid duration \"+.s\"")]
    [InlineData("1d", "time: unknown unit \"d\" in duration \"1d\"")]
    [InlineData("\u0085\u0085", "time: invalid duration \"\\x85\\x85\"")]
    [InlineData("9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\"")]
    [InlineData("9223372036854775.808us", "time: invalid duration \"9223372036854775.808us\"")]
    [InlineData("9223372036854ms775us808ns", "time: invalid duration \"9223372036854ms775us808ns\"")]
    [InlineData("-9223372036854775809ns", "time: invalid duration \"-9223372036854775809ns\"")]
    [InlineData("2562048h", "time: invalid duration \"2562048h\"")]
    [InlineData("1h 2m", "time: unknown unit \"h \" in duration \"1h 2m\"")]
    [InlineData(" 1s", "time: invalid duration \" 1s\"")]
    public void TryParse_InvalidGoDuration_FailsWithGoMessage(string text, string message)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var error));
        Assert.Equal(message, error);
    }

    [Fact]
    public void TryParse_Null_Fails() => Assert.False(GoDuration.TryParse(null, out _));

    [Fact]
    public void ToTimeSpan_DropsSubTickRemainder() =>
        Assert.Equal(TimeSpan.FromTicks(15), GoDuration.ToTimeSpan(1_599));
}
