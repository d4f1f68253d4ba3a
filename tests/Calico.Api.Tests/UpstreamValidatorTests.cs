namespace Calico.Api.Tests;

/// <summary>
/// Upstream's validator test tables (libcalico-go validator_test.go), ported as data: each case goes through
/// calicoctl's path here (strict decode, client-side defaults, validation) and must get upstream's verdict.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class UpstreamValidatorTests
{
    public static TheoryData<UpstreamValidatorCase> Cases()
    {
        var data = new TheoryData<UpstreamValidatorCase>();
        foreach (var c in UpstreamValidatorCases.All)
        {
            if (c.Pending is null)
                data.Add(c);
        }
        return data;
    }

    public static TheoryData<UpstreamValidatorCase> PendingCases()
    {
        var data = new TheoryData<UpstreamValidatorCase>();
        foreach (var c in UpstreamValidatorCases.All)
        {
            if (c.Pending is not null)
                data.Add(c);
        }
        if (data.Count == 0)
            data.Add(new UpstreamValidatorCase("none", "none", "no pending case", true, "none", ""));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Validate_UpstreamCase_GivesUpstreamVerdict(UpstreamValidatorCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var error = UpstreamValidatorCases.Verdict(c);
        if (c.Valid)
            Assert.True(error is null, $"upstream accepts this; we refuse it: {error}");
        else
            Assert.True(error is not null, "upstream refuses this; we accept it");
    }

    /// <summary>A pending case still disagrees with upstream; once it agrees, drop its '# pending' line.</summary>
    [Theory]
    [MemberData(nameof(PendingCases))]
    public void Validate_PendingUpstreamCase_StillDiffers(UpstreamValidatorCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (c.Document.Length == 0)
            return;
        var error = UpstreamValidatorCases.Verdict(c);
        Assert.False((error is null) == c.Valid, $"now gives upstream's verdict: remove '# pending: {c.Pending}' from {c.File} ({c.Upstream})");
    }
}
