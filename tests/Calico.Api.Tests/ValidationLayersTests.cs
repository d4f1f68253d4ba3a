namespace Calico.Api.Tests;

/// <summary>The generated layers (struct tags, CRD schema) name the field and the bad value, as every error must.</summary>
[Trait("Tier", "Unit")]
public sealed class ValidationLayersTests
{
    private static string Refuse(string yaml)
    {
        var r = Assert.Single(ResourceCodec.Decode(yaml));
        ResourceDefaults.Apply(r);
        return Assert.Throws<ValidationException>(() => ResourceValidator.Validate(r)).Message;
    }

    [Fact]
    public void Validate_CrdEnumViolation_NamesPathValueAndChoices()
    {
        var message = Refuse("""
            apiVersion: projectcalico.org/v3
            kind: BGPFilter
            metadata: {name: f}
            spec:
              exportV4:
              - action: Maybe
            """);
        Assert.Contains("spec.exportV4[0].action = 'Maybe'", message, StringComparison.Ordinal);
        Assert.Contains("supported values: \"Accept\", \"Reject\"", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_GoTagViolation_NamesPathAndValue()
    {
        var message = Refuse("""
            apiVersion: projectcalico.org/v3
            kind: FelixConfiguration
            metadata: {name: default}
            spec:
              mtuIfacePattern: "*"
            """);
        Assert.Contains("spec.mtuIfacePattern = '*'", message, StringComparison.Ordinal);
        Assert.Contains("because of Tag: regexp", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CaseInsensitiveCrdPattern_AcceptsLowerCase()
    {
        var r = Assert.Single(ResourceCodec.Decode("""
            apiVersion: projectcalico.org/v3
            kind: FelixConfiguration
            metadata: {name: default}
            spec:
              defaultEndpointToHostAction: drop
              bpfExtToServiceConnmark: 4294967295
            """));
        ResourceDefaults.Apply(r);
        ResourceValidator.Validate(r);
    }

    [Fact]
    public void Validate_BadRuleNet_ReportedOnce()
    {
        var message = Refuse("""
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata: {name: p}
            spec:
              egress:
              - action: Allow
                destination:
                  nets: [10.abcd]
            """);
        Assert.Equal(message.IndexOf("10.abcd", StringComparison.Ordinal), message.LastIndexOf("10.abcd", StringComparison.Ordinal));
    }
}
