namespace Calico.Cni;

/// <summary>The CNI specification versions this plugin answers, and what each allows.</summary>
internal static class CniVersions
{
    public const string Latest = "1.1.0";

    public static IReadOnlyList<string> Supported { get; } = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];

    public static bool IsSupported(string version) => Supported.Contains(version, StringComparer.Ordinal);

    /// <summary>0.3.x results carry a per-IP "version" field; 1.0.0 dropped it.</summary>
    public static bool ResultHasIpVersion(string version) => version.StartsWith("0.", StringComparison.Ordinal);

    /// <summary>CHECK arrived in 0.4.0.</summary>
    public static bool HasCheck(string version) => version is "0.4.0" or "1.0.0" or "1.1.0";

    /// <summary>STATUS and GC arrived in 1.1.0.</summary>
    public static bool HasStatusAndGc(string version) => version == "1.1.0";
}
