using System.Diagnostics.CodeAnalysis;

namespace Calico.Lab.Conformance;

/// <summary>A pod of a case, written <c>ns/name</c>.</summary>
public readonly record struct PodRef(string Namespace, string Name)
{
    public static bool TryParse(string text, [NotNullWhen(true)] out PodRef? pod)
    {
        ArgumentNullException.ThrowIfNull(text);
        pod = null;
        var parts = text.Trim().Split('/');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0 || parts[0] == "*" || parts[1] == "*")
        {
            return false;
        }

        pod = new PodRef(parts[0], parts[1]);
        return true;
    }

    public override string ToString() => Namespace + "/" + Name;
}
