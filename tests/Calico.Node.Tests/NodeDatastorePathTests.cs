namespace Calico.Node.Tests;

[Trait("Tier", "Unit")]
public sealed class NodeDatastorePathTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("node-dspath-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_datastore_path_that_is_a_directory_exits_1_naming_the_variable()
    {
        var stderr = new StringWriter();
        var environment = new Dictionary<string, string>
        {
            ["NODENAME"] = "node1",
            ["DATASTORE_TYPE"] = "embedded",
            ["CALICO_DATASTORE_PATH"] = _dir,
            ["CALICO_STARTUP_LOGLEVEL"] = "error",
        };

        int code = await NodeCli.RunAsync([], environment, stderr, CancellationToken.None);

        Assert.Equal(1, code);
        Assert.Contains($"calico-node: error with field CALICO_DATASTORE_PATH = '{_dir}' (it is a directory", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr.ToString(), StringComparison.Ordinal);
    }
}
