using Calico.Ctl.Commands;

namespace Calico.Ctl.Tests;

/// <summary><c>calicoctl node diags</c> without root: flags refused by name before anything is collected, upstream's
/// root check, and the pure parts (which logs are kept, what is redacted).</summary>
[Trait("Tier", "Unit")]
public sealed class NodeDiagsTests
{
    private static readonly CtlRunner Ctl = new(new Dictionary<string, string>());

    [Theory]
    [InlineData("node diags --max-logs 0", "Invalid value for --max-logs: \"0\"")]
    [InlineData("node diags --max-logs -3", "Invalid value for --max-logs: \"-3\"")]
    [InlineData("node diags --max-logs many", "Invalid value for --max-logs: \"many\"")]
    [InlineData("node diags --focus-nodes node1,node2", "Invalid option --focus-nodes")]
    [InlineData("node diags --log-dir ''", "Invalid value for --log-dir")]
    [InlineData("node diags --state-dir ''", "Invalid value for --state-dir")]
    public async Task BadFlag_NamedExitOneNothingCollected(string commandLine, string expected)
    {
        var result = await Ctl.RunAsync(commandLine);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Err, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task NotRoot_UpstreamsMessageExitOne()
    {
        using var output = new StringWriter();
        await using var context = new CtlContext(TextReader.Null, output, TextWriter.Null, _ => null, TimeProvider.System);

        int exit = await new NodeDiagsRunner(context, () => false).RunAsync("/var/log/calico", "/var/lib/calico", null, null, "/etc/calico/calicoctl.cfg", CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.Equal("Need super user privileges: Operation not permitted\n", output.ToString());
    }

    [Fact]
    public void SelectLogs_KeepsNewestOfEachKind()
    {
        var t = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        (string, DateTime)[] files =
        [
            ("felix/current", t.AddHours(3)), ("felix/@4000000001.s", t.AddHours(2)), ("felix/@4000000000.s", t.AddHours(1)),
            ("bird.log", t.AddHours(5)), ("bird.log.1", t.AddHours(4)), ("bird.log.2.gz", t), ("cni.log", t),
        ];

        Assert.Equal(["bird.log", "cni.log", "felix/current"], NodeDiagsPlan.SelectLogs(files, 1));
        Assert.Equal(["bird.log", "bird.log.1", "cni.log", "felix/@4000000001.s", "felix/current"], NodeDiagsPlan.SelectLogs(files, 2));
        Assert.Equal(7, NodeDiagsPlan.SelectLogs(files, null).Count);
        Assert.Equal("bird.log", NodeDiagsPlan.LogKind("bird.log.12.gz"));
    }

    [Fact]
    public void RedactEnvironmentFile_HidesSecretValuesOnly()
    {
        Assert.Equal(
            "ETCD_ENDPOINTS=https://10.0.0.1:2379\nETCD_KEY_FILE=/etc/calico/key.pem\nBGP_PASSWORD=<redacted>\n",
            NodeDiagsPlan.RedactEnvironmentFile("ETCD_ENDPOINTS=https://10.0.0.1:2379\nETCD_KEY_FILE=/etc/calico/key.pem\nBGP_PASSWORD=hunter2\n"));
    }
}
