using Calico.KubeControllers.Health;
using Calico.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace Calico.KubeControllers.Tests;

[Trait("Tier", "Unit")]
public sealed class CheckStatusTests : IDisposable
{
    private readonly TempDirectory _dir = new("kc-status");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private async Task<(int Exit, string Output)> CheckAsync(params string[] args)
    {
        using var output = new StringWriter();
        int exit = await CheckStatusCommand.RunAsync(args, output, _time);
        return (exit, output.ToString().Trim());
    }

    [Theory]
    [InlineData("-r")]
    [InlineData("-l")]
    public async Task AllConditionsReady_ExitZero(string flag)
    {
        var status = new StatusFile(_dir.File("status.json"), _time);
        status.SetReady("Startup", true, "");
        status.SetReady("CalicoDatastore", true, "");
        Assert.Equal((0, "Ready"), await CheckAsync(flag, "-f", status.Path));
    }

    [Fact]
    public async Task ConditionNotReady_ExitOneWithReason()
    {
        var status = new StatusFile(_dir.File("status.json"), _time);
        status.SetReady("Startup", true, "");
        status.SetReady("CalicoDatastore", false, "Error verifying datastore: connection refused");
        var (exit, output) = await CheckAsync("-r", "--file", status.Path);
        Assert.Equal(1, exit);
        Assert.Equal("Error verifying datastore: connection refused", output);
    }

    [Fact]
    public async Task StaleFile_ExitOne()
    {
        var status = new StatusFile(_dir.File("status.json"), _time);
        status.SetReady("Startup", true, "");
        _time.Advance(TimeSpan.FromMinutes(2));
        var (exit, output) = await CheckAsync("-l", "-f", status.Path);
        Assert.Equal(1, exit);
        Assert.Contains("not running", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFile_NoFlag_UnknownFlag_ExitOne()
    {
        var (exit, output) = await CheckAsync("-r", "-f", _dir.File("absent.json"));
        Assert.Equal(1, exit);
        Assert.StartsWith("Failed to read status file", output, StringComparison.Ordinal);
        Assert.Equal((1, "No command specified to check-status"), await CheckAsync());
        Assert.Equal(1, (await CheckAsync("-r", "--bogus")).Exit);
    }
}
