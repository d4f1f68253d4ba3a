namespace Calico.Cni.Tests;

/// <summary>
/// With no <c>mtu</c> in the configuration the plugin takes calico-node's mtu file from the directory of
/// <c>nodename_file</c> (calico-node's state directory), so hosts sharing a filesystem each read their own;
/// <c>require_mtu_file</c> makes ADD wait (error 11) until that file exists.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class MtuFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cni-mtu-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void MtuFile_BesideNodenameFile_DefaultVarLibCalico()
    {
        Assert.Equal("/var/lib/calico/mtu", Parse("").MtuFile);
        Assert.Equal(Path.Combine(_dir, "host1", "mtu"), Parse($",\"nodename_file\":\"{_dir}/host1/nodename\"").MtuFile);
    }

    [Fact]
    public void Mtu_NoMtuInConf_ReadsTheFileOfItsOwnHost()
    {
        foreach (var (host, mtu) in new[] { ("host1", "1450"), ("host2", "1430") })
        {
            Directory.CreateDirectory(Path.Combine(_dir, host));
            File.WriteAllText(Path.Combine(_dir, host, "mtu"), mtu);
        }

        Assert.Equal(1450, NodeSettings.Mtu(Parse($",\"nodename_file\":\"{_dir}/host1/nodename\"")));
        Assert.Equal(1430, NodeSettings.Mtu(Parse($",\"nodename_file\":\"{_dir}/host2/nodename\"")));
        Assert.Equal(0, NodeSettings.Mtu(Parse($",\"nodename_file\":\"{_dir}/host3/nodename\""))); // no file: the kernel default
        Assert.Equal(1400, NodeSettings.Mtu(Parse($",\"mtu\":1400,\"nodename_file\":\"{_dir}/host1/nodename\""))); // the conf wins
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("20")]
    [InlineData("-1")]
    public void Mtu_FileWithoutAnMtu_Error5NamingIt(string content)
    {
        File.WriteAllText(Path.Combine(_dir, "mtu"), content);

        var e = Assert.Throws<CniException>(() => NodeSettings.Mtu(Parse($",\"nodename_file\":\"{_dir}/nodename\"")));

        Assert.Equal(5, e.Code);
        Assert.Equal($"MTU file \"{_dir}/mtu\" holds \"{content}\", not an MTU (68..65535)", e.Message);
    }

    [Fact]
    public async Task RequireMtuFile_Add_Code11UntilTheFileBesideNodenameFileExists()
    {
        var stdin = $$$"""{"cniVersion":"1.0.0","name":"net1","type":"calico","datastore_type":"embedded","datastore_path":"{{{_dir}}}/calico.db","log_file_path":"{{{_dir}}}/cni.log","ipam_lock_file":"{{{_dir}}}/ipam.lock","nodename":"node1","nodename_file":"{{{_dir}}}/nodename","require_mtu_file":true,"ipam":{"type":"calico-ipam"}}""";

        var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("ADD"), stdin);
        Assert.Equal(11, outcome.ErrorCode);
        Assert.Equal($"require_mtu_file is true and \"{_dir}/mtu\" does not exist: check that calico-node is running and has written it", outcome.ErrorMessage);

        await File.WriteAllTextAsync(Path.Combine(_dir, "mtu"), "1450");
        outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("ADD"), stdin);
        Assert.DoesNotContain("require_mtu_file", outcome.ErrorMessage, StringComparison.Ordinal); // past the check (no datastore here then fails the ADD)
    }

    private NetConf Parse(string extra) => NetConfParser.Parse(System.Text.Encoding.UTF8.GetBytes(
        $$"""{"cniVersion":"1.0.0","name":"net1","type":"calico","datastore_type":"embedded","datastore_path":"{{_dir}}/calico.db","nodename":"node1","ipam":{"type":"calico-ipam"}{{extra}}}"""));
}
