using System.Net;
using System.Net.Sockets;
using Calico.Node.Startup;

namespace Calico.Node.Tests;

[Trait("Tier", "Unit")]
public sealed class AddressAutodetectionTests
{
    private static readonly AddressCandidate[] Host =
    [
        new("lo", null, IPAddress.Parse("127.0.0.1"), 8, 254),
        new("docker0", "bridge", IPAddress.Parse("172.17.0.1"), 16, 0),
        new("br-lab", "bridge", IPAddress.Parse("192.168.50.1"), 24, 0),
        new("eth0", "veth", IPAddress.Parse("169.254.3.3"), 16, 0),
        new("eth0", "veth", IPAddress.Parse("10.0.0.5"), 24, 0),
        new("eth1", null, IPAddress.Parse("192.0.2.7"), 24, 0),
        new("eth1", null, IPAddress.Parse("fe80::1"), 64, 253),
        new("eth1", null, IPAddress.Parse("fd00::7"), 64, 0),
    ];

    private static string? Select(string method, AddressFamily family = AddressFamily.InterNetwork, Func<IPAddress, IPAddress?>? source = null) =>
        AddressAutodetection.Select(method, family, Host, source, out _);

    [Fact]
    public void First_found_skips_loopback_link_local_and_bridges() => Assert.Equal("10.0.0.5/24", Select("first-found"));

    [Fact]
    public void Interface_skip_interface_and_cidr()
    {
        Assert.Equal("192.0.2.7/24", Select("interface=eth1"));
        Assert.Equal("192.0.2.7/24", Select("interface=wlan.*,eth[1-9]"));
        Assert.Equal("192.0.2.7/24", Select("skip-interface=eth0"));
        Assert.Equal("192.0.2.7/24", Select("cidr=192.0.2.0/24"));
        Assert.Equal("fd00::7/64", Select("first-found", AddressFamily.InterNetworkV6));
    }

    [Fact]
    public void Can_reach_takes_the_kernels_source_address() =>
        Assert.Equal("192.0.2.7/24", Select("can-reach=198.51.100.1", source: _ => IPAddress.Parse("192.0.2.7")));

    [Fact]
    public void No_fit_says_why_each_address_was_refused()
    {
        Assert.Null(AddressAutodetection.Select("cidr=203.0.113.0/24", AddressFamily.InterNetwork, Host, null, out string reason));
        Assert.Contains("127.0.0.1 on lo (loopback)", reason, StringComparison.Ordinal);
        Assert.Contains("169.254.3.3 on eth0 (link-local)", reason, StringComparison.Ordinal);

        Assert.Null(AddressAutodetection.Select("first-found", AddressFamily.InterNetwork, [Host[0], Host[1]], null, out reason));
        Assert.Contains("172.17.0.1 on docker0 (a bridge)", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cidr=nonsense", "'nonsense' is not a CIDR")]
    [InlineData("interface=(", "'(' is not a valid regular expression")]
    [InlineData("magic", "IP_AUTODETECTION_METHOD='magic'")]
    public void Bad_methods_name_the_bad_value(string method, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => Select(method));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
