using System.Text;
using Calico.Api;
using Calico.Ctl.Migration;

namespace Calico.Ctl.Tests;

/// <summary>The export file of <c>calicoctl datastore migrate</c>, pure: upstream's layout, exact IPAM bytes, and every
/// kind of bad file refused with its name and the problem.</summary>
[Trait("Tier", "Unit")]
public sealed class MigrationFileTests
{
    // As Go stores them: compact, Go's escapes (\u003c), nested maps and lists, empty list and null.
    private static readonly byte[] s_block = Encoding.UTF8.GetBytes(
        """{"cidr":"10.65.0.0/26","affinity":"host:h1","allocations":[0,null,1],"unallocated":[2,3],"attributes":[{"handle_id":"k8s-pod-network.a\u003cb","secondary":{"node":"h1","pod":"p"}},{"handle_id":null,"secondary":null}],"deleted":false,"sequenceNumber":7,"sequenceNumberForAllocation":{"0":1},"empty":[],"obj":{}}""");

    private static readonly IpamDump s_ipam = new(
        [new IpamRecord("/calico/ipam/v2/host/h1/ipv4/block/10.65.0.0-26", Encoding.UTF8.GetBytes("""{"state":"confirmed","deleted":false}"""))],
        [new IpamRecord("/calico/ipam/v2/assignment/ipv4/block/10.65.0.0-26", s_block)],
        [new IpamRecord("/calico/ipam/v2/handle/k8s-pod-network.a", Encoding.UTF8.GetBytes("""{"block":{"10.65.0.0/26":1},"deleted":false}"""))],
        new IpamRecord("/calico/ipam/v2/config", Encoding.UTF8.GetBytes("""{"strict_affinity":true,"auto_allocate_blocks":true}""")));

    private static ClusterInformation Info() => (ClusterInformation)ResourceCodec.Decode("""
        apiVersion: projectcalico.org/v3
        kind: ClusterInformation
        metadata:
          name: default
        spec:
          clusterGUID: 0123456789abcdef
          calicoVersion: v3.31.0
          datastoreReady: false
        """)[0];

    private static IReadOnlyList<(ResourceKind, IReadOnlyList<Resource>)> Groups() =>
    [
        (ResourceKinds.IPPool, ResourceCodec.Decode("""
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: p1
              uid: 1234
              resourceVersion: "99"
              creationTimestamp: "2026-01-01T00:00:00Z"
            spec:
              cidr: 10.65.0.0/16
            """)),
        (ResourceKinds.Tier, []),
        (ResourceKinds.NetworkPolicy, ResourceCodec.Decode("""
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata:
              name: np1
              namespace: ns1
            spec:
              selector: all()
            """)),
    ];

    [Fact]
    public void Encode_UpstreamLayout_ListsThenClusterInformationThenIpamJson()
    {
        string text = MigrationFile.Encode(Groups(), Info(), s_ipam);

        string[] sections = text.Split("===\n");
        Assert.Equal(3, sections.Length);
        // One list document per kind, each ended by ---; per-datastore metadata stripped.
        Assert.Equal(3, sections[0].Split("---\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("kind: IPPoolList", sections[0], StringComparison.Ordinal);
        Assert.Contains("kind: TierList", sections[0], StringComparison.Ordinal);
        Assert.DoesNotContain("uid", sections[0], StringComparison.Ordinal);
        Assert.DoesNotContain("resourceVersion: \"99\"", sections[0], StringComparison.Ordinal);
        Assert.DoesNotContain("2026-01-01", sections[0], StringComparison.Ordinal); // printed as Go prints a zero time: null
        Assert.StartsWith("{\n  \"kind\": \"ClusterInformation\"", sections[1], StringComparison.Ordinal);
        Assert.Contains("\"clusterGUID\": \"0123456789abcdef\"", sections[1], StringComparison.Ordinal);
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void EncodeIpam_GoMarshalIndentShape()
    {
        var ipam = new IpamDump(
            [new IpamRecord("/calico/ipam/v2/host/h1/ipv4/block/10.65.0.0-26", Encoding.UTF8.GetBytes("""{"state":"confirmed","deleted":false}"""))],
            [], [], null);

        Assert.Equal(
            """
            {
              "block_affinities": [
                {
                  "Key": "/calico/ipam/v2/host/h1/ipv4/block/10.65.0.0-26",
                  "Value": {
                    "state": "confirmed",
                    "deleted": false
                  },
                  "TTL": 0
                }
              ]
            }
            """.ReplaceLineEndings("\n"),
            MigrationFile.EncodeIpam(ipam));
        Assert.Equal("{}", MigrationFile.EncodeIpam(IpamDump.Empty));
    }

    [Fact]
    public void IpamValue_IndentThenCompact_ExactBytes()
    {
        string indented = GoJsonIndent.Indent(s_block, "    ");

        Assert.Contains("\n      \"affinity\": \"host:h1\",", indented, StringComparison.Ordinal);
        Assert.Contains("\"empty\": []", indented, StringComparison.Ordinal);
        Assert.Contains("\"obj\": {}", indented, StringComparison.Ordinal);
        Assert.Contains("a\\u003cb", indented, StringComparison.Ordinal);
        Assert.Equal(s_block, GoJsonIndent.Compact(Encoding.UTF8.GetBytes(indented)));
    }

    [Fact]
    public void Decode_OfEncode_SameResourcesClusterAndIpamBytes()
    {
        var data = MigrationFile.Decode(MigrationFile.Encode(Groups(), Info(), s_ipam), "x.yaml");

        Assert.Equal(["IPPool/p1", "NetworkPolicy/np1"], data.Resources.Select(r => r.Kind + "/" + r.Metadata.Name));
        Assert.Equal("ns1", data.Resources[1].Metadata.Namespace);
        Assert.Equal("0123456789abcdef", data.ClusterInformation.Spec.ClusterGUID);
        Assert.Equal(s_ipam.All.Select(r => r.Key), data.Ipam.All.Select(r => r.Key));
        Assert.All(s_ipam.All.Zip(data.Ipam.All), pair => Assert.Equal(pair.First.Value, pair.Second.Value));
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\nspec:\n  cidr: 10.0.0.0/8\n", "it has 0 '===' separator line(s)" },
        { "a: b\n===\n===\n{}\n===\n", "it has 3 '===' separator line(s)" },
        { "apiVersion: projectcalico.org/v3\nkind: Gadget\nmetadata:\n  name: g\n---\n===\n" + InfoJson + "===\n{}\n", "unknown resource type (Gadget)" },
        { "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\nspec:\n  cidr: 10.0.0.300/8\n---\n===\n" + InfoJson + "===\n{}\n", "IPPool(p)" },
        { "===\n{\"kind\": \"Tier\"}\n===\n{}\n", "ClusterInformation section" },
        { "===\n" + InfoJson + "===\nnot json\n", "IPAM section: not JSON" },
        { "===\n" + InfoJson + "===\n{\"blocks\": [{\"Key\": \"/calico/ipam/v2/handle/x\", \"Value\": {\"cidr\": \"10.0.0.0/26\"}, \"TTL\": 0}]}\n", "not a block key" },
        { "===\n" + InfoJson + "===\n{\"blocks\": [{\"Key\": \"/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26\", \"Value\": {\"cidr\": \"10.9.0.0/26\"}, \"TTL\": 0}]}\n", "Value.cidr does not match" },
        { "===\n" + InfoJson + "===\n{\"handles\": [{\"Key\": \"/calico/ipam/v2/handle/x\", \"Value\": {}, \"TTL\": 5}]}\n", "TTL 5 is not 0" },
        { "===\n" + InfoJson + "===\n{\"pools\": []}\n", "unknown field \"pools\"" },
    };

    private const string InfoJson = "{\"kind\": \"ClusterInformation\", \"apiVersion\": \"projectcalico.org/v3\", \"metadata\": {\"name\": \"default\"}, \"spec\": {\"clusterGUID\": \"g\"}}\n";

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Decode_BadFile_NamesFileAndProblem(string text, string expected)
    {
        var e = Assert.Throws<CtlException>(() => MigrationFile.Decode(text, "/tmp/export.yaml"));

        Assert.StartsWith("error while reading migration file: /tmp/export.yaml: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
