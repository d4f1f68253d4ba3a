using System.Text;

namespace Calico.Ctl.Tests;

/// <summary>
/// Hostile input to calicoctl, in-process on the embedded store: every case is exit 1 with a message naming the
/// problem, no stack trace, and nothing written.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class CtlBoundsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("calicoctl-bounds-").FullName;

    public CtlBoundsTests() => Ctl = CtlBackends.Embedded(_dir);

    private CtlRunner Ctl { get; }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Apply_Selector100000Deep_RefusedNamingSelector()
    {
        var selector = new string('(', 100_000) + "a == 'b'" + new string(')', 100_000);
        var yaml = $"apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: deep\nspec:\n  selector: \"{selector}\"\n";

        var r = await Ctl.RunAsync("apply -f -", yaml);

        Assert.True(r.ExitCode == 1, r.ToString()[..Math.Min(2000, r.ToString().Length)]);
        Assert.Contains("error with field Selector = '((((", r.Err, StringComparison.Ordinal);
        Assert.Contains("nested deeper than 128 levels", r.Err, StringComparison.Ordinal);
        AssertNoTrace(r);
        await AssertNothingWrittenAsync("globalnetworkpolicy");
    }

    [Fact]
    public async Task Apply_Selector101Deep_RefusedAtResourceLimit()
    {
        var selector = new string('(', 101) + "a == 'b'" + new string(')', 101);
        var yaml = $"apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: deep\nspec:\n  selector: \"{selector}\"\n";

        var r = await Ctl.RunAsync("apply -f -", yaml);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("invalid selector: parentheses nested deeper than 100 levels", r.Err, StringComparison.Ordinal);
        await AssertNothingWrittenAsync("globalnetworkpolicy");
    }

    [Fact]
    public async Task Apply_Yaml100000Deep_Refused()
    {
        var yaml = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: deep\nspec:\n  ingress: "
            + new string('[', 100_000) + new string(']', 100_000) + "\n";

        var r = await Ctl.RunAsync("apply -f -", yaml);

        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("failed to execute command: error converting YAML to JSON: yaml: line 6", r.Err, StringComparison.Ordinal);
        Assert.Contains("document nested deeper than 100 levels", r.Err, StringComparison.Ordinal);
        AssertNoTrace(r);
        await AssertNothingWrittenAsync("globalnetworkpolicy");
    }

    [Fact]
    public async Task Apply_Json100000DeepFile_Refused()
    {
        var sb = new StringBuilder("""{"apiVersion":"projectcalico.org/v3","kind":"GlobalNetworkPolicy","metadata":{"name":"deep"},"spec":{"selector":"all()","x":""");
        for (var i = 0; i < 100_000; i++)
        {
            sb.Append("{\"a\":");
        }

        sb.Append('1').Append('}', 100_002);
        var file = Path.Combine(_dir, "deep.json");
        await File.WriteAllTextAsync(file, sb.ToString());

        var r = await Ctl.RunArgsAsync(["apply", "-f", file]);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("document nested deeper than 100 levels", r.Err, StringComparison.Ordinal);
        AssertNoTrace(r);
        await AssertNothingWrittenAsync("globalnetworkpolicy");
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    public async Task Apply_OrderOutOfRange_RefusedNamingOrder(string order)
    {
        var r = await Ctl.RunAsync("apply -f -", $"apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: p\nspec:\n  order: {order}\n  selector: all()\n");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"spec.order: number {order} is out of range", r.Err, StringComparison.Ordinal);
        AssertNoTrace(r);
        await AssertNothingWrittenAsync("globalnetworkpolicy");
    }

    [Theory]
    [InlineData("abc", "time: invalid duration \"abc\"")]
    [InlineData("1e400s", "time: unknown unit \"e\" in duration \"1e400s\"")]
    [InlineData("99999999999h", "time: invalid duration \"99999999999h\"")]
    public async Task Apply_InvalidDuration_RefusedNamingField(string value, string detail)
    {
        var r = await Ctl.RunAsync("apply -f -", $"apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata:\n  name: default\nspec:\n  routeRefreshInterval: \"{value}\"\n");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("field spec.routeRefreshInterval: " + detail, r.Err, StringComparison.Ordinal);
        AssertNoTrace(r);
        await AssertNothingWrittenAsync("felixconfiguration");
    }

    [Fact]
    public async Task Apply_BgpPeerKeepaliveInvalid_Refused()
    {
        var r = await Ctl.RunAsync("apply -f -", "apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: p\nspec:\n  peerIP: 10.0.0.1\n  asNumber: 64512\n  keepaliveTime: 10x\n");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("field spec.keepaliveTime: time: unknown unit \"x\" in duration \"10x\"", r.Err, StringComparison.Ordinal);
        await AssertNothingWrittenAsync("bgppeer");
    }

    [Fact]
    public async Task Patch_100000DeepPatch_Refused()
    {
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: p\nspec:\n  selector: all()\n")).ExitCode);
        var patch = new StringBuilder("{\"spec\":");
        for (var i = 0; i < 100_000; i++)
        {
            patch.Append("{\"a\":");
        }

        patch.Append('1').Append('}', 100_001);

        var r = await Ctl.RunArgsAsync(["patch", "globalnetworkpolicy", "p", "-p", patch.ToString()]);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("the patch is nested deeper than 100 levels", r.Err, StringComparison.Ordinal);
        AssertNoTrace(r);
    }

    [Fact]
    public async Task Patch_JsonPatchAddingDeepValue_RefusedCleanly()
    {
        Assert.Equal(0, (await Ctl.RunAsync("apply -f -", "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: p\nspec:\n  selector: all()\n  ingress:\n  - action: Allow\n")).ExitCode);
        var value = new string('[', 97) + new string(']', 97);
        var patch = $$"""[{"op":"add","path":"/spec/ingress/0/source/selector","value":{{value}}}]""";

        var r = await Ctl.RunArgsAsync(["patch", "globalnetworkpolicy", "p", "--type", "json", "-p", patch]);

        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("Failed to patch 'GlobalNetworkPolicy' resource: ", r.Err, StringComparison.Ordinal);
        AssertNoTrace(r);
    }

    [Fact]
    public async Task AnyCommand_DatastorePathIsDirectory_NamesTheVariable()
    {
        var ctl = new CtlRunner(new Dictionary<string, string> { ["DATASTORE_TYPE"] = "embedded", ["CALICO_DATASTORE_PATH"] = _dir });

        var r = await ctl.RunAsync("get ippool");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"Failed to create Calico API client: error with field CALICO_DATASTORE_PATH = '{_dir}' (it is a directory: it must name the embedded datastore file, e.g. /var/lib/calico/calico.db)\n", r.Err);
    }

    [Fact]
    public async Task AnyCommand_ConfigFileDatastorePathIsDirectory_NamesTheSetting()
    {
        var cfg = Path.Combine(_dir, "calicoctl.cfg");
        await File.WriteAllTextAsync(cfg, $"apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nmetadata: {{}}\nspec:\n  datastoreType: embedded\n  datastorePath: {_dir}\n");
        var ctl = new CtlRunner(new Dictionary<string, string>());

        var r = await ctl.RunArgsAsync(["get", "ippool", "-c", cfg]);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"error with field datastorePath (in {cfg}) = '{_dir}' (it is a directory", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_ConfigFile100000Deep_Refused()
    {
        var cfg = Path.Combine(_dir, "deep.cfg");
        await File.WriteAllTextAsync(cfg, "apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nspec:\n  datastorePath: " + new string('[', 100_000) + new string(']', 100_000) + "\n");
        var ctl = new CtlRunner(new Dictionary<string, string>());

        var r = await ctl.RunArgsAsync(["get", "ippool", "-c", cfg]);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("document nested deeper than 100 levels", r.Err, StringComparison.Ordinal);
    }

    private static void AssertNoTrace(CtlResult r)
    {
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", r.Err, StringComparison.Ordinal);
        Assert.True(r.Err.Length < 2000, r.Err.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task AssertNothingWrittenAsync(string kind)
    {
        var get = await Ctl.RunArgsAsync(["get", kind, "-o", "yaml"]);
        Assert.Equal(0, get.ExitCode);
        Assert.Contains("items: []", get.Out, StringComparison.Ordinal);
    }
}
