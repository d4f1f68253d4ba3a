using Calico.Api.Support;

namespace Calico.Api.Tests;

/// <summary>BGPFilter at the boundary: upstream's tags, schema and CEL rules refuse naming the field; every field acts.</summary>
[Trait("Tier", "Unit")]
public sealed class BgpFilterValidationTests
{
    private const string Full = """
        apiVersion: projectcalico.org/v3
        kind: BGPFilter
        metadata: {name: full}
        spec:
          exportV4:
          - cidr: 10.70.0.0/16
            matchOperator: In
            prefixLength: {min: 24, max: 28}
            source: RemotePeers
            interface: "eth*"
            peerType: eBGP
            communities: {values: ["65000:42"]}
            asPathPrefix: [65000, 65001]
            priority: 512
            action: Accept
            operations:
            - addCommunity: {value: "65000:300:400"}
            - prependASPath: {prefix: [64512]}
            - setPriority: {value: 100}
          importV6:
          - cidr: 2001:db8:100::/48
            matchOperator: NotIn
            action: Reject
        """;

    private static Resource Decode(string yaml) => ResourceCodec.Decode(yaml).Single();

    [Fact]
    public void Validate_EveryRuleField_AcceptedAndActs()
    {
        var filter = Decode(Full);

        ResourceValidator.Validate(filter);
        var findings = SupportMatrix.Check(filter);

        Assert.DoesNotContain(findings, f => f.Status != SupportStatus.Acts);
    }

    [Fact]
    public void SupportMatrix_BgpPeerFilters_Acts()
    {
        var peer = Decode("""
            apiVersion: projectcalico.org/v3
            kind: BGPPeer
            metadata: {name: tor}
            spec: {peerIP: 10.0.0.254, asNumber: 65000, filters: [full]}
            """);

        Assert.DoesNotContain(SupportMatrix.Check(peer), f => f.Status == SupportStatus.Refused);
    }

    public static TheoryData<string, string> Invalid => new()
    {
        // cidr of the wrong family.
        { "exportV4:\n  - {cidr: 'fd00::/64', matchOperator: In, action: Reject}", "fd00::/64" },
        { "importV6:\n  - {cidr: 10.0.0.0/8, matchOperator: In, action: Reject}", "10.0.0.0/8" },
        // cidr without matchOperator and the reverse (CEL), named by path.
        { "exportV4:\n  - {cidr: 10.0.0.0/8, action: Reject}", "spec.exportV4[0].matchOperator" },
        { "importV4:\n  - {matchOperator: In, action: Reject}", "spec.importV4[0].cidr" },
        // prefixLength out of the family's bounds, and without a cidr.
        { "exportV4:\n  - {cidr: 10.0.0.0/8, matchOperator: In, prefixLength: {max: 33}, action: Reject}", "prefixLength.max" },
        { "exportV6:\n  - {cidr: 'fd00::/8', matchOperator: In, prefixLength: {min: -1}, action: Reject}", "prefixLength.min" },
        { "exportV4:\n  - {prefixLength: {min: 16}, action: Reject}", "spec.exportV4[0].cidr" },
        // interface patterns, source and peerType values.
        { "exportV4:\n  - {interface: 'eth&', action: Reject}", "eth&" },
        { "exportV4:\n  - {source: Everything, action: Reject}", "Everything" },
        { "exportV4:\n  - {peerType: confed, action: Reject}", "confed" },
        // operations: only with Accept, exactly one kind each, values in range.
        { "exportV4:\n  - {action: Reject, operations: [{prependASPath: {prefix: [1]}}]}", "spec.exportV4[0].operations" },
        { "importV4:\n  - {action: Accept, operations: [{}]}", "spec.importV4[0].operations[0]" },
        { "importV4:\n  - {action: Accept, operations: [{setPriority: {value: 0}}]}", "setPriority.value" },
        { "importV4:\n  - {action: Accept, operations: [{addCommunity: {value: '65536:1'}}]}", "65536:1" },
        { "importV4:\n  - {communities: {values: ['1:2', '3:4']}, action: Accept}", "communities.values" },
        { "importV4:\n  - {priority: 2147483647, action: Accept}", "priority" },
        { "importV4:\n  - {action: Maybe}", "Maybe" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_BadRule_RefusedNamingField(string specYaml, string named)
    {
        var filter = Decode("apiVersion: projectcalico.org/v3\nkind: BGPFilter\nmetadata: {name: f}\nspec:\n  " + specYaml.Replace("\n", "\n  ", StringComparison.Ordinal) + "\n");

        var error = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(filter));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
