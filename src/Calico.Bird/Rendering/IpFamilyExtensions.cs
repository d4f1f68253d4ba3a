namespace Calico.Bird.Rendering;

internal static class IpFamilyExtensions
{
    public static string Suffix(this IpFamily family) => family == IpFamily.V4 ? "v4" : "v6";

    public static string Channel(this IpFamily family) => family == IpFamily.V4 ? "ipv4" : "ipv6";
}
