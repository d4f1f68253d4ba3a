using System.Text;

namespace Calico.Cni.Tests;

/// <summary>Hostile network configurations: a CNI error naming the problem, never a crash.</summary>
[Trait("Tier", "Unit")]
public sealed class ConfigBoundsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cni-bounds-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("ADD")]
    [InlineData("DEL")]
    [InlineData("CHECK")]
    [InlineData("STATUS")]
    public async Task Command_Config100000Deep_DecodeError(string command)
    {
        var sb = new StringBuilder("""{"cniVersion":"1.0.0","name":"n","type":"calico","ipam":{"type":"calico-ipam"},"args":""");
        for (var i = 0; i < 100_000; i++)
        {
            sb.Append("{\"a\":");
        }

        sb.Append('1').Append('}', 100_001);

        var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env(command), sb.ToString());

        Assert.NotEqual(0, outcome.ExitCode);
        Assert.Equal(6, outcome.ErrorCode);
        Assert.Contains("network configuration on stdin is not valid: nested deeper than 100 levels", outcome.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("{\"a\":", "}")]
    public async Task Add_Config100000DeepArrayOrObjectAtRoot_DecodeError(string open, string close)
    {
        var text = string.Concat(Enumerable.Repeat(open, 100_000)) + "1" + string.Concat(Enumerable.Repeat(close, 100_000));

        var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("ADD"), text);

        Assert.Equal(6, outcome.ErrorCode);
    }

    [Fact]
    public async Task Add_DatastorePathIsDirectory_InvalidConfigNamingSetting()
    {
        var conf = $$$"""{"cniVersion":"1.0.0","name":"n","type":"calico","datastore_type":"embedded","datastore_path":"{{{_dir}}}","log_level":"none","nodename":"node1","ipam":{"type":"calico-ipam"}}""";

        var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("ADD"), conf);

        Assert.Equal(7, outcome.ErrorCode);
        Assert.Contains($"datastore_path = '{_dir}'", outcome.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("is a directory", outcome.ErrorMessage, StringComparison.Ordinal);
    }
}
