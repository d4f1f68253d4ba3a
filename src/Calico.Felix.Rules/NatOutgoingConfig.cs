using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Calico.Api;
using Calico.Felix.Calc.Model;

namespace Calico.Felix.Rules;

/// <summary>
/// Felix's NAT outgoing options (upstream <c>NATOutgoingAddress</c>, <c>NATPortRange</c>,
/// <c>NATOutgoingExclusions</c>, <c>IptablesNATOutgoingInterfaceFilter</c>); the default is plain masquerade of
/// traffic from a natOutgoing pool to anywhere outside the pools, on every interface.
/// </summary>
public sealed partial record NatOutgoingConfig
{
    public static NatOutgoingConfig Default { get; } = new();

    /// <summary>
    /// <c>natOutgoingAddress</c>: IPv4 traffic is source-NATed to this address instead of masqueraded (IPv6 pools keep
    /// masquerade, as upstream). Null: masquerade.
    /// </summary>
    public IPAddress? SnatAddress { get; init; }

    /// <summary><c>natPortRange</c>: TCP and UDP get a source port in this range. Null: the kernel's choice.</summary>
    public PortRange? PortRange { get; init; }

    /// <summary>
    /// <c>natOutgoingExclusions: IPPoolsAndHostIPs</c>: traffic to any host's address (<see cref="NatInputs.HostAddresses"/>)
    /// is not NATed either. False: <c>IPPoolsOnly</c>.
    /// </summary>
    public bool ExcludeHostAddresses { get; init; }

    /// <summary>
    /// <c>iptablesNATOutgoingInterfaceFilter</c> as upstream spells it (a trailing <c>+</c> is a prefix wildcard): only
    /// traffic leaving a matching interface is NATed. Empty: every interface.
    /// </summary>
    public string InterfaceFilter { get; init; } = "";

    /// <summary>
    /// <c>bpfPSNATPorts</c> (upstream's default 20000:29999): in BPF mode, the ports a flow NATed by the programs gets
    /// when its own source port is taken (<see cref="PortRange"/> wins when set).
    /// </summary>
    public PortRange BpfPsnatPorts { get; init; } = DefaultBpfPsnatPorts;

    public static PortRange DefaultBpfPsnatPorts => new(20000, 29999);

    /// <summary>Throws <see cref="ValidationException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (SnatAddress is { } address && address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw Bad("natOutgoingAddress", address.ToString(), "must be an IPv4 address");
        }

        if (PortRange is { } range && (range.First < 1 || range.Last > 65535 || range.First > range.Last))
        {
            throw Bad("natPortRange", range.ToString(), "must be a port or a range min:max within 1-65535");
        }

        if (BpfPsnatPorts.First < 1 || BpfPsnatPorts.Last > 65535 || BpfPsnatPorts.First > BpfPsnatPorts.Last)
        {
            throw Bad("bpfPSNATPorts", BpfPsnatPorts.ToString(), "must be a range min:max within 1-65535");
        }

        if (InterfaceFilter.Length > 0 && !InterfaceFilterRegex().IsMatch(InterfaceFilter))
        {
            throw Bad("iptablesNATOutgoingInterfaceFilter", InterfaceFilter, "1-15 characters of [a-zA-Z0-9:._+-]");
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9:._+-]{1,15}$", RegexOptions.CultureInvariant)]
    private static partial Regex InterfaceFilterRegex();

    private static ValidationException Bad(string field, string value, string reason) =>
        new(string.Create(CultureInfo.InvariantCulture, $"error with field {field} = '{value}' ({reason})"));
}
