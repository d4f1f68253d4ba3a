using System.Diagnostics.CodeAnalysis;

namespace Calico.Lab.Conformance;

/// <summary><c>*</c>, <c>ns/*</c>, <c>*/name</c> or <c>ns/name</c> (null parts match anything).</summary>
public sealed record PodPattern(string? Namespace, string? Name)
{
    public static bool TryParse(string text, [NotNullWhen(true)] out PodPattern? pattern)
    {
        ArgumentNullException.ThrowIfNull(text);
        pattern = null;
        if (text == "*")
        {
            pattern = new PodPattern(null, null);
            return true;
        }

        var parts = text.Split('/');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            return false;
        }

        pattern = new PodPattern(parts[0] == "*" ? null : parts[0], parts[1] == "*" ? null : parts[1]);
        return true;
    }

    public bool Matches(PodRef pod) =>
        (Namespace is null || Namespace == pod.Namespace) && (Name is null || Name == pod.Name);

    public override string ToString() => Namespace is null && Name is null ? "*" : $"{Namespace ?? "*"}/{Name ?? "*"}";
}
