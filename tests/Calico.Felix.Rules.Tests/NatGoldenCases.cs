using System.Net;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules.Tests;

/// <summary>
/// The NAT outgoing option cases of <see cref="GoldenCases"/>: the "nat-outgoing" pools (v4 and v6) with one option
/// each, and all of them at once; two other hosts (one with both families) for the host exclusion.
/// </summary>
internal static class NatGoldenCases
{
    public static IReadOnlyList<string> Names { get; } =
        ["nat-outgoing-address", "nat-port-range", "nat-exclude-host-ips", "nat-interface-filter", "nat-outgoing-all-options"];

    public static bool Has(string name) => Names.Contains(name);

    public static RenderConfig Config(string name) => new RenderConfig { MergeRuleRuns = false } with
    {
        NatOutgoing = name switch
        {
            "nat-outgoing-address" => new NatOutgoingConfig { SnatAddress = IPAddress.Parse("198.51.100.7") },
            "nat-port-range" => new NatOutgoingConfig { PortRange = new PortRange(32768, 40000) },
            "nat-exclude-host-ips" => new NatOutgoingConfig { ExcludeHostAddresses = true },
            "nat-interface-filter" => new NatOutgoingConfig { InterfaceFilter = "eth+" },
            "nat-outgoing-all-options" => new NatOutgoingConfig
            {
                SnatAddress = IPAddress.Parse("198.51.100.7"),
                PortRange = new PortRange(1024, 65535),
                ExcludeHostAddresses = true,
                InterfaceFilter = "ens3",
            },
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown NAT golden case"),
        },
    };

    public static NatInputs Nat { get; } = new(["10.0.0.0/16", "10.10.0.0/16", "fd00:10::/64"], ["10.0.0.0/16", "fd00:10::/64"])
    {
        HostAddresses = ["192.168.0.11/24", "192.168.0.12", "2001:db8::12/64"],
    };
}
