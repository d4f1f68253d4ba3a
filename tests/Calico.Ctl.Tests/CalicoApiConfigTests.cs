using Calico.Client;
using Calico.Datastore;

namespace Calico.Ctl.Tests;

[Trait("Tier", "Unit")]
public sealed class CalicoApiConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("calicoctl-cfg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Func<string, string?> Env(params (string Key, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Key == name).Value;

    [Fact]
    public void Load_NothingConfigured_IsEmbeddedAtDefaultPath()
    {
        var o = CalicoApiConfig.Load(null, Env());
        Assert.Equal(DatastoreType.Embedded, o.Type);
        Assert.Equal("/var/lib/calico/calico.db", o.EmbeddedPath);
    }

    [Fact]
    public void Load_EnvironmentEtcd_ReadsUpstreamVariables()
    {
        var o = CalicoApiConfig.Load(null, Env(("DATASTORE_TYPE", "etcdv3"), ("ETCD_ENDPOINTS", "https://10.0.0.1:2379, https://10.0.0.2:2379"),
            ("ETCD_CA_CERT_FILE", "/etc/calico/ca.pem"), ("ETCD_CERT_FILE", "/etc/calico/cert.pem"), ("ETCD_KEY_FILE", "/etc/calico/key.pem")));
        Assert.Equal(DatastoreType.Etcdv3, o.Type);
        Assert.Equal(["https://10.0.0.1:2379", "https://10.0.0.2:2379"], o.EtcdEndpoints);
        Assert.Equal("/etc/calico/ca.pem", o.EtcdCaCertFile);
        Assert.Equal("/etc/calico/cert.pem", o.EtcdCertFile);
        Assert.Equal("/etc/calico/key.pem", o.EtcdKeyFile);
    }

    [Fact]
    public void Load_EndpointsWithoutType_IsEtcd()
    {
        Assert.Equal(DatastoreType.Etcdv3, CalicoApiConfig.Load(null, Env(("ETCD_ENDPOINTS", "http://127.0.0.1:2379"))).Type);
    }

    [Fact]
    public void Load_ConfigFileEmbedded_UsesDatastorePath_EnvironmentWins()
    {
        var cfg = Path.Combine(_dir, "calicoctl.cfg");
        File.WriteAllText(cfg, "apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nmetadata: {}\nspec:\n  datastoreType: embedded\n  datastorePath: /tmp/x.db\n");
        Assert.Equal("/tmp/x.db", CalicoApiConfig.Load(cfg, Env()).EmbeddedPath);
        Assert.Equal("/tmp/y.db", CalicoApiConfig.Load(cfg, Env(("CALICO_DATASTORE_PATH", "/tmp/y.db"))).EmbeddedPath);
    }

    [Theory]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nspec:\n  datastoreType: nosuch\n", "nosuch")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nspec:\n  etcdEndpoint: x\n", "spec.etcdEndpoint")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: IPPool\n", "IPPool")]
    [InlineData("spec: [", "not valid YAML")]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nspec:\n  datastoreType: kubernetes\n", "kubernetes")]
    public void Load_BadConfigFile_NamesTheProblem(string text, string expected)
    {
        var cfg = Path.Combine(_dir, "bad.cfg");
        File.WriteAllText(cfg, text);
        var e = Assert.Throws<ClientConfigException>(() => CalicoApiConfig.Load(cfg, Env()));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NamedFileMissing_Fails()
    {
        Assert.Throws<ClientConfigException>(() => CalicoApiConfig.Load(Path.Combine(_dir, "nope.cfg"), Env()));
    }
}
