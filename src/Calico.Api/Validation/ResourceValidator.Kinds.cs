using System.Net;
using System.Net.Sockets;

namespace Calico.Api;

public static partial class ResourceValidator
{
    private static readonly IPNetwork s_linkLocalV4 = IPNetwork.Parse("169.254.0.0/16");
    private static readonly IPNetwork s_linkLocalV6 = IPNetwork.Parse("fe80::/10");

    private static void CheckEnum(Errors errors, string field, string? value, params string[] allowed)
    {
        if (string.IsNullOrEmpty(value) || Array.IndexOf(allowed, value) >= 0)
            return;
        errors.Add(field, value, "Unsupported value: \"" + value + "\": supported values: " + string.Join(", ", allowed.Select(a => "\"" + a + "\"")));
    }

    private static void ValidateIPPool(Errors errors, IPPool pool)
    {
        var spec = pool.Spec;
        if (string.IsNullOrEmpty(spec.Cidr))
        {
            errors.Add("IPPool.Spec.CIDR", null, "IPPool CIDR must be specified");
            return;
        }
        if (!Cidr.TryParse(spec.Cidr, out var net, out var address))
        {
            errors.Add("IPPool.Spec.CIDR", spec.Cidr, "IPPool CIDR must be a valid subnet");
            return;
        }
        if (!address.Equals(net.BaseAddress))
            errors.Add("IPPool.Spec.CIDR", spec.Cidr, $"IPPool CIDR is not strictly masked; did you mean {Cidr.Format(net)}?");
        var v4 = net.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
        if (v4 ? Cidr.Overlaps(net, s_linkLocalV4) : Cidr.Overlaps(net, s_linkLocalV6))
        {
            errors.Add("IPPool.Spec.CIDR", spec.Cidr, v4
                ? "IPPool CIDR overlaps with IPv4 link local range 169.254.0.0/16"
                : "IPPool CIDR overlaps with IPv6 link local range fe80::/10");
        }
        if (spec.BlockSize is { } bs and not 0 && (v4 ? bs is < 20 or > 32 : bs is < 116 or > 128))
            errors.Add("IPPool.Spec.BlockSize", Str(spec.BlockSize), "blockSize must be between 20 and 32 for IPv4 pools, and between 116 and 128 for IPv6 pools");
        else if (spec.Disabled != true && net.PrefixLength > (spec.BlockSize is > 0 ? spec.BlockSize.Value : v4 ? 26 : 122))
            errors.Add("IPPool.Spec.CIDR", spec.Cidr, "IP pool size is too small for use with Calico IPAM. It must be equal to or greater than the block size.");

        CheckEnum(errors, "IPPool.Spec.IPIPMode", spec.IpipMode, "Never", "Always", "CrossSubnet");
        CheckEnum(errors, "IPPool.Spec.VXLANMode", spec.VxlanMode, "Never", "Always", "CrossSubnet");
        CheckEnum(errors, "IPPool.Spec.AssignmentMode", spec.AssignmentMode, "Automatic", "Manual");
        var ipip = spec.IpipMode is { Length: > 0 } and not "Never";
        var vxlan = spec.VxlanMode is { Length: > 0 } and not "Never";
        if (ipip && vxlan)
            errors.Add("IPPool.Spec.IPIPMode", spec.IpipMode, $"ipipMode and vxlanMode cannot both be enabled (vxlanMode is '{spec.VxlanMode}'): set one of them to Never");
        if (ipip && !v4)
            errors.Add("IPPool.Spec.IPIPMode", spec.IpipMode, "IPIP is not supported on IPv6 pools");

        var uses = spec.AllowedUses ?? [];
        foreach (var u in uses)
        {
            if (u is not ("Workload" or "Tunnel" or "LoadBalancer"))
                errors.Add("IPpool.AllowedUses", u, "unknown use: " + u);
        }
        if (uses.Contains("LoadBalancer"))
        {
            if (ipip || vxlan)
                errors.Add("IPPool.Spec", null, "LoadBalancer IP pool cannot have IPIP or VXLAN enabled");
            if (uses.Contains("Workload") || uses.Contains("Tunnel"))
                errors.Add("IPPool.Spec.AllowedUses", null, "LoadBalancer cannot be combined with Workload or Tunnel allowed uses");
            if (spec.DisableBGPExport == true)
                errors.Add("IPPool.Spec.DisableBGPExport", "true", "LoadBalancer IP pools cannot disable BGP export");
            if (spec.NodeSelector is { Length: > 0 } sel && sel != "all()")
                errors.Add("IPPool.Spec.NodeSelector", sel, "IP Pool with AllowedUse LoadBalancer must have nodeSelector set to all()");
        }
        if (uses.Contains("Tunnel") && !string.IsNullOrEmpty(spec.NamespaceSelector))
            errors.Add("IPPool.Spec.NamespaceSelector", spec.NamespaceSelector, "IP Pool with AllowedUse Tunnel cannot have namespaceSelector");
        if (spec.NodeSelector?.Contains("global(", StringComparison.Ordinal) == true)
            errors.Add("IPPool.Spec.NodeSelector", spec.NodeSelector, "global() selector is not valid for IPPool nodeSelector");
        else
            CheckSelector(errors, "NodeSelector", spec.NodeSelector);
        if (spec.NamespaceSelector?.Contains("global(", StringComparison.Ordinal) == true)
            errors.Add("IPPool.Spec.NamespaceSelector", spec.NamespaceSelector, "global() selector is not valid for IPPool namespaceSelector");
        else
            CheckSelector(errors, "NamespaceSelector", spec.NamespaceSelector);
    }

    private static void ValidatePolicyName(Errors errors, Resource r, System.Text.RegularExpressions.Regex regex)
    {
        var name = r.Metadata.Name ?? "";
        if (name.Length > 253)
            errors.Add("Metadata.Name", name, $"name is too long by {name.Length - 253} bytes");
        if (!regex.IsMatch(name))
            errors.Add("Metadata.Name", name, "name must consist of lower case alphanumeric characters or '-' (regex: " + NameLabelFmt + ")");
        ValidateMetaMaps(errors, r);
    }

    private static void ValidateTypes(Errors errors, List<string>? types, string field)
    {
        if (types is null)
            return;
        if (types.Count > 2)
            errors.Add(field, "[" + string.Join(" ", types) + "]", "must have at most 2 items");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in types)
        {
            if (t is not ("Ingress" or "Egress"))
                errors.Add(field, t, "Unsupported value: \"" + t + "\": supported values: \"Ingress\", \"Egress\"");
            else if (!seen.Add(t))
                errors.Add(field, "[" + string.Join(" ", types) + "]", "'" + t + "' type specified more than once");
        }
    }

    private static void ValidateNetworkPolicy(Errors errors, NetworkPolicy np)
    {
        ValidatePolicyName(errors, np, NetworkPolicyNameRegex());
        var spec = np.Spec;
        CheckPolicySelectors(errors, spec.Selector, spec.ServiceAccountSelector);
        ValidateTier(errors, spec.Tier);
        ValidateTypes(errors, spec.Types, "NetworkPolicySpec.Types");
        ValidateRules(errors, spec.Ingress, "Ingress");
        ValidateRules(errors, spec.Egress, "Egress");
        ForEach(spec.Egress, r =>
        {
            if (r.Source.Services is not null)
                errors.Add("Services", null, "not allowed in egress rule source");
            if (r.Http is not null)
                errors.Add("HTTP", null, "not allowed in egress rule");
        });
        ForEach(spec.Ingress, r =>
        {
            if (r.Destination.Services is not null)
                errors.Add("Services", null, "not allowed in ingress rule destination");
        });
        CheckPerformanceHints(errors, spec.PerformanceHints);
    }

    private static void ValidateGlobalNetworkPolicy(Errors errors, GlobalNetworkPolicy gnp)
    {
        ValidatePolicyName(errors, gnp, GlobalNetworkPolicyNameRegex());
        var spec = gnp.Spec;
        CheckPolicySelectors(errors, spec.Selector, spec.ServiceAccountSelector);
        if (spec.NamespaceSelector?.Contains("global(", StringComparison.Ordinal) == true)
            errors.Add("NamespaceSelector", spec.NamespaceSelector, "global() can only be used in an EntityRule namespaceSelector");
        else
            CheckSelector(errors, "NamespaceSelector", spec.NamespaceSelector);
        ValidateTier(errors, spec.Tier);
        ValidateTypes(errors, spec.Types, "GlobalNetworkPolicySpec.Types");
        ValidateRules(errors, spec.Ingress, "Ingress");
        ValidateRules(errors, spec.Egress, "Egress");
        ForEach(spec.Egress, r =>
        {
            if (r.Source.Services is not null)
                errors.Add("Services", null, "not allowed in egress rule source");
            if (r.Http is not null)
                errors.Add("HTTP", null, "not allowed in egress rules");
            if (r.Destination.Services is { Namespace: null or "" })
                errors.Add("Namespace", "", "must specify a namespace");
        });
        ForEach(spec.Ingress, r =>
        {
            if (r.Destination.Services is not null)
                errors.Add("Services", null, "not allowed in ingress rule destination");
            if (r.Source.Services is { Namespace: null or "" })
                errors.Add("Namespace", "", "must specify a namespace");
        });
        var preDnat = spec.PreDNAT == true;
        var doNotTrack = spec.DoNotTrack == true;
        if (preDnat && doNotTrack)
            errors.Add("GlobalNetworkPolicySpec", null, "preDNAT and doNotTrack cannot both be true");
        if (preDnat && spec.Egress is { Count: > 0 })
            errors.Add("GlobalNetworkPolicySpec.Egress", null, "preDNAT policy cannot have any egress rules");
        if (preDnat && spec.Types?.Contains("Egress") == true)
            errors.Add("GlobalNetworkPolicySpec.Types", null, "preDNAT policy cannot have 'Egress' type");
        if ((preDnat || doNotTrack) && spec.ApplyOnForward != true)
            errors.Add("GlobalNetworkPolicySpec.ApplyOnForward", "false", "applyOnForward must be true if either preDNAT or doNotTrack is true");
        CheckPerformanceHints(errors, spec.PerformanceHints);
    }

    private static void CheckPolicySelectors(Errors errors, string? selector, string? serviceAccountSelector)
    {
        if (selector?.Contains("global(", StringComparison.Ordinal) == true)
            errors.Add("Selector", selector, "global() can only be used in an EntityRule namespaceSelector");
        else
            CheckSelector(errors, "Selector", selector);
        if (serviceAccountSelector?.Contains("global(", StringComparison.Ordinal) == true)
            errors.Add("ServiceAccountSelector", serviceAccountSelector, "global() can only be used in an EntityRule namespaceSelector");
        else
            CheckSelector(errors, "ServiceAccountSelector", serviceAccountSelector);
    }

    private static void CheckPerformanceHints(Errors errors, List<string>? hints) =>
        ForEach(hints, h => CheckEnum(errors, "PerformanceHints", h, "AssumeNeededOnEveryNode"));

    private static void ValidateTier(Errors errors, string? tier)
    {
        if (!string.IsNullOrEmpty(tier) && (tier.Length > 63 || !TierNameRegex().IsMatch(tier)))
            errors.Add("Tier", tier, "name must consist of lower case alphanumeric characters or '-' (regex: " + NameLabelFmt + ")");
    }

    private static void ValidateTier(Errors errors, Tier tier)
    {
        var name = tier.Metadata.Name ?? "";
        if (name.Length > 63)
            errors.Add("Metadata.Name", name, $"name is too long by {name.Length - 63} bytes");
        if (!TierNameRegex().IsMatch(name))
            errors.Add("Metadata.Name", name, "name must consist of lower case alphanumeric characters or '-' (regex: " + NameLabelFmt + ")");
        ValidateMetaMaps(errors, tier);
        CheckEnum(errors, "DefaultAction", tier.Spec.DefaultAction, "Deny", "Pass");
        (string Name, double Order)[] pinned = [("default", 1_000_000), ("kube-admin", 1_000), ("kube-baseline", 10_000_000)];
        // CEL rules on Tier: the built-in tiers' default actions are fixed.
        (string Name, string Action)[] pinnedActions = [("default", "Deny"), ("kube-admin", "Pass"), ("kube-baseline", "Pass")];
        foreach (var (pinnedName, action) in pinnedActions)
        {
            if (name == pinnedName && tier.Spec.DefaultAction != action)
                errors.Add("Tier", tier.Spec.DefaultAction, $"The '{pinnedName}' tier must have default action '{action}'");
        }
        foreach (var (pinnedName, order) in pinned)
        {
            if (name == pinnedName && tier.Spec.Order != order)
                errors.Add("Tier", null, $"{pinnedName} tier order must be {order:0}");
        }
    }

    private static void ValidateWorkloadEndpoint(Errors errors, WorkloadEndpoint wep)
    {
        var spec = wep.Spec;
        if (!WorkloadEndpointNames.TryCompute(spec, out var expected, out var nameError))
            errors.Add(nameError!.Field, nameError.Value, nameError.Reason);
        else if (!string.IsNullOrEmpty(wep.Metadata.Name) && wep.Metadata.Name != expected)
            errors.Add("Name", wep.Metadata.Name, "the WorkloadEndpoint name does not match the primary identifiers assigned in the Spec: expected name " + expected);
        if (!string.IsNullOrEmpty(spec.ContainerID) && !ContainerIdRegex().IsMatch(spec.ContainerID))
            errors.Add("ContainerID", spec.ContainerID, "invalid container ID");
        if (!string.IsNullOrEmpty(spec.InterfaceName) && !InterfaceRegex().IsMatch(spec.InterfaceName))
            errors.Add("InterfaceName", spec.InterfaceName, "invalid interface name");
        if (!string.IsNullOrEmpty(spec.Mac) && !MacRegex().IsMatch(spec.Mac))
            errors.Add("MAC", spec.Mac, "invalid MAC address");
        var networks = new List<IPNetwork>();
        ForEach(spec.IpNetworks, n =>
        {
            if (!TryParseCidrOrIp(n, out var net))
            {
                errors.Add("IPNetworks", n, "invalid CIDR");
                return;
            }
            networks.Add(net);
            if (net.PrefixLength != (Cidr.Family(net) == 4 ? 32 : 128))
                errors.Add("IPNetworks", "[" + string.Join(" ", spec.IpNetworks!) + "]", "IP network contains multiple addresses");
        });
        CheckGateway(errors, "IPv4Gateway", spec.Ipv4Gateway, 4);
        CheckGateway(errors, "IPv6Gateway", spec.Ipv6Gateway, 6);
        if (spec.IpNATs is { Count: > 0 } nats)
        {
            foreach (var nat in nats)
            {
                // validateIPNAT: both sides parse and are of one family.
                if (!TryParseCidrOrIp(nat.ExternalIP ?? "", out var external))
                    errors.Add("InternalIP", nat.ExternalIP, "invalid IP address");
                else if (TryParseCidrOrIp(nat.InternalIP ?? "", out var internalNet) && Cidr.Family(internalNet) != Cidr.Family(external))
                    errors.Add("ExternalIP", nat.ExternalIP, "mismatched IP versions");
            }
            foreach (var nat in nats)
            {
                if (!Cidr.TryParseAddress(nat.InternalIP, out var internalIp))
                {
                    errors.Add("IPNATs", nat.InternalIP, "invalid InternalIP CIDR");
                    continue;
                }
                if (!networks.Exists(n => n.Contains(internalIp)))
                {
                    errors.Add("IPNATs", null, "NAT is not in the endpoint networks");
                    break;
                }
            }
        }
        ForEach(spec.Ports, p =>
        {
            if (p.Protocol is not { SupportsPorts: true })
                errors.Add("WorkloadEndpointPort.Protocol", p.Protocol?.ToString() ?? "0", "WorkloadEndpointPort protocol does not support ports.");
            if (string.IsNullOrEmpty(p.Name) && p.HostPort == 0)
                errors.Add("WorkloadEndpointPort.Name", p.Name ?? "", "WorkloadEndpointPort name must not be empty if no HostPort is specified");
        });
    }

    private static void CheckGateway(Errors errors, string field, string? gateway, int family)
    {
        if (string.IsNullOrEmpty(gateway))
            return;
        if (!TryParseCidrOrIp(gateway, out var net))
            errors.Add(field, gateway, "invalid CIDR");
        else if (Cidr.Family(net) != family)
            errors.Add(field, gateway, $"invalid IPv{family} gateway address specified");
    }

    private static bool TryParseCidrOrIp(string text, out IPNetwork net)
    {
        if (Cidr.TryParse(text, out net))
            return true;
        if (Cidr.TryParseAddress(text, out var ip))
        {
            net = new IPNetwork(ip, ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        return false;
    }

    private static void ValidateHostEndpoint(Errors errors, HostEndpoint hep)
    {
        var spec = hep.Spec;
        if (string.IsNullOrEmpty(spec.Node))
            errors.Add("HostEndpointSpec.Node", null, "node must be specified");
        else if (!NameRegex().IsMatch(spec.Node))
            errors.Add("Node", spec.Node, "name must consist of lower case alphanumeric characters, '-' or '.' (regex: " + NameSubdomainFmt + ")");
        if (string.IsNullOrEmpty(spec.InterfaceName) && spec.ExpectedIPs is not { Count: > 0 })
            errors.Add("HostEndpointSpec", null, "at least one of interfaceName or expectedIPs must be specified");
        if (!string.IsNullOrEmpty(spec.InterfaceName) && spec.InterfaceName != "*" && !InterfaceRegex().IsMatch(spec.InterfaceName))
            errors.Add("InterfaceName", spec.InterfaceName, "invalid interface name");
        ForEach(spec.ExpectedIPs, ip =>
        {
            if (!Cidr.TryParseAddress(ip, out _))
                errors.Add("ExpectedIPs", ip, "invalid IP address");
        });
        ForEach(spec.Ports, p =>
        {
            if (p.Protocol is not { SupportsPorts: true })
                errors.Add("EndpointPort.Protocol", p.Protocol?.ToString() ?? "0", "EndpointPort protocol does not support ports.");
        });
    }

    private static void ValidateNode(Errors errors, Node node)
    {
        if (node.Spec.Bgp is { } bgp)
        {
            if (bgp.AsNumber is null && string.IsNullOrEmpty(bgp.Ipv4Address) && string.IsNullOrEmpty(bgp.Ipv6Address)
                && string.IsNullOrEmpty(bgp.Ipv4IPIPTunnelAddr) && string.IsNullOrEmpty(bgp.RouteReflectorClusterID))
                errors.Add("BGP", null, "Spec.BGP should not be empty");
            if (!string.IsNullOrEmpty(bgp.Ipv4Address) && !(TryParseCidrOrIp(bgp.Ipv4Address, out var v4) && Cidr.Family(v4) == 4))
                errors.Add("IPv4Address", bgp.Ipv4Address, "invalid IPv4 address");
            if (!string.IsNullOrEmpty(bgp.Ipv6Address) && !(TryParseCidrOrIp(bgp.Ipv6Address, out var v6) && Cidr.Family(v6) == 6))
                errors.Add("IPv6Address", bgp.Ipv6Address, "invalid IPv6 address");
            if (!string.IsNullOrEmpty(bgp.RouteReflectorClusterID)
                && !(Cidr.TryParseAddress(bgp.RouteReflectorClusterID, out var id) && id.AddressFamily == AddressFamily.InterNetwork))
                errors.Add("RouteReflectorClusterID", bgp.RouteReflectorClusterID, "invalid IPv4 address");
        }
        ForEach(node.Spec.Addresses, a =>
            CheckEnum(errors, "Type", a.Type, "CalicoNodeIP", "InternalIP", "ExternalIP"));
    }

    private static void ValidateFelixConfiguration(Errors errors, FelixConfiguration fc)
    {
        var name = fc.Metadata.Name ?? "";
        var spec = fc.Spec;
        if ((name == "default" || name.StartsWith("node.", StringComparison.Ordinal)) && !string.IsNullOrEmpty(spec.NodeSelector))
            errors.Add("FelixConfiguration", null, "nodeSelector must not be set on the 'default' or per-node ('node.*') FelixConfiguration");
        CheckSelector(errors, "NodeSelector", spec.NodeSelector);
        if (spec.RouteTableRange is not null && spec.RouteTableRanges is not null)
            errors.Add("FelixConfigurationSpec", null, "routeTableRange and routeTableRanges cannot both be set");
        if (spec.RouteTableRange is { } range && !(range.Min >= 1 && range.Max >= range.Min && range.Max <= 250))
            errors.Add("RouteTableRange", null, "must be a range of route table indices within 1..250");
        ForEach(spec.RouteTableRanges, r =>
        {
            if (r.Min < 1)
                errors.Add("RouteTableRanges", null, "min must be >= 1");
            if (r.Min > r.Max)
                errors.Add("RouteTableRanges", null, "min must not be greater than max");
        });
        ValidateFelixStructLevel(errors, spec);
        CheckAddress(errors, "NATOutgoingAddress", spec.NatOutgoingAddress, 4, "natOutgoingAddress must be a valid IPv4 address");
        if (spec.NatPortRange is { } natPorts && (natPorts.IsNamed || (natPorts.MinPort == 0 && natPorts.MaxPort > 0)))
            errors.Add("NATPortRange", natPorts.ToString(), "natPortRange must be a port or a port range min:max within 1-65535, not a named port");
        // bpfPSNATPorts acts (the programs' NAT outgoing picks from it): a named port or port 0 would be ignored, so refused.
        if (spec.BpfPSNATPorts is { } psnatPorts && (psnatPorts.IsNamed || psnatPorts.MinPort == 0))
            errors.Add("BPFPSNATPorts", psnatPorts.ToString(), "bpfPSNATPorts must be a port or a port range min:max within 1-65535, not a named port");
        CheckAddress(errors, "DeviceRouteSourceAddress", spec.DeviceRouteSourceAddress, 4, "deviceRouteSourceAddress must be a valid IPv4 address");
        CheckAddress(errors, "DeviceRouteSourceAddressIPv6", spec.DeviceRouteSourceAddressIPv6, 6, "deviceRouteSourceAddressIPv6 must be a valid IPv6 address");
        ForEach(spec.FailsafeInboundHostPorts, p => CheckProtoPort(errors, p));
        ForEach(spec.FailsafeOutboundHostPorts, p => CheckProtoPort(errors, p));
        if (spec.InterfacePrefix is { } prefix && prefix.Split(',').Any(p => !InterfaceRegex().IsMatch(p)))
            errors.Add("InterfacePrefix", prefix, "invalid interface prefix");
        CheckEnum(errors, "IptablesBackend", spec.IptablesBackend, "Legacy", "NFT", "Auto");
        CheckEnum(errors, "NFTablesMode", spec.NftablesMode, "Enabled", "Disabled", "Auto");
        CheckEnum(errors, "ChainInsertMode", spec.ChainInsertMode, "Insert", "Append");
        // DefaultEndpointToHostAction: the CRD pattern matches it case-insensitively (CrdSchema).
        foreach (var (field, value) in new[] { ("LogSeverityScreen", spec.LogSeverityScreen), ("LogSeverityFile", spec.LogSeverityFile), ("LogSeveritySys", spec.LogSeveritySys) })
        {
            if (!string.IsNullOrEmpty(value) && value.ToUpperInvariant() is not ("TRACE" or "DEBUG" or "INFO" or "WARNING" or "ERROR" or "FATAL"))
                errors.Add(field, value, "Reason: failed to validate Field: " + field + " because of Tag: logLevel ");
        }
        foreach (var (field, port) in new[] { ("VXLANPort", spec.VxlanPort), ("HealthPort", spec.HealthPort), ("PrometheusMetricsPort", spec.PrometheusMetricsPort), ("WireguardListeningPort", spec.WireguardListeningPort) })
        {
            if (port is < 0 or > 65535)
                errors.Add(field, Str(port), "must be a valid port number");
        }
    }

    private static void CheckProtoPort(Errors errors, ProtoPort p)
    {
        if (p.Protocol is not (null or "" or "TCP" or "UDP" or "SCTP" or "tcp" or "udp" or "sctp"))
            errors.Add("ProtoPort.Protocol", p.Protocol, "protocol must be 'TCP' or 'UDP' or 'SCTP'.");
        if (!string.IsNullOrEmpty(p.Net) && !TryParseCidrOrIp(p.Net, out _))
            errors.Add("Net", p.Net, "invalid CIDR");
    }

    private static void CheckAddress(Errors errors, string field, string? value, int family, string reason)
    {
        if (!string.IsNullOrEmpty(value) && !(Cidr.TryParseAddress(value, out var ip) && (ip.AddressFamily == AddressFamily.InterNetwork ? 4 : 6) == family))
            errors.Add(field, value, reason);
    }

    private static void ValidateBgpConfiguration(Errors errors, BGPConfiguration bgp)
    {
        var name = bgp.Metadata.Name ?? "";
        var spec = bgp.Spec;
        if (name != "default")
        {
            // libcalico-go clientv3 bgpconfig.go ValidateDefaultOnlyFields.
            if (spec.NodeToNodeMeshEnabled is not null)
                errors.Add("BGPConfiguration.Spec.NodeToNodeMeshEnabled", null, "Cannot set nodeToNodeMeshEnabled on a non default BGP Configuration.");
            if (spec.AsNumber is not null)
                errors.Add("BGPConfiguration.Spec.ASNumber", null, "Cannot set ASNumber on a non default BGP Configuration.");
            if (spec.ServiceLoadBalancerIPs is { Count: > 0 })
                errors.Add("BGPConfiguration.Spec.ServiceLoadBalancerIPs", null, "Cannot set ServiceLoadBalancerIPs on a non default BGP Configuration.");
            if (spec.ServiceExternalIPs is { Count: > 0 })
                errors.Add("BGPConfiguration.Spec.ServiceExternalIPs", null, "Cannot set ServiceExternalIPs on a non default BGP Configuration.");
            if (spec.ServiceClusterIPs is { Count: > 0 })
                errors.Add("BGPConfiguration.Spec.ServiceClusterIPs", null, "Cannot set ServiceClusterIPs on a non default BGP Configuration.");
            if (spec.NodeMeshPassword is not null)
                errors.Add("BGPConfiguration.Spec.NodeMeshPassword", null, "Cannot set nodeMeshPassword on a non default BGP Configuration.");
            if (spec.NodeMeshMaxRestartTime is not null)
                errors.Add("BGPConfiguration.Spec.NodeMeshMaxRestartTime", null, "Cannot set nodeMeshMaxRestartTime on a non default BGP Configuration.");
            if (!name.StartsWith("node.", StringComparison.Ordinal))
                errors.Add("Metadata.Name", name, "BGPConfiguration name must be 'default' or 'node.<nodename>'");
        }
        if (spec.NodeMeshPassword is not null && spec.NodeToNodeMeshEnabled == false)
            errors.Add("BGPConfigurationSpec", null, "nodeMeshPassword cannot be set when nodeToNodeMeshEnabled is false");
        if (spec.NodeMeshMaxRestartTime is not null && spec.NodeToNodeMeshEnabled == false)
            errors.Add("BGPConfigurationSpec", null, "nodeMeshMaxRestartTime cannot be set when nodeToNodeMeshEnabled is false");
        if (spec.Communities is { Count: > 0 } && spec.PrefixAdvertisements is not { Count: > 0 })
            errors.Add("BGPConfigurationSpec", null, "communities are defined but not used in prefixAdvertisements");
        ForEach(spec.ServiceClusterIPs, b => CheckCidr(errors, "ServiceClusterIPs", b.Cidr ?? ""));
        ForEach(spec.ServiceExternalIPs, b => CheckCidr(errors, "ServiceExternalIPs", b.Cidr ?? ""));
        ForEach(spec.ServiceLoadBalancerIPs, b => CheckCidr(errors, "ServiceLoadBalancerIPs", b.Cidr ?? ""));
        CheckEnum(errors, "BindMode", spec.BindMode, "None", "NodeIP");
        ValidateCommunities(errors, spec);
        if (spec.ListenPort is < 1 or > 65535)
            errors.Add("ListenPort", Str(spec.ListenPort), "must be a valid port number");
    }

    private static void ValidateBgpPeer(Errors errors, BGPPeer peer)
    {
        var spec = peer.Spec;
        if (!string.IsNullOrEmpty(spec.Node) && !NameRegex().IsMatch(spec.Node))
            errors.Add("Node", spec.Node, "Reason: failed to validate Field: Node because of Tag: name ");
        if (!string.IsNullOrEmpty(spec.PeerIP) && !IsIpPort(spec.PeerIP, out _))
            errors.Add("PeerIP", spec.PeerIP, "Reason: failed to validate Field: PeerIP because of Tag: IP:port ");
        if (!string.IsNullOrEmpty(spec.Node) && !string.IsNullOrEmpty(spec.NodeSelector))
            errors.Add("BGPPeerSpec", null, "node and nodeSelector cannot both be set");
        if (!string.IsNullOrEmpty(spec.PeerIP) && !string.IsNullOrEmpty(spec.PeerSelector))
            errors.Add("BGPPeerSpec", null, "peerIP and peerSelector cannot both be set");
        if (!string.IsNullOrEmpty(spec.PeerSelector) && spec.AsNumber is > 0)
            errors.Add("BGPPeerSpec", null, "asNumber must be empty when peerSelector is set");
        if (!string.IsNullOrEmpty(spec.LocalWorkloadSelector))
        {
            if (!string.IsNullOrEmpty(spec.PeerIP))
                errors.Add("PeerIP", spec.PeerIP, "peerIP must be empty when localWorkloadSelector is set");
            if (!string.IsNullOrEmpty(spec.PeerSelector))
                errors.Add("PeerSelector", spec.PeerSelector, "peerSelector must be empty when localWorkloadSelector is set");
            if (spec.AsNumber is null or 0)
                errors.Add("ASNumber", null, "asNumber is required when localWorkloadSelector is set");
        }
        if (!string.IsNullOrEmpty(spec.ReachableBy))
        {
            if (string.IsNullOrEmpty(spec.PeerIP))
                errors.Add("BGPPeerSpec", null, "reachableBy must be empty when peerIP is empty");
            else if (Cidr.TryParseAddress(spec.ReachableBy, out var via) && IsIpPort(spec.PeerIP, out var peerAddr)
                && via.AddressFamily != peerAddr!.AddressFamily)
                errors.Add("ReachableBy", spec.ReachableBy, "ReachableBy and PeerIP address family mismatched");
            if (!Cidr.TryParseAddress(spec.ReachableBy, out _))
                errors.Add("ReachableBy", spec.ReachableBy, "Reason: failed to validate Field: ReachableBy because of Tag: reachableBy ");
        }
        if (spec.KeepOriginalNextHop == true && spec.NextHopMode is not null)
            errors.Add("BGPPeerSpec", null, "keepOriginalNextHop and nextHopMode cannot both be set; keepOriginalNextHop is deprecated, use nextHopMode instead");
        CheckEnum(errors, "NextHopMode", spec.NextHopMode, "Auto", "Self", "Keep");
        CheckEnum(errors, "SourceAddress", spec.SourceAddress, "UseNodeIP", "None");
        CheckEnum(errors, "ReversePeering", spec.ReversePeering, "Auto", "Manual");
        CheckSelector(errors, "NodeSelector", spec.NodeSelector);
        CheckSelector(errors, "PeerSelector", spec.PeerSelector);
        CheckSelector(errors, "LocalWorkloadSelector", spec.LocalWorkloadSelector);
        if (spec.Password?.SecretKeyRef is { } secret && (string.IsNullOrEmpty(secret.Name) || string.IsNullOrEmpty(secret.Key)))
            errors.Add("Password.SecretKeyRef", null, "secretKeyRef must have a name and a key");
    }

    /// <summary>"ip", "ip:port" or "[v6]:port" (upstream processIPPort).</summary>
    private static bool IsIpPort(string text, out IPAddress? address)
    {
        address = null;
        if (Cidr.TryParseAddress(text, out var plain))
        {
            address = plain;
            return true;
        }
        string host, port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
                return false;
            host = text[1..close];
            port = text[(close + 2)..];
            if (!host.Contains(':', StringComparison.Ordinal))
                return false;
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0 || text.IndexOf(':', StringComparison.Ordinal) != colon)
                return false;
            host = text[..colon];
            port = text[(colon + 1)..];
        }
        if (!Cidr.TryParseAddress(host, out var ip) || !ushort.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) || p == 0)
            return false;
        address = ip;
        return true;
    }
}
