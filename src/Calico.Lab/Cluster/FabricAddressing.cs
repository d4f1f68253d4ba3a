using System.Globalization;
using System.Net;

namespace Calico.Lab.Cluster;

/// <summary>
/// The lab's fabric: a router namespace between two subnets (so a pool's <c>CrossSubnet</c> mode has a same-subnet
/// pair and a cross-subnet pair of hosts), an outside network for NAT, and the optional top-of-rack router.
/// Host i sits on subnet 1 when i % 3 == 0, else on subnet 0: host1 and host2 share subnet 0, host3 is across.
/// IPv6 addresses mirror the IPv4 ones (the last group reads like the last octet: 172.30.1.13 ~ fd00:30:1::13),
/// always in canonical text (fd00:30:0::11 is written fd00:30::11), as the kernel and BIRD print them.
/// </summary>
public static class FabricAddressing
{
    public const int PrefixLength = 24;
    public const int PrefixLength6 = 64;
    public const string TorAddress = "172.30.0.254";
    public const string TorAddress6 = "fd00:30::fe";

    /// <summary>The ToR's leg on subnet 1: it forwards to subnet 1's hosts directly (the fabric router knows no pod routes).</summary>
    public const string TorLegAddress = "172.30.1.254";
    public const string TorLegAddress6 = "fd00:30:1::fe";
    public const string TorRouterId = TorAddress;
    public const int TorAsNumber = 65000;

    /// <summary>
    /// What the ToR announces to every host (a data-centre route, blackholed on the ToR itself): lets tests watch
    /// routes coming in, e.g. a BGPFilter import rule keeping it out of a host's kernel.
    /// </summary>
    public const string TorAnnouncedPrefix = "198.51.100.0/24";
    public const string TorAnnouncedPrefix6 = "2001:db8:100::/48";
    public const string OutsideRouterAddress = "203.0.113.1";
    public const string OutsideAddress = "203.0.113.2";
    public const string OutsideRouterAddress6 = "2001:db8:113::1";
    public const string OutsideAddress6 = "2001:db8:113::2";
    public const int OutsidePrefixLength = 24;
    public const int OutsidePrefixLength6 = 64;

    public static int SubnetOf(int hostIndex) => hostIndex % 3 == 0 ? 1 : 0;

    /// <summary>The fabric router's bridge for a subnet: br0, br1.</summary>
    public static string Bridge(int subnet) => string.Create(CultureInfo.InvariantCulture, $"br{subnet}");

    public static string Subnet(int subnet) => string.Create(CultureInfo.InvariantCulture, $"172.30.{subnet}.0/{PrefixLength}");

    public static string Subnet6(int subnet) => Canonical($"fd00:30:{subnet}::") + "/" + PrefixLength6.ToString(CultureInfo.InvariantCulture);

    public static string RouterAddress(int subnet) => string.Create(CultureInfo.InvariantCulture, $"172.30.{subnet}.1");

    public static string RouterAddress6(int subnet) => Canonical($"fd00:30:{subnet}::1");

    public static string HostAddress(int hostIndex) => string.Create(CultureInfo.InvariantCulture, $"172.30.{SubnetOf(hostIndex)}.{10 + hostIndex}");

    public static string HostAddress6(int hostIndex) => Canonical($"fd00:30:{SubnetOf(hostIndex)}::{10 + hostIndex}");

    private static string Canonical(FormattableString text) => IPAddress.Parse(FormattableString.Invariant(text)).ToString();
}
