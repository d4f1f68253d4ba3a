namespace Calico.Api.Tests;

[Trait("Tier", "Unit")]
public sealed class ResourceCodecTests
{
    private const string FaqSequence = """
        - apiVersion: projectcalico.org/v3
          kind: IPPool
          metadata:
            name: ippool-1
          spec:
            cidr: 192.168.0.0/16
            ipipMode: Always
            natOutgoing: true
        """;

    [Fact]
    public void Decode_FaqBareSequence_ReturnsOnePool()
    {
        var resources = ResourceCodec.Decode(FaqSequence);

        var pool = Assert.IsType<IPPool>(Assert.Single(resources));
        Assert.Equal("ippool-1", pool.Metadata.Name);
        Assert.Equal("192.168.0.0/16", pool.Spec.Cidr);
        Assert.Equal("Always", pool.Spec.IpipMode);
        Assert.True(pool.Spec.NatOutgoing);
    }

    [Fact]
    public void Decode_MultiDocumentStream_ReturnsAllAndSkipsEmpty()
    {
        const string text = """
            ---
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata: {name: a}
            spec: {cidr: 10.0.0.0/8}
            ---
            ---
            apiVersion: projectcalico.org/v3
            kind: Tier
            metadata:
              name: t1
            spec:
              order: 100
            """;

        var resources = ResourceCodec.Decode(text);

        Assert.Collection(resources,
            r => Assert.Equal("a", Assert.IsType<IPPool>(r).Metadata.Name),
            r => Assert.Equal(100, Assert.IsType<Tier>(r).Spec.Order));
    }

    [Theory]
    [InlineData("IPPoolList", "projectcalico.org/v3")]
    [InlineData("List", "v1")]
    public void Decode_ListObject_FlattensItems(string kind, string apiVersion)
    {
        var text = $$"""
            apiVersion: {{apiVersion}}
            kind: {{kind}}
            metadata:
              resourceVersion: "12"
            items:
            - apiVersion: projectcalico.org/v3
              kind: IPPool
              metadata: {name: p1}
              spec: {cidr: 10.1.0.0/16}
            - apiVersion: projectcalico.org/v3
              kind: IPPool
              metadata: {name: p2}
              spec: {cidr: 10.2.0.0/16}
            """;

        var names = ResourceCodec.Decode(text).Select(r => r.Metadata.Name);

        Assert.Equal(["p1", "p2"], names);
    }

    [Fact]
    public void Decode_Json_ReturnsResource()
    {
        const string text = """{"apiVersion":"projectcalico.org/v3","kind":"BGPPeer","metadata":{"name":"p"},"spec":{"peerIP":"10.0.0.1","asNumber":"1.10"}}""";

        var peer = Assert.IsType<BGPPeer>(Assert.Single(ResourceCodec.Decode(text)));

        Assert.Equal((1u << 16) + 10, peer.Spec.AsNumber);
    }

    [Theory]
    [InlineData("spec:\n  asNumber: 64590\n  unknown: thing\n", "unknown")]
    [InlineData("spec: {}\nfoo: 1\n", "foo")]
    [InlineData("spec:\n  ingress:\n  - action: Allow\n    source:\n      bogus: x\n", "bogus")]
    public void Decode_UnknownField_ThrowsUpstreamMessage(string tail, string field)
    {
        var kind = tail.Contains("ingress", StringComparison.Ordinal) ? "GlobalNetworkPolicy" : "BGPPeer";
        var text = $"apiVersion: projectcalico.org/v3\nkind: {kind}\nmetadata:\n  name: x\n{tail}";

        var e = Assert.Throws<ResourceDecodeException>(() => ResourceCodec.Decode(text));

        Assert.Equal("field in document is not recognized or is in the wrong location: " + field, e.Message);
    }

    [Theory]
    [InlineData("apiVersion: projectcalico.org/v3\nkind: SomeKind\nmetadata: {name: x}\n", "unknown resource type (SomeKind) and/or version (projectcalico.org/v3)")]
    [InlineData("apiVersion: v7\nkind: BGPPeer\nmetadata: {name: x}\n", "unknown resource type (BGPPeer) and/or version (v7)")]
    [InlineData("apiVersion: projectcalico.org/v3\nmetadata: {name: x}\n", "Object 'Kind' is missing")]
    [InlineData("kind: IPPool\nmetadata: {name: x}\n", "Object 'apiVersion' is missing")]
    public void Decode_BadTypeMeta_Throws(string text, string expected)
    {
        var e = Assert.Throws<ResourceDecodeException>(() => ResourceCodec.Decode(text));

        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_MalformedYaml_NamesLineAndColumn()
    {
        const string text = "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: x\n  bad: [\n";

        var e = Assert.Throws<ResourceDecodeException>(() => ResourceCodec.Decode(text));

        Assert.Matches("line [0-9]+, column [0-9]+", e.Message);
    }

    [Fact]
    public void ToYaml_IPPool_MatchesCalicoctlGolden()
    {
        var pool = new IPPool();
        pool.Metadata.Name = "ippool-1";
        pool.Metadata.ResourceVersion = "5";
        pool.Metadata.Uid = "0f1c3a4e-0000-4000-8000-000000000001";
        pool.Metadata.CreationTimestamp = "2024-03-01T10:00:00Z";
        pool.Metadata.Labels = new() { ["zone"] = "a", ["enabled"] = "true" };
        pool.Spec.Cidr = "192.168.0.0/16";
        pool.Spec.IpipMode = "Always";
        pool.Spec.NatOutgoing = true;
        ResourceDefaults.Apply(pool);

        const string expected = """
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              creationTimestamp: "2024-03-01T10:00:00Z"
              labels:
                enabled: "true"
                zone: a
              name: ippool-1
              resourceVersion: "5"
              uid: 0f1c3a4e-0000-4000-8000-000000000001
            spec:
              allowedUses:
              - Workload
              - Tunnel
              assignmentMode: Automatic
              blockSize: 26
              cidr: 192.168.0.0/16
              ipipMode: Always
              natOutgoing: true
              nodeSelector: all()
              vxlanMode: Never

            """;
        Assert.Equal(expected, ResourceCodec.ToYaml(pool));
    }

    [Fact]
    public void ToJson_IPPool_GoStructOrderTwoSpaceIndent()
    {
        var pool = new IPPool();
        pool.Metadata.Name = "p";
        pool.Spec.Cidr = "10.0.0.0/8";
        pool.Spec.BlockSize = 26;
        pool.Spec.NodeSelector = "a == 'b' && has(c)";

        const string expected = """
            {
              "kind": "IPPool",
              "apiVersion": "projectcalico.org/v3",
              "metadata": {
                "name": "p",
                "creationTimestamp": null
              },
              "spec": {
                "cidr": "10.0.0.0/8",
                "blockSize": 26,
                "nodeSelector": "a == 'b' \u0026\u0026 has(c)"
              }
            }
            """;
        Assert.Equal(expected, ResourceCodec.ToJson(pool));
    }

    [Fact]
    public void ToJsonList_TwoPools_HasListEnvelope()
    {
        var a = new IPPool { Metadata = { Name = "a" }, Spec = { Cidr = "10.0.0.0/16" } };

        var json = ResourceCodec.ToJsonList(ResourceKinds.IPPool, [a], "42");

        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        Assert.Equal("IPPoolList", (string?)node["kind"]);
        Assert.Equal("42", (string?)node["metadata"]!["resourceVersion"]);
        Assert.Equal("a", (string?)node["items"]![0]!["metadata"]!["name"]);
    }

    [Fact]
    public void ToYamlList_Empty_PrintsEmptyItems()
    {
        var yaml = ResourceCodec.ToYamlList(ResourceKinds.Tier, [], null);

        Assert.Equal("apiVersion: projectcalico.org/v3\nitems: []\nkind: TierList\nmetadata: {}\n", yaml);
    }

    [Fact]
    public void Storage_UnknownFieldFromNewerVersion_IsIgnored()
    {
        var json = """{"kind":"IPPool","apiVersion":"projectcalico.org/v3","metadata":{"name":"p"},"spec":{"cidr":"10.0.0.0/8","futureField":1}}"""u8;

        var pool = Assert.IsType<IPPool>(ResourceCodec.FromStorageJson(ResourceKinds.IPPool, json));

        Assert.Equal("10.0.0.0/8", pool.Spec.Cidr);
    }

    [Fact]
    public void FromJsonNode_UnknownField_Throws()
    {
        var node = ResourceCodec.ToJsonNode(new Tier { Metadata = { Name = "t" } });
        node["spec"]!["bogus"] = 1;

        Assert.Throws<ResourceDecodeException>(() => ResourceCodec.FromJsonNode(node));
    }

    [Fact]
    public void Clone_ModifyingCopy_LeavesOriginal()
    {
        var pool = new IPPool { Metadata = { Name = "p", Labels = new() { ["a"] = "b" } }, Spec = { Cidr = "10.0.0.0/8" } };

        var copy = (IPPool)ResourceCodec.Clone(pool);
        copy.Metadata.Labels!["a"] = "c";

        Assert.Equal("b", pool.Metadata.Labels["a"]);
    }

    [Theory]
    [InlineData("true", "\"true\"")]
    [InlineData("5", "\"5\"")]
    [InlineData("", "\"\"")]
    [InlineData("yes", "\"yes\"")]
    [InlineData("1.5", "\"1.5\"")]
    [InlineData("all()", "all()")]
    [InlineData("!has(a)", "'!has(a)'")]
    [InlineData("a: b", "'a: b'")]
    [InlineData("null", "\"null\"")]
    [InlineData("80:90", "80:90")]
    public void ToYaml_LabelValue_QuotedOnlyWhenAmbiguous(string value, string rendered)
    {
        var set = new GlobalNetworkSet { Metadata = { Name = "s", Labels = new() { ["k"] = value } } };

        var yaml = ResourceCodec.ToYaml(set);

        Assert.Contains("\n    k: " + rendered + "\n", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_YamlNumberIntoStringField_IsAccepted()
    {
        const string text = "apiVersion: projectcalico.org/v3\nkind: Profile\nmetadata:\n  name: p\n  labels:\n    version: 123\n";

        var profile = Assert.IsType<Profile>(Assert.Single(ResourceCodec.Decode(text)));

        Assert.Equal("123", profile.Metadata.Labels!["version"]);
    }

    [Fact]
    public void Decode_YamlBooleanWordInStringField_KeepsText()
    {
        var np = (KubernetesNetworkPolicy)ResourceCodec.Decode("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: p
              namespace: x
              labels:
                short: y
                answer: no
            spec:
              podSelector: {}
            """)[0];

        Assert.Equal("y", np.Metadata.Labels!["short"]);
        Assert.Equal("no", np.Metadata.Labels!["answer"]);
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("on", true)]
    [InlineData("n", false)]
    [InlineData("false", false)]
    public void Decode_YamlBooleanWordInBoolField_IsBoolean(string word, bool expected)
    {
        var pool = (IPPool)ResourceCodec.Decode($"apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\nspec:\n  cidr: 10.0.0.0/8\n  natOutgoing: {word}\n")[0];

        Assert.Equal(expected, pool.Spec.NatOutgoing);
    }

    [Fact]
    public void Decode_NotABoolean_SaysWhatTheFieldTakes()
    {
        var e = Assert.Throws<ResourceDecodeException>(() => ResourceCodec.Decode("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\nspec:\n  cidr: 10.0.0.0/8\n  natOutgoing: maybe\n"));

        Assert.Contains("natOutgoing", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected true or false, got 'maybe'", e.Message, StringComparison.Ordinal);
    }
}
