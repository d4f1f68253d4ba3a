namespace Calico.Api.Tests;

/// <summary>One case of upstream's validator tables: a resource document and upstream's verdict.</summary>
public sealed record UpstreamValidatorCase(string File, string Upstream, string Name, bool Valid, string? Pending, string Document)
{
    // xunit prints this in the test name, so a failure says which upstream line it came from.
    public override string ToString() => $"{File} {Upstream} {Name}";
}
