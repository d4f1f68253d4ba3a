using System.Text;
using Calico.Api.Serialization;

namespace Calico.Api.Tests;

/// <summary>Input from outside (files, stdin, the datastore) can be hostile: every bad shape is a decode error naming the field.</summary>
[Trait("Tier", "Unit")]
public sealed class CodecBoundsTests
{
    [Fact]
    public void Decode_Yaml100000Deep_ThrowsNestingError()
    {
        var text = "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: t\nspec:\n  x: " + new string('[', 100_000) + new string(']', 100_000) + "\n";

        var e = Assert.Throws<ResourceDecodeException>(() => ResourceCodec.Decode(text));

        Assert.Contains("document nested deeper than 100 levels", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("error converting YAML to JSON: yaml: line 6, column ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_Json100000Deep_ThrowsNestingError()
    {
        var sb = new StringBuilder("{\"apiVersion\":\"projectcalico.org/v3\",\"kind\":\"Tier\",\"metadata\":{\"name\":\"t\"},\"spec\":");
        for (var i = 0; i < 100_000; i++)
        {
            sb.Append("{\"a\":");
        }

        sb.Append('1').Append('}', 100_000).Append('}');

        var e = Assert.Throws<ResourceDecodeException>(() => ResourceCodec.Decode(sb.ToString()));

        Assert.Contains("document nested deeper than 100 levels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_DocumentExactly100Deep_ReachesTheFieldCheck()
    {
        // Depth 1 is the document, 2 metadata; 98 more levels under an annotation-free label map are still read,
        // so the error is the ordinary type error, not the nesting limit.
        var text = "{\"apiVersion\":\"projectcalico.org/v3\",\"kind\":\"Tier\",\"metadata\":{\"name\":\"t\",\"labels\":"
            + new string('[', 98) + new string(']', 98) + "}}";

        var e = Assert.Throws<ResourceDecodeException>(() => ResourceCodec.Decode(text));

        Assert.DoesNotContain("nested deeper", e.Message, StringComparison.Ordinal);
        Assert.Contains("metadata.labels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromStorageJson_100000Deep_ThrowsDecodeException()
    {
        // Under a field this version does not know (skipped on read), so only the depth can stop it.
        var sb = new StringBuilder("{\"spec\":{\"future\":");
        for (var i = 0; i < 100_000; i++)
        {
            sb.Append("{\"a\":");
        }

        sb.Append('1').Append('}', 100_002);
        var json = Encoding.UTF8.GetBytes(sb.ToString());

        var e = Assert.Throws<ResourceDecodeException>(() => ResourceCodec.FromStorageJson(ResourceKinds.GlobalNetworkPolicy, json));

        Assert.Contains("document nested deeper than 100 levels", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GlobalNetworkPolicy", "1e400")]
    [InlineData("NetworkPolicy", "-1e400")]
    [InlineData("Tier", "1e400")]
    public void Decode_OrderOutOfFloat64Range_ThrowsNamingOrder(string kind, string order)
    {
        var text = $"apiVersion: projectcalico.org/v3\nkind: {kind}\nmetadata:\n  name: p\n  namespace: default\nspec:\n  order: {order}\n";
        if (kind != "NetworkPolicy")
            text = text.Replace("  namespace: default\n", "", StringComparison.Ordinal);

        var e = Assert.Throws<ResourceDecodeException>(() => ResourceCodec.Decode(text));

        Assert.Contains("spec.order", e.Message, StringComparison.Ordinal);
        Assert.Contains($"number {order} is out of range", e.Message, StringComparison.Ordinal);
        Assert.Equal("spec.order", e.Path);
    }

    [Fact]
    public void Decode_JsonOrderOutOfRange_ThrowsNamingOrder()
    {
        const string text = """{"apiVersion":"projectcalico.org/v3","kind":"GlobalNetworkPolicy","metadata":{"name":"p"},"spec":{"order":1e400}}""";

        var e = Assert.Throws<ResourceDecodeException>(() => ResourceCodec.Decode(text));

        Assert.Contains("spec.order: number 1e400 is out of range", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromStorageJson_OrderOutOfRange_ThrowsDecodeException()
    {
        var e = Assert.Throws<ResourceDecodeException>(() =>
            ResourceCodec.FromStorageJson(ResourceKinds.GlobalNetworkPolicy, """{"spec":{"order":1e400}}"""u8));

        Assert.Contains("spec.order: number 1e400 is out of range", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_LargeFiniteOrder_Kept()
    {
        var r = ResourceCodec.Decode("apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: t}\nspec: {order: 1.5e308}\n");
        Assert.Equal(1.5e308, Assert.IsType<Tier>(Assert.Single(r)).Spec.Order);
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    public void Validate_NonFiniteOrderBuiltInCode_Refused(double order)
    {
        var gnp = new GlobalNetworkPolicy { Metadata = new ObjectMeta { Name = "p" } };
        gnp.Spec.Order = order;

        var e = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(gnp));

        Assert.Contains("GlobalNetworkPolicySpec.Order", e.Message, StringComparison.Ordinal);
        Assert.Contains("order must be a finite number", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FelixConfiguration", "routeRefreshInterval", "abc", "time: invalid duration \\\"abc\\\"")]
    [InlineData("FelixConfiguration", "routeRefreshInterval", "1e400s", "time: unknown unit \\\"e\\\" in duration \\\"1e400s\\\"")]
    [InlineData("FelixConfiguration", "routeRefreshInterval", "99999999999h", "time: invalid duration \\\"99999999999h\\\"")]
    [InlineData("FelixConfiguration", "iptablesRefreshInterval", "1", "")]
    [InlineData("FelixConfiguration", "wireguardKeepAlive", "\"\"", "time: invalid duration \\\"\\\"")]
    [InlineData("BGPConfiguration", "nodeMeshMaxRestartTime", "10d", "time: unknown unit")]
    [InlineData("BGPPeer", "keepaliveTime", "abc", "time: invalid duration")]
    [InlineData("BGPPeer", "maxRestartTime", "1.2.3s", "time: missing unit in duration")]
    [InlineData("KubeControllersConfiguration", "etcdV3CompactionPeriod", "5 m", "time: unknown unit")]
    public void Decode_InvalidDuration_ThrowsNamingField(string kind, string field, string value, string detail)
    {
        var text = $"apiVersion: projectcalico.org/v3\nkind: {kind}\nmetadata:\n  name: default\nspec:\n  {field}: {value}\n";

        var e = Assert.Throws<ResourceDecodeException>(() => ResourceCodec.Decode(text));

        Assert.Equal("spec." + field, e.Path);
        Assert.Contains($"field spec.{field}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(detail.Replace("\\\"", "\"", StringComparison.Ordinal), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_BareNumberForDuration_ThrowsAsUpstream()
    {
        var e = Assert.Throws<ResourceDecodeException>(() =>
            ResourceCodec.Decode("apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {routeRefreshInterval: 90}\n"));

        Assert.Contains("spec.routeRefreshInterval: cannot unmarshal number into a duration", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NestedDurations_Checked()
    {
        const string text = """
            apiVersion: projectcalico.org/v3
            kind: KubeControllersConfiguration
            metadata: {name: default}
            spec:
              controllers:
                node: {reconcilerPeriod: 5x}
            """;

        var e = Assert.Throws<ResourceDecodeException>(() => ResourceCodec.Decode(text));

        Assert.Equal("spec.controllers.node.reconcilerPeriod", e.Path);
    }

    [Fact]
    public void Decode_ValidDurations_KeptAsWritten()
    {
        const string text = """
            apiVersion: projectcalico.org/v3
            kind: FelixConfiguration
            metadata: {name: default}
            spec:
              routeRefreshInterval: 1h2m3.5s
              iptablesRefreshInterval: "0"
              ipsetsRefreshInterval: 300ms
              netlinkTimeout: "1µs"
              healthTimeoutOverrides:
              - name: InternalDataplaneMainLoop
                timeout: 30s
            """;

        var fc = Assert.IsType<FelixConfiguration>(Assert.Single(ResourceCodec.Decode(text)));

        Assert.Equal("1h2m3.5s", fc.Spec.RouteRefreshInterval);
        Assert.Equal("0", fc.Spec.IptablesRefreshInterval);
        Assert.Equal("300ms", fc.Spec.IpsetsRefreshInterval);
        Assert.Equal("1µs", fc.Spec.NetlinkTimeout);
        Assert.Equal("30s", Assert.Single(fc.Spec.HealthTimeoutOverrides!).Timeout);
        Assert.Contains("\"routeRefreshInterval\":\"1h2m3.5s\"", Encoding.UTF8.GetString(ResourceCodec.ToStorageJson(fc)), StringComparison.Ordinal);
    }

    [Fact]
    public void FromStorageJson_InvalidDuration_ThrowsDecodeException()
    {
        var e = Assert.Throws<ResourceDecodeException>(() =>
            ResourceCodec.FromStorageJson(ResourceKinds.FelixConfiguration, """{"spec":{"routeRefreshInterval":"abc"}}"""u8));

        Assert.Contains("time: invalid duration \"abc\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GoDurationFields_EveryListedPropertyExists()
    {
        // Apply throws for a stale entry; serialising one of each kind runs it for every listed type.
        foreach (var (type, name) in GoDurationFields.All)
        {
            Assert.False(string.IsNullOrEmpty(name), type.Name);
        }

        var kcc = new KubeControllersConfiguration { Metadata = new ObjectMeta { Name = "default" } };
        kcc.Spec.Controllers = new ControllersConfig
        {
            Node = new NodeControllerConfig { ReconcilerPeriod = "1m" },
            Policy = new PolicyControllerConfig(),
            WorkloadEndpoint = new WorkloadEndpointControllerConfig(),
            ServiceAccount = new ServiceAccountControllerConfig(),
            Namespace = new NamespaceControllerConfig(),
        };
        var fc = new FelixConfiguration { Metadata = new ObjectMeta { Name = "default" } };
        fc.Spec.HealthTimeoutOverrides = [new HealthTimeoutOverride { Name = "x", Timeout = "1s" }];
        (ResourceKind Kind, Resource Value)[] all =
        [
            (ResourceKinds.KubeControllersConfiguration, kcc),
            (ResourceKinds.FelixConfiguration, fc),
            (ResourceKinds.BGPConfiguration, new BGPConfiguration()),
            (ResourceKinds.BGPPeer, new BGPPeer()),
        ];
        foreach (var (kind, value) in all)
        {
            var back = ResourceCodec.FromStorageJson(kind, ResourceCodec.ToStorageJson(value));
            Assert.IsType(value.GetType(), back);
        }
    }

    [Fact]
    public void Validate_SelectorDeeperThan100_RefusedNamingField()
    {
        var gnp = new GlobalNetworkPolicy { Metadata = new ObjectMeta { Name = "p" } };
        gnp.Spec.Selector = new string('(', 101) + "a == 'b'" + new string(')', 101);

        var e = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(gnp));

        Assert.Contains("Selector", e.Errors.Select(x => x.Field));
        Assert.Contains("invalid selector: parentheses nested deeper than 100 levels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Selector100000Deep_RefusedWithShortMessage()
    {
        var gnp = new GlobalNetworkPolicy { Metadata = new ObjectMeta { Name = "p" } };
        gnp.Spec.Selector = new string('(', 100_000) + "a == 'b'" + new string(')', 100_000);

        var e = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(gnp));

        Assert.Contains("error with field Selector = '((((", e.Message, StringComparison.Ordinal);
        Assert.Contains("invalid selector: selector: parentheses nested deeper than 128 levels at column 129", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 1000, e.Message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Validate_Selector100Deep_Accepted()
    {
        var gnp = new GlobalNetworkPolicy { Metadata = new ObjectMeta { Name = "p" } };
        gnp.Spec.Selector = new string('(', 100) + "a == 'b'" + new string(')', 100);

        ResourceValidator.Validate(gnp);
    }

    [Fact]
    public void Decode_AliasBomb_ThrowsExcessiveAliasing()
    {
        // Each level doubles: 2^40 nodes if expanded.
        var sb = new StringBuilder("apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: t\n  labels: {}\nx0: &a0 [x, x]\n");
        for (var i = 1; i <= 40; i++)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"x{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n");
        }

        var e = Assert.Throws<ResourceDecodeException>(() => ResourceCodec.Decode(sb.ToString()));

        Assert.Contains("document contains excessive aliasing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_AliasChainBuildingDepth_ThrowsNestingError()
    {
        // Each anchor nests the previous one 10 levels deeper; the chain would reach 1000 levels.
        var sb = new StringBuilder("apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: t}\n");
        sb.Append("x0: &a0 1\n");
        for (var i = 1; i <= 100; i++)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"x{i}: &a{i} {new string('[', 10)}*a{i - 1}{new string(']', 10)}\n");
        }

        var e = Assert.Throws<ResourceDecodeException>(() => ResourceCodec.Decode(sb.ToString()));

        Assert.Contains("document nested deeper than 100 levels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ComplexKey70Deep_NoJsonDepthEscape()
    {
        var text = "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: t}\nspec:\n  ? " + new string('[', 70) + new string(']', 70) + "\n  : 1\n";

        var e = Assert.Throws<ResourceDecodeException>(() => ResourceCodec.Decode(text));

        Assert.Contains("not recognized", e.Message, StringComparison.Ordinal);
    }
}
