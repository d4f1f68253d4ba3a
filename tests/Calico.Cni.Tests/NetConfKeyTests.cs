using System.Text.Json;

namespace Calico.Cni.Tests;

/// <summary>
/// Every top-level key the parser accepts, with a non-default value: it acts (the parsed configuration or an ADD shows
/// it), is refused (error 2 naming the key), or is logged as a warning naming the key. A key added to
/// <see cref="NetConfKeys"/> without a row here fails <see cref="EveryAcceptedKey_HasARowAndADocsLine"/>.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class NetConfKeyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cni-keys-").FullName;

    /// <summary>An empty embedded store, as calico-node creates it (the plugin never creates one).</summary>
    public NetConfKeyTests()
    {
        var store = new Calico.Datastore.Embedded.EmbeddedKeyValueStore(Path.Combine(_dir, "calico.db"));
        try
        {
            store.ListAsync("/calico/", CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Conf(string extra) =>
        $$"""{"cniVersion":"1.0.0","name":"net1","type":"calico","datastore_type":"embedded","datastore_path":"{{_dir}}/calico.db","log_file_path":"{{_dir}}/cni.log","ipam_lock_file":"{{_dir}}/ipam.lock","nodename":"node1","ipam":{"type":"calico-ipam"}{{extra}}}""";

    public enum Expect
    {
        /// <summary>The parsed NetConf (or the plugin's behaviour) shows the value; the check is in <see cref="Acts"/>.</summary>
        Acts,
        Refused,
        Warned,
    }

    /// <summary>key, JSON value (non-default), expectation.</summary>
    public static TheoryData<string, string, Expect> Keys => new()
    {
        { "cniVersion", "\"0.4.0\"", Expect.Acts },
        { "name", "\"other-net\"", Expect.Acts },
        { "type", "\"calico-custom\"", Expect.Acts },
        { "ipam", """{"type":"calico-ipam","assign_ipv6":"true"}""", Expect.Acts },
        { "args", """{"cni":{"labels":[{"key":"app","value":"web"}]}}""", Expect.Acts },
        { "mtu", "1400", Expect.Acts },
        { "num_queues", "2", Expect.Refused },
        { "nodename", "\"node9\"", Expect.Acts },
        { "nodename_file", "\"/tmp/some-nodename\"", Expect.Acts },
        { "nodename_file_optional", "false", Expect.Acts },
        { "hostname", "\"host9\"", Expect.Acts },
        { "ipam_lock_file", "\"/tmp/other.lock\"", Expect.Acts },
        { "require_mtu_file", "true", Expect.Acts },
        { "datastore_type", "\"kubernetes\"", Expect.Refused },
        { "etcd_endpoints", "\"http://10.0.0.1:2379\"", Expect.Acts },
        { "etcd_discovery_srv", "\"example.com\"", Expect.Refused },
        { "etcd_scheme", "\"https\"", Expect.Acts },
        { "etcd_authority", "\"10.0.0.2:2379\"", Expect.Acts },
        { "etcd_key_file", "\"/etc/calico/key.pem\"", Expect.Acts },
        { "etcd_cert_file", "\"/etc/calico/cert.pem\"", Expect.Acts },
        { "etcd_ca_cert_file", "\"/etc/calico/ca.pem\"", Expect.Acts },
        { "datastore_path", "\"/tmp/other.db\"", Expect.Acts },
        { "log_level", "\"debug\"", Expect.Acts },
        { "log_file_path", "\"/tmp/other.log\"", Expect.Acts },
        { "log_file_max_size", "100", Expect.Warned },
        { "log_file_max_age", "30", Expect.Warned },
        { "log_file_max_count", "10", Expect.Warned },
        { "policy", """{"type":"calico"}""", Expect.Refused },
        { "kubernetes", """{"kubeconfig":"/etc/cni/net.d/calico-kubeconfig"}""", Expect.Warned },
        { "qps", "5", Expect.Warned },
        { "burst", "10", Expect.Warned },
        { "feature_control", """{"egress_gateways":true}""", Expect.Refused },
        { "container_settings", """{"allow_ip_forwarding":true}""", Expect.Refused },
        { "include_default_routes", "true", Expect.Warned },
        { "dataplane_options", """{"type":"grpc","socket":"/run/dp.sock"}""", Expect.Refused },
        { "device_type", "\"netkit\"", Expect.Refused },
        { "readiness_gates", """["http://localhost:9099/readiness"]""", Expect.Refused },
        { "policy_setup_timeout_seconds", "5", Expect.Refused },
        { "endpoint_status_dir", "\"/var/run/calico/endpoint-status\"", Expect.Warned },
        { "mode", "\"vxlan\"", Expect.Refused },
        { "vxlan_mac_prefix", "\"0E-2A\"", Expect.Warned },
        { "vxlan_vni", "4096", Expect.Warned },
        { "calico_api_group", "\"crd.projectcalico.org/v1\"", Expect.Refused },
        { "dns", """{"nameservers":["10.96.0.10"],"search":["svc.cluster.local"]}""", Expect.Acts },
        { "windows_pod_deletion_timestamp_timeout", "60", Expect.Warned },
        { "windows_use_single_network", "true", Expect.Warned },
        { "windows_disable_default_deny_all_policy", "true", Expect.Warned },
        { "windows_loopback_DSR", "true", Expect.Warned },
        { "runtimeConfig", """{"ips":["10.1.2.3/32"]}""", Expect.Acts },
        { "runtime_config", """{"ips":["10.1.2.4/32"]}""", Expect.Acts },
        { "prevResult", """{"cniVersion":"1.0.0","ips":[{"address":"10.1.2.5/32"}]}""", Expect.Acts },
        { "capabilities", """{"ips":true}""", Expect.Acts },
        { "disableCheck", "true", Expect.Acts },
        { "disableGC", "true", Expect.Acts },
    };

    [Fact]
    public void EveryAcceptedKey_HasARowAndADocsLine()
    {
        var rows = Keys.Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal);
        var docs = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "cni.md"));
        foreach (var key in NetConfKeys.All)
        {
            Assert.True(rows.Contains(key.Name), $"no test row for accepted key {key.Name}");
            Assert.True(docs.Contains($"| `{key.Name}` |", StringComparison.Ordinal), $"docs/cni.md has no table row for {key.Name}");
        }

        Assert.Equal(NetConfKeys.All.Count, rows.Count);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task Key_NonDefaultValue_ActsRefusedOrWarned(string key, string value, Expect expect)
    {
        var stdin = key is "cniVersion" or "name" or "type" or "ipam" or "nodename" or "log_file_path" or "datastore_path" or "ipam_lock_file" or "datastore_type"
            ? Replace(Conf(""), key, value)
            : key == "etcd_scheme" ? Conf($",\"{key}\":{value},\"etcd_authority\":\"10.0.0.3:2379\"") : Conf($",\"{key}\":{value}");
        var status = NetConfKeys.Find(key)!.Status;
        switch (expect)
        {
            case Expect.Refused:
            {
                Assert.True(status is NetConfKeyStatus.Refused or NetConfKeyStatus.ActsSomeValuesRefused, $"{key} is {status}");
                var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("ADD"), stdin);
                Assert.Equal(2, outcome.ErrorCode);
                Assert.Contains(key, outcome.ErrorMessage, StringComparison.Ordinal);
                break;
            }

            case Expect.Warned:
            {
                Assert.Equal(NetConfKeyStatus.Warned, status);
                Assert.Contains(NetConfParser.Parse(System.Text.Encoding.UTF8.GetBytes(stdin)).Ignored, i => i.Key == key);
                // The plugin logs it (then stops at the uninitialised datastore: code 11).
                var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("ADD"), stdin);
                Assert.Equal(11, outcome.ErrorCode);
                Assert.Contains($"[WARNING]", outcome.Stderr, StringComparison.Ordinal);
                Assert.Contains($"network configuration key {key} is set but has no effect", outcome.Stderr, StringComparison.Ordinal);
                break;
            }

            default:
                Assert.True(status is NetConfKeyStatus.Acts or NetConfKeyStatus.ActsSomeValuesRefused or NetConfKeyStatus.Runtime, $"{key} is {status}");
                Acts(key, NetConfParser.Parse(System.Text.Encoding.UTF8.GetBytes(stdin)));
                break;
        }
    }

    /// <summary>Where the parsed configuration carries the value to the code that uses it.</summary>
    private static void Acts(string key, NetConf conf)
    {
        switch (key)
        {
            case "cniVersion": Assert.Equal("0.4.0", conf.CniVersion); break;
            case "name": Assert.Equal("other-net", conf.Name); break;
            case "type": Assert.Equal("calico-custom", conf.Type); break;
            case "ipam": Assert.True(conf.Ipam.AssignIpv6); break;
            case "args": Assert.Single(conf.Args.Labels); break;
            case "mtu": Assert.Equal(1400, NodeSettings.Mtu(conf)); break;
            case "nodename": Assert.Equal("node9", NodeSettings.Nodename(conf)); break;
            case "nodename_file": Assert.Equal("/tmp/some-nodename", conf.NodenameFile); break;
            case "nodename_file_optional": Assert.True(conf.NodenameFileRequired); break;
            case "hostname": Assert.Equal("host9", conf.Hostname); break;
            case "ipam_lock_file": Assert.Equal("/tmp/other.lock", conf.IpamLockFile); break;
            case "require_mtu_file": Assert.True(conf.RequireMtuFile); break;
            case "etcd_endpoints": Assert.Equal("http://10.0.0.1:2379", conf.EtcdEndpoints); break;
            case "etcd_scheme": Assert.Equal("https://10.0.0.3:2379", conf.EtcdEndpoints); break;
            case "etcd_authority": Assert.Equal("http://10.0.0.2:2379", conf.EtcdEndpoints); break;
            case "etcd_key_file": Assert.Equal("/etc/calico/key.pem", conf.EtcdKeyFile); break;
            case "etcd_cert_file": Assert.Equal("/etc/calico/cert.pem", conf.EtcdCertFile); break;
            case "etcd_ca_cert_file": Assert.Equal("/etc/calico/ca.pem", conf.EtcdCaCertFile); break;
            case "datastore_path": Assert.Equal("/tmp/other.db", conf.DatastorePath); break;
            case "log_level": Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, conf.LogLevel); break;
            case "log_file_path": Assert.Equal("/tmp/other.log", conf.LogFilePath); break;
            case "dns":
                Assert.Equal(["10.96.0.10"], conf.Dns!.Nameservers);
                var json = JsonDocument.Parse(CniJson.Result(new CniResult { Dns = conf.Dns }, "1.0.0")).RootElement.GetProperty("dns");
                Assert.Equal("10.96.0.10", json.GetProperty("nameservers")[0].GetString());
                Assert.Equal("svc.cluster.local", json.GetProperty("search")[0].GetString());
                break;
            case "runtimeConfig": Assert.Single(conf.RuntimeIps); break;
            case "runtime_config": Assert.Single(conf.RuntimeIps); break;
            case "prevResult": Assert.Single(conf.PrevResultIps); break;
            // The runtime's own keys: accepted, acted on by the runtime (CNI spec), never an error here.
            case "capabilities" or "disableCheck" or "disableGC": Assert.Empty(conf.Ignored); break;
            default: Assert.Fail("no check for " + key); break;
        }
    }

    [Fact]
    public async Task NodenameFileOptionalFalse_MissingFile_Code11ThenProceedsOnceWritten()
    {
        var file = Path.Combine(_dir, "nodename");
        var stdin = Conf($",\"nodename_file\":\"{file}\",\"nodename_file_optional\":false");

        var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("ADD"), stdin);
        Assert.Equal(11, outcome.ErrorCode);
        Assert.Contains($"nodename_file_optional is false and nodename_file \"{file}\" does not exist", outcome.ErrorMessage, StringComparison.Ordinal);

        await File.WriteAllTextAsync(file, "node1");
        outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("ADD"), stdin);
        Assert.Contains("ClusterInformation", outcome.ErrorMessage, StringComparison.Ordinal); // past the check
    }

    [Fact]
    public async Task NodenameFileOptionalTrue_MissingFile_NoCheck()
    {
        var stdin = Conf($",\"nodename_file\":\"{_dir}/missing\",\"nodename_file_optional\":true");

        var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("ADD"), stdin);

        Assert.Contains("ClusterInformation", outcome.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void RequireMtuFile_MissingFile_Code11NamingTheKey()
    {
        var conf = NetConfParser.Parse(System.Text.Encoding.UTF8.GetBytes(Conf(",\"require_mtu_file\":true")));
        var missing = Path.Combine(_dir, "mtu");

        var e = Assert.Throws<CniException>(() => NodeSettings.RequireNodeFiles(conf, missing));
        Assert.Equal(11, e.Code);
        Assert.Equal($"require_mtu_file is true and \"{missing}\" does not exist: check that calico-node is running and has written it", e.Message);

        File.WriteAllText(missing, "1440");
        NodeSettings.RequireNodeFiles(conf, missing);
        Assert.Equal(1440, NodeSettings.Mtu(conf, missing));
    }

    [Theory]
    [InlineData(""","container_settings":{"allow_forwarding":true}""", "container_settings.allow_forwarding")]
    [InlineData(""","feature_control":{"ip_addrs_no_ipam_typo":true}""", "feature_control.ip_addrs_no_ipam_typo")]
    [InlineData(""","dns":{"nameserver":["1.1.1.1"]}""", "dns.nameserver")]
    public async Task UnknownSubKey_Code2NamingIt(string extra, string expected)
    {
        var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("ADD"), Conf(extra));

        Assert.Equal(2, outcome.ErrorCode);
        Assert.Contains(expected, outcome.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyKubernetesClientKeys_Warned()
    {
        var conf = NetConfParser.Parse(System.Text.Encoding.UTF8.GetBytes(Conf(""","policy":{"type":"k8s","k8s_api_root":"https://10.0.0.1:443"}""")));

        Assert.Equal("k8s", conf.PolicyType);
        Assert.Contains(conf.Ignored, i => i.Key == "policy.k8s_api_root");
    }

    private static string Replace(string json, string key, string value)
    {
        using var document = JsonDocument.Parse(json);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                writer.WritePropertyName(property.Name);
                if (property.Name == key)
                {
                    writer.WriteRawValue(value);
                }
                else
                {
                    property.Value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Calico.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Calico.sln not found above " + AppContext.BaseDirectory);
    }
}
