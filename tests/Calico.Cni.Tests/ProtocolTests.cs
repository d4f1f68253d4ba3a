using System.Net;
using System.Text.Json;

namespace Calico.Cni.Tests;

/// <summary>The CNI protocol without a kernel: environment, configuration, error codes, VERSION, result formats.</summary>
[Trait("Tier", "Unit")]
public sealed class ProtocolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cni-proto-").FullName;

    /// <summary>An empty embedded store, as calico-node creates it (the plugin never creates one).</summary>
    public ProtocolTests()
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

    private string Conf(string version = "1.0.0", string extra = "") =>
        $$"""{"cniVersion":"{{version}}","name":"net1","type":"calico","datastore_type":"embedded","datastore_path":"{{_dir}}/calico.db","log_file_path":"{{_dir}}/cni.log","ipam_lock_file":"{{_dir}}/ipam.lock","nodename":"node1","ipam":{"type":"calico-ipam"}{{extra}}}""";

    [Theory]
    [InlineData("0.3.1")]
    [InlineData("0.4.0")]
    [InlineData("1.0.0")]
    [InlineData("1.1.0")]
    public async Task Version_AnswersSupportedVersionsInRequestedVersion(string version)
    {
        var outcome = await InProcessPlugin.RunAsync(new Dictionary<string, string> { ["CNI_COMMAND"] = "VERSION" }, $$"""{"cniVersion":"{{version}}"}""");
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(version, outcome.Json.GetProperty("cniVersion").GetString());
        var supported = outcome.Json.GetProperty("supportedVersions").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Superset(new HashSet<string?> { "0.3.1", "0.4.0", "1.0.0", "1.1.0" }, supported.ToHashSet());
    }

    [Fact]
    public async Task Version_WithEmptyStdin_AnswersLatest()
    {
        var outcome = await InProcessPlugin.RunAsync(new Dictionary<string, string> { ["CNI_COMMAND"] = "VERSION" }, "");
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("1.1.0", outcome.Json.GetProperty("cniVersion").GetString());
    }

    public static TheoryData<string, string?, string> BadEnvironments => new()
    {
        // variable, value (null = unset), text the message must contain
        { "CNI_COMMAND", null, "CNI_COMMAND" },
        { "CNI_COMMAND", "ATTACH", "CNI_COMMAND=\"ATTACH\"" },
        { "CNI_CONTAINERID", null, "CNI_CONTAINERID" },
        { "CNI_CONTAINERID", "bad/id", "CNI_CONTAINERID=\"bad/id\"" },
        { "CNI_CONTAINERID", "-leading", "CNI_CONTAINERID" },
        { "CNI_IFNAME", null, "CNI_IFNAME" },
        { "CNI_IFNAME", "averyveryverylongname", "CNI_IFNAME" },
        { "CNI_IFNAME", "eth/0", "CNI_IFNAME" },
        { "CNI_NETNS", null, "CNI_NETNS" },
        { "CNI_NETNS", "relative/ns", "CNI_NETNS" },
        { "CNI_PATH", null, "CNI_PATH" },
        { "CNI_ARGS", "IgnoreUnknown=1;garbage", "CNI_ARGS" },
        { "CNI_ARGS", "IP=10.0.0.300", "CNI_ARGS" },
        { "CNI_ARGS", "K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=-pod", "K8S_POD_NAME" },
    };

    [Theory]
    [MemberData(nameof(BadEnvironments))]
    public async Task Add_BadEnvironment_Code4NamingVariable(string variable, string? value, string expected)
    {
        var env = InProcessPlugin.Env("ADD");
        if (value is null)
        {
            env.Remove(variable);
        }
        else
        {
            env[variable] = value;
        }

        var outcome = await InProcessPlugin.RunAsync(env, Conf());
        Assert.NotEqual(0, outcome.ExitCode);
        Assert.Equal(4, outcome.ErrorCode);
        Assert.Contains(expected, outcome.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("1.0.0", outcome.Json.GetProperty("cniVersion").GetString());
    }

    public static TheoryData<string, int, string> BadConfigs => new()
    {
        // stdin, code, text the message must contain
        { "{not json", 6, "not valid JSON" },
        { "[1,2]", 6, "JSON object" },
        { """{"cniVersion":"0.2.0","name":"n","type":"calico"}""", 1, "0.2.0" },
        { """{"cniVersion":"2.0.0","name":"n","type":"calico"}""", 1, "2.0.0" },
        { """{"name":"n","type":"calico"}""", 7, "cniVersion" },
        { """{"cniVersion":"1.0.0","type":"calico"}""", 7, "\"name\"" },
        { """{"cniVersion":"1.0.0","name":"bad name","type":"calico"}""", 7, "bad name" },
        { """{"cniVersion":"1.0.0","name":"n"}""", 7, "\"type\"" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","ipam":{"type":"calico-ipam"},"bogus_key":17}""", 2, "bogus_key" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","datastore_type":"kubernetes"}""", 2, "datastore_type = \"kubernetes\"" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","ipam":{"type":"host-local"}}""", 2, "ipam.type = \"host-local\"" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","ipam":{"type":"calico-ipam","ranges":[]}}""", 2, "ipam.ranges" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","log_level":"verbose"}""", 2, "log_level = \"verbose\"" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","device_type":"netkit"}""", 2, "device_type = \"netkit\"" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","mode":"vxlan"}""", 2, "mode = \"vxlan\"" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","feature_control":{"egress_gateways":true}}""", 2, "feature_control.egress_gateways" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","num_queues":4}""", 2, "num_queues" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","mtu":"1500"}""", 6, "mtu" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","mtu":10}""", 7, "mtu = 10" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","ipam":"calico-ipam"}""", 6, "\"ipam\"" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","datastore_type":"etcdv3"}""", 7, "etcd_endpoints" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","etcd_endpoints":"ftp://x:1"}""", 7, "etcd_endpoints" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","datastore_path":"rel/calico.db"}""", 7, "datastore_path" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","log_file_path":"cni.log"}""", 7, "log_file_path" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","ipam":{"type":"calico-ipam","assign_ipv4":"false","assign_ipv6":"false"}}""", 7, "assign_ipv4" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","ipam":{"type":"calico-ipam","assign_ipv4":"yes"}}""", 7, "ipam.assign_ipv4" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","ipam":{"type":"calico-ipam","ipv4_pools":["10.0.0.0/33"]}}""", 7, "10.0.0.0/33" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","ipam":{"type":"calico-ipam","ipv6_pools":["10.0.0.0/24"]}}""", 7, "ipam.ipv6_pools" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","args":{"cni":{"labels":[{"value":"x"}]}}}""", 7, "args.cni.labels[0].key" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","args":{"cni":{"labels":{"a":"b"}}}}""", 6, "args.cni.labels" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","args":{"cni":{"ports":[{"name":"http","protocol":"ICMP","port":80}]}}}""", 7, "args.cni.ports[0].protocol" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","args":{"cni":{"ports":[{"name":"http","port":70000}]}}}""", 7, "args.cni.ports[0].port" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","args":{"cni":{"ips":["10.0.0.x"]}}}""", 7, "args.cni.ips" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","runtimeConfig":{"ips":["nope"]}}""", 7, "runtimeConfig.ips" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico"}""", 7, "ipam.type" },
        { """{"cniVersion":"1.0.0","name":"n","type":"calico","container_settings":{"allow_ip_forwarding":true}}""", 2, "allow_ip_forwarding" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public async Task Add_BadConfig_CodeAndMessageNamingIt(string stdin, int code, string expected)
    {
        var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("ADD"), stdin);
        Assert.NotEqual(0, outcome.ExitCode);
        Assert.Equal(code, outcome.ErrorCode);
        Assert.Contains(expected, outcome.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RuntimeAddedKeys_Accepted()
    {
        var conf = NetConfParser.Parse("""
            {"cniVersion":"1.1.0","name":"net1","type":"calico","ipam":{"type":"calico-ipam"},
             "runtimeConfig":{"ips":["10.1.2.3/24"],"portMappings":[{"hostPort":80,"containerPort":8080}]},
             "capabilities":{"ips":true,"portMappings":true},
             "prevResult":{"cniVersion":"1.1.0","ips":[{"address":"10.1.2.3/32"}]},
             "args":{"cni":{"labels":[{"key":"app","value":"web"}],"ports":[{"name":"http","protocol":"TCP","port":8080}],"somethingElse":1},"org.apache.mesos":{}},
             "cni.dev/valid-attachments":[{"containerID":"abc","ifname":"eth0"}],
             "cni.dev/attachments":[],
             "policy":{"type":"k8s"},"kubernetes":{"kubeconfig":"/x"},"log_file_max_size":100}
            """u8);
        Assert.Equal([IPAddress.Parse("10.1.2.3")], conf.RuntimeIps);
        Assert.True(conf.HasPrevResult);
        Assert.Single(conf.PrevResultIps);
        Assert.Equal(new KeyValuePair<string, string>("app", "web"), Assert.Single(conf.Args.Labels));
        Assert.Equal(new NamedPort("http", "TCP", 8080), Assert.Single(conf.Args.Ports));
        Assert.Equal(("abc", "eth0"), Assert.Single(conf.ValidAttachments!));
    }

    [Fact]
    public void Parse_Defaults_AsUpstream()
    {
        var conf = NetConfParser.Parse("""{"cniVersion":"0.3.1","name":"k8s-pod-network","type":"calico","ipam":{"type":"calico-ipam"}}"""u8);
        Assert.Equal("/var/log/calico/cni/cni.log", conf.LogFilePath);
        Assert.Equal("/var/lib/calico/nodename", conf.NodenameFile);
        Assert.True(conf.Ipam.AssignIpv4);
        Assert.False(conf.Ipam.AssignIpv6);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, conf.LogLevel);
    }

    [Theory]
    [InlineData("CHECK", "0.3.1")]
    [InlineData("STATUS", "1.0.0")]
    [InlineData("GC", "0.4.0")]
    public async Task CommandNewerThanConfigVersion_Code1(string command, string version)
    {
        var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env(command), Conf(version));
        Assert.Equal(1, outcome.ErrorCode);
        Assert.Contains(command, outcome.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(version, outcome.Json.GetProperty("cniVersion").GetString());
    }

    [Theory]
    [InlineData("0.3.1", true)]
    [InlineData("0.4.0", true)]
    [InlineData("1.0.0", false)]
    [InlineData("1.1.0", false)]
    public void Result_FormatPerVersion(string version, bool hasIpVersion)
    {
        var result = new CniResult
        {
            Interfaces = [new ResultInterface("cali12345678901", "ee:ee:ee:ee:ee:ee", null), new ResultInterface("eth0", "0a:58:0a:00:00:05", "/var/run/netns/x")],
            Ips = [new ResultIp(IPNetwork.Parse("10.0.0.5/32"), 1), new ResultIp(IPNetwork.Parse("fd00::5/128"), 1)],
            Routes = [new ResultRoute(IPNetwork.Parse("0.0.0.0/0"), IPAddress.Parse("169.254.1.1"))],
        };
        var json = JsonDocument.Parse(CniJson.Result(result, version)).RootElement;
        Assert.Equal(version, json.GetProperty("cniVersion").GetString());
        var ips = json.GetProperty("ips").EnumerateArray().ToList();
        Assert.Equal("10.0.0.5/32", ips[0].GetProperty("address").GetString());
        Assert.Equal(1, ips[0].GetProperty("interface").GetInt32());
        Assert.Equal(hasIpVersion, ips[0].TryGetProperty("version", out var v));
        if (hasIpVersion)
        {
            Assert.Equal("4", v.GetString());
            Assert.Equal("6", ips[1].GetProperty("version").GetString());
        }

        var interfaces = json.GetProperty("interfaces").EnumerateArray().ToList();
        Assert.Equal("/var/run/netns/x", interfaces[1].GetProperty("sandbox").GetString());
        Assert.False(interfaces[0].TryGetProperty("sandbox", out _));
        Assert.Equal("169.254.1.1", json.GetProperty("routes")[0].GetProperty("gw").GetString());
    }

    [Fact]
    public void Error_Shape()
    {
        var json = JsonDocument.Parse(CniJson.Error("0.4.0", 7, "bad", "more")).RootElement;
        Assert.Equal("0.4.0", json.GetProperty("cniVersion").GetString());
        Assert.Equal(7, json.GetProperty("code").GetInt32());
        Assert.Equal("bad", json.GetProperty("msg").GetString());
        Assert.Equal("more", json.GetProperty("details").GetString());
    }

    [Fact]
    public void Identity_Kubernetes_UpstreamNames()
    {
        var conf = NetConfParser.Parse("""{"cniVersion":"1.0.0","name":"k8s-pod-network","type":"calico","ipam":{"type":"calico-ipam"}}"""u8);
        var env = CniEnvironment.Parse(InProcessPlugin.Env("ADD", args: "IgnoreUnknown=1;K8S_POD_NAMESPACE=prod;K8S_POD_NAME=web-0"));
        var id = WorkloadIdentity.From(conf, env, "node-1");
        Assert.Equal("k8s", id.Orchestrator);
        Assert.Equal("prod", id.Namespace);
        Assert.Equal("node--1-k8s-web--0-eth0", id.WepName);
        Assert.Equal(["kns.prod"], id.Profiles);
        Assert.Equal("k8s-pod-network.c0ffee0123456789", id.HandleId);

        // Upstream: cali + first 11 hex of sha1("prod.web-0").
        Assert.Equal("caliaa960f0d82e", id.HostIfName);
        Assert.Equal(15, id.HostIfName.Length);
    }

    [Fact]
    public void Identity_Cni_UpstreamNames()
    {
        var conf = NetConfParser.Parse("""{"cniVersion":"1.0.0","name":"podnet","type":"calico","ipam":{"type":"calico-ipam"}}"""u8);
        var env = CniEnvironment.Parse(InProcessPlugin.Env("ADD", containerId: "abcdef0123456789-x"));
        var id = WorkloadIdentity.From(conf, env, "node1");
        Assert.Equal("cni", id.Orchestrator);
        Assert.Equal("default", id.Namespace);
        Assert.Equal("node1-cni-abcdef0123456789--x-eth0", id.WepName);
        Assert.Equal("caliabcdef01234", id.HostIfName);
        Assert.Equal(["podnet"], id.Profiles);
    }

    [Fact]
    public async Task Status_EmbeddedStoreNotInitialised_Code50()
    {
        var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("STATUS"), Conf("1.1.0"));
        Assert.Equal(50, outcome.ErrorCode);
        Assert.Contains("ClusterInformation", outcome.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_EtcdUnreachable_Code50()
    {
        var conf = """{"cniVersion":"1.1.0","name":"n","type":"calico","datastore_type":"etcdv3","etcd_endpoints":"http://127.0.0.1:1","log_level":"none","ipam":{"type":"calico-ipam"}}""";
        var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("STATUS"), conf);
        Assert.Equal(50, outcome.ErrorCode);
        Assert.Contains("unreachable", outcome.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_EtcdUnreachable_Code11()
    {
        var conf = """{"cniVersion":"1.0.0","name":"n","type":"calico","datastore_type":"etcdv3","etcd_endpoints":"http://127.0.0.1:1","log_level":"none","ipam":{"type":"calico-ipam"}}""";
        var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("ADD"), conf);
        Assert.Equal(11, outcome.ErrorCode);
    }

    [Fact]
    public async Task Add_DatastoreNotReady_Code11NamingClusterInformation()
    {
        var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("ADD"), Conf());
        Assert.Equal(11, outcome.ErrorCode);
        Assert.Contains("ClusterInformation", outcome.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ADD", "typo.db", 11)]
    [InlineData("STATUS", "typo.db", 50)]
    [InlineData("ADD", "no-such-dir/calico.db", 7)]
    public async Task Command_MistypedEmbeddedPath_ErrorsNamingPathAndCreatesNothing(string command, string relative, int code)
    {
        var path = Path.Combine(_dir, relative);
        var conf = Conf(command == "STATUS" ? "1.1.0" : "1.0.0").Replace(_dir + "/calico.db", path, StringComparison.Ordinal);

        var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env(command), conf);

        Assert.Equal(code, outcome.ErrorCode);
        Assert.Contains(path, outcome.ErrorMessage, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.False(Directory.Exists(Path.Combine(_dir, "no-such-dir")));
    }

    [Fact]
    public async Task Logs_GoToStderrAndLogFile()
    {
        var outcome = await InProcessPlugin.RunAsync(InProcessPlugin.Env("ADD"), Conf(extra: ""","log_level":"debug" """));
        Assert.Contains("ADD container c0ffee0123456789", outcome.Stderr, StringComparison.Ordinal);
        var file = await File.ReadAllTextAsync(Path.Combine(_dir, "cni.log"));
        Assert.Contains("ADD container c0ffee0123456789", file, StringComparison.Ordinal);
        Assert.Contains("[ERROR]", file, StringComparison.Ordinal);
    }
}
