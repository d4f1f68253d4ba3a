namespace Calico.Api.Tests;

/// <summary>CalicoNodeStatus at the boundary, as upstream's validator and CRD: node, classes and period checked.</summary>
[Trait("Tier", "Unit")]
public sealed class CalicoNodeStatusValidationTests
{
    private static CalicoNodeStatus Status(Action<CalicoNodeStatusSpec> edit)
    {
        var status = new CalicoNodeStatus
        {
            Metadata = { Name = "host1-status" },
            Spec = new CalicoNodeStatusSpec { Node = "host1", Classes = ["Agent", "BGP", "Routes"], UpdatePeriodSeconds = 10 },
        };
        edit(status.Spec);
        return status;
    }

    [Fact]
    public void Validate_AllClassesAndLimits_Accepted()
    {
        ResourceValidator.Validate(Status(_ => { }));
        ResourceValidator.Validate(Status(s => s.UpdatePeriodSeconds = 0));
        ResourceValidator.Validate(Status(s => s.UpdatePeriodSeconds = 86400));
        ResourceValidator.Validate(Status(s => s.Classes = ["Routes"]));
    }

    public static TheoryData<CalicoNodeStatus, string, string> Invalid => new()
    {
        { Status(s => s.Node = null), "Node", "required" },
        { Status(s => s.Node = "Not_A_Name"), "Node", "Not_A_Name" },
        { Status(s => s.Classes = null), "Classes", "required" },
        { Status(s => s.Classes = ["Agent", "Agent"]), "Classes", "unique" },
        { Status(s => s.Classes = ["Agent", "Bogus"]), "classes", "Bogus" },
        { Status(s => s.UpdatePeriodSeconds = null), "UpdatePeriodSeconds", "required" },
        { Status(s => s.UpdatePeriodSeconds = 86401), "UpdatePeriodSeconds", "86401" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_BadSpec_RefusedNamingField(CalicoNodeStatus status, string field, string detail)
    {
        var error = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(status));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }
}
