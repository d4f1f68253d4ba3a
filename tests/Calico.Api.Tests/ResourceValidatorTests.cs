namespace Calico.Api.Tests;

[Trait("Tier", "Unit")]
public sealed class ResourceValidatorTests
{
    private static IPPool Pool(string cidr, Action<IPPoolSpec>? edit = null, string name = "pool-1")
    {
        var pool = new IPPool { Metadata = { Name = name }, Spec = { Cidr = cidr } };
        edit?.Invoke(pool.Spec);
        return pool;
    }

    public static TheoryData<string, IPPool> ValidPools => new()
    {
        { "v4", Pool("10.0.0.0/16") },
        { "v6", Pool("fd00::/64") },
        { "v4 vxlan", Pool("10.0.0.0/16", s => s.VxlanMode = "CrossSubnet") },
        { "v4 /26", Pool("10.0.0.0/26") },
        { "disabled small", Pool("10.0.0.0/30", s => s.Disabled = true) },
        { "loadbalancer", Pool("10.9.0.0/24", s => s.AllowedUses = ["LoadBalancer"]) },
        { "blocksize 32", Pool("10.0.0.0/24", s => s.BlockSize = 32) },
    };

    [Theory]
    [MemberData(nameof(ValidPools))]
    public void Validate_ValidPool_DoesNotThrow(string scenario, IPPool pool)
    {
        Assert.NotNull(scenario);
        ResourceDefaults.Apply(pool);
        ResourceValidator.Validate(pool);
    }

    public static TheoryData<string, IPPool, string> InvalidPools => new()
    {
        { "garbage cidr", Pool("10.0.0/16"), "IPPool CIDR must be a valid subnet" },
        { "empty cidr", Pool(""), "IPPool CIDR must be specified" },
        { "unmasked", Pool("10.0.0.1/16"), "IPPool CIDR is not strictly masked" },
        { "link local v4", Pool("169.254.0.0/24"), "IPPool CIDR overlaps with IPv4 link local range 169.254.0.0/16" },
        { "contains link local", Pool("128.0.0.0/1"), "IPPool CIDR overlaps with IPv4 link local range 169.254.0.0/16" },
        { "link local v6", Pool("fe80::/64"), "IPPool CIDR overlaps with IPv6 link local range fe80::/10" },
        { "ipip and vxlan", Pool("10.0.0.0/16", s => { s.IpipMode = "Always"; s.VxlanMode = "Always"; }), "ipipMode and vxlanMode cannot both be enabled" },
        { "ipip v6", Pool("fd00::/64", s => s.IpipMode = "Always"), "IPIP is not supported on IPv6 pools" },
        { "blocksize v4 small", Pool("10.0.0.0/16", s => s.BlockSize = 19), "blockSize must be between 20 and 32" },
        { "blocksize v6 large", Pool("fd00::/64", s => s.BlockSize = 129), "blockSize must be between 20 and 32" },
        { "pool smaller than block", Pool("10.0.0.0/28"), "IP pool size is too small" },
        { "bad ipip mode", Pool("10.0.0.0/16", s => s.IpipMode = "Sometimes"), "Unsupported value" },
        { "unknown use", Pool("10.0.0.0/16", s => s.AllowedUses = ["Bogus"]), "unknown use: Bogus" },
        { "lb with workload", Pool("10.0.0.0/16", s => s.AllowedUses = ["LoadBalancer", "Workload"]), "LoadBalancer cannot be combined" },
        { "lb with vxlan", Pool("10.0.0.0/16", s => { s.AllowedUses = ["LoadBalancer"]; s.VxlanMode = "Always"; }), "cannot have IPIP or VXLAN" },
        { "global node selector", Pool("10.0.0.0/16", s => s.NodeSelector = "global()"), "global() selector is not valid" },
        { "bad name", Pool("10.0.0.0/16", name: "Pool_1"), "name must consist of lower case alphanumeric characters, '-' or '.'" },
    };

    [Theory]
    [MemberData(nameof(InvalidPools))]
    public void Validate_InvalidPool_ThrowsWithReason(string scenario, IPPool pool, string reason)
    {
        Assert.NotNull(scenario);
        ResourceDefaults.Apply(pool);
        var e = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(pool));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnmaskedCidr_UpstreamMessageFormat()
    {
        var e = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(Pool("10.0.0.1/16", s => s.BlockSize = 26)));

        Assert.Equal("error with field IPPool.Spec.CIDR = '10.0.0.1/16' (IPPool CIDR is not strictly masked; did you mean 10.0.0.0/16?)", e.Message);
    }

    [Fact]
    public void Validate_TwoErrors_ListsBoth()
    {
        var pool = Pool("10.0.0.0/16", s => { s.IpipMode = "Always"; s.VxlanMode = "Always"; }, name: "BAD");

        var e = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(pool));

        Assert.StartsWith("error with the following fields:\n-  Metadata.Name = 'BAD'", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.Errors.Count);
    }

    private static GlobalNetworkPolicy Gnp(Rule rule, Action<GlobalNetworkPolicySpec>? edit = null)
    {
        var gnp = new GlobalNetworkPolicy { Metadata = { Name = "p" }, Spec = { Ingress = [rule] } };
        edit?.Invoke(gnp.Spec);
        return gnp;
    }

    private static Rule TcpTo(params Port[] ports) => new() { Action = "Allow", Protocol = Protocol.TcpProtocol, Destination = { Ports = [.. ports] } };

    public static TheoryData<string, GlobalNetworkPolicy> ValidPolicies => new()
    {
        { "tcp port", Gnp(TcpTo(Port.Single(80))) },
        { "tcp range", Gnp(TcpTo(Port.Range(80, 90))) },
        { "named port no protocol", Gnp(new Rule { Action = "Allow", Destination = { Ports = [Port.Named("http")] } }) },
        { "icmp", Gnp(new Rule { Action = "Allow", Protocol = Protocol.Canonical("ICMP"), Icmp = new ICMPFields { Type = 8, Code = 0 } }) },
        { "protocol number", Gnp(new Rule { Action = "Deny", Protocol = Protocol.FromNumber(17), Destination = { Ports = [Port.Single(53)] } }) },
        { "nets", Gnp(new Rule { Action = "Allow", Source = { Nets = ["10.0.0.0/8"], NotNets = ["10.1.0.0/16"] } }) },
        { "global ns selector", Gnp(new Rule { Action = "Allow", Source = { NamespaceSelector = "global()" } }) },
        { "predNAT", Gnp(new Rule { Action = "Allow" }, s => { s.PreDNAT = true; s.ApplyOnForward = true; }) },
        { "dotted name", Gnp(new Rule { Action = "Pass" }) },
    };

    [Theory]
    [MemberData(nameof(ValidPolicies))]
    public void Validate_ValidPolicy_DoesNotThrow(string scenario, GlobalNetworkPolicy gnp)
    {
        Assert.NotNull(scenario);
        ResourceDefaults.Apply(gnp);
        ResourceValidator.Validate(gnp);
    }

    public static TheoryData<string, GlobalNetworkPolicy, string> InvalidPolicies => new()
    {
        { "numeric port without protocol", Gnp(new Rule { Action = "Allow", Destination = { Ports = [Port.Single(80)] } }), "rules with numeric port or port range must set protocol to TCP or UDP or SCTP" },
        { "ports with icmp", Gnp(new Rule { Action = "Allow", Protocol = Protocol.Canonical("icmp"), Destination = { Ports = [Port.Single(80)] } }), "rules that specify ports must set protocol to TCP or UDP or SCTP" },
        { "icmp without protocol", Gnp(new Rule { Action = "Allow", Icmp = new ICMPFields { Type = 8 } }), "ICMP fields require protocol to be ICMP or ICMPv6" },
        { "icmp code without type", Gnp(new Rule { Action = "Allow", Protocol = Protocol.Canonical("ICMP"), Icmp = new ICMPFields { Code = 1 } }), "ICMP code specified without an ICMP type" },
        { "icmp v6 version", Gnp(new Rule { Action = "Allow", IpVersion = 6, Protocol = Protocol.Canonical("ICMP") }), "protocol ICMP requires ipVersion 4" },
        { "notNets catch-all", Gnp(new Rule { Action = "Allow", Source = { NotNets = ["0.0.0.0/0"] } }), "catch-all CIDR in negation" },
        { "mixed families", Gnp(new Rule { Action = "Allow", Source = { Nets = ["10.0.0.0/8"] }, Destination = { Nets = ["fd00::/64"] } }), "rule contains both IPv4 and IPv6 CIDRs" },
        { "version mismatch", Gnp(new Rule { Action = "Allow", IpVersion = 6, Source = { Nets = ["10.0.0.0/8"] } }), "rule IP version doesn't match CIDR version" },
        { "bad cidr", Gnp(new Rule { Action = "Allow", Source = { Nets = ["10.0.0.300/8"] } }), "invalid CIDR" },
        { "bad action", Gnp(new Rule { Action = "Maybe" }), "because of Tag: action" },
        { "bad protocol name", Gnp(new Rule { Action = "Allow", Protocol = Protocol.FromString("HTTP") }), "protocol name invalid" },
        { "protocol zero", Gnp(new Rule { Action = "Allow", Protocol = Protocol.FromNumber(0) }), "protocol number invalid" },
        { "port zero", Gnp(TcpTo(Port.Single(0))), "port number must be between 1 and 65535" },
        { "global in selector", Gnp(new Rule { Action = "Allow", Source = { Selector = "global()" } }), "global() can only be used in an EntityRule namespaceSelector" },
        { "global combined", Gnp(new Rule { Action = "Allow", Source = { NamespaceSelector = "global() && a == 'b'" } }), "global() cannot be combined with other selectors" },
        { "predNAT and doNotTrack", Gnp(new Rule { Action = "Allow" }, s => { s.PreDNAT = true; s.DoNotTrack = true; s.ApplyOnForward = true; }), "preDNAT and doNotTrack cannot both be true" },
        { "preDNAT without forward", Gnp(new Rule { Action = "Allow" }, s => s.PreDNAT = true), "applyOnForward must be true" },
        { "preDNAT egress", Gnp(new Rule { Action = "Allow" }, s => { s.PreDNAT = true; s.ApplyOnForward = true; s.Egress = [new Rule { Action = "Allow" }]; }), "preDNAT policy cannot have any egress rules" },
        { "repeated type", Gnp(new Rule { Action = "Allow" }, s => s.Types = ["Ingress", "Ingress"]), "'Ingress' type specified more than once" },
        { "http on deny", Gnp(new Rule { Action = "Deny", Http = new HTTPMatch { Methods = ["GET"] } }), "HTTP match is only valid on Allow rules" },
        { "services with selector", Gnp(new Rule { Action = "Allow", Source = { Selector = "a == 'b'", Services = new ServiceMatch { Name = "s", Namespace = "n" } } }), "cannot specify Selector/NotSelector and Services" },
    };

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public void Validate_InvalidPolicy_ThrowsWithReason(string scenario, GlobalNetworkPolicy gnp, string reason)
    {
        Assert.NotNull(scenario);
        var e = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(gnp));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("allow-all", true)]
    [InlineData("mytier.allow-all", true)]
    [InlineData("knp.default.allow.web", true)]
    [InlineData("a.b.c", false)]
    [InlineData("Allow", false)]
    [InlineData("-x", false)]
    public void Validate_NetworkPolicyName_FollowsUpstreamRegex(string name, bool valid)
    {
        var np = new NetworkPolicy { Metadata = { Name = name, Namespace = "default" } };

        var error = Record.Exception(() => ResourceValidator.Validate(np));

        Assert.Equal(valid, error is null);
    }

    [Theory]
    [InlineData("platform", true)]
    [InlineData("my.tier", false)]
    [InlineData("UPPER", false)]
    public void Validate_TierName_NoDots(string name, bool valid)
    {
        var tier = new Tier { Metadata = { Name = name }, Spec = { Order = 100 } };

        Assert.Equal(valid, Record.Exception(() => ResourceValidator.Validate(tier)) is null);
    }

    [Fact]
    public void Validate_DefaultTierWrongOrder_Throws()
    {
        var tier = new Tier { Metadata = { Name = "default" }, Spec = { Order = 5 } };

        var e = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(tier));

        Assert.Contains("default tier order must be 1000000", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, BGPPeer, string?> Peers => new()
    {
        { "node peer", new BGPPeer { Metadata = { Name = "p" }, Spec = { Node = "node1", PeerIP = "10.0.0.1", AsNumber = 64512 } }, null },
        { "ip:port", new BGPPeer { Metadata = { Name = "p" }, Spec = { PeerIP = "10.0.0.1:1790", AsNumber = 64512 } }, null },
        { "v6 port", new BGPPeer { Metadata = { Name = "p" }, Spec = { PeerIP = "[fd5f::6:ee]:179", AsNumber = 64512 } }, null },
        { "bad v6", new BGPPeer { Metadata = { Name = "p" }, Spec = { PeerIP = "fd5f::6::ee", AsNumber = 64512 } }, "PeerIP = 'fd5f::6::ee'" },
        { "bad node", new BGPPeer { Metadata = { Name = "p" }, Spec = { Node = "node 2", PeerIP = "fd5f::6:ee", AsNumber = 64512 } }, "Node = 'node 2'" },
        { "node and selector", new BGPPeer { Metadata = { Name = "p" }, Spec = { Node = "n", NodeSelector = "all()", PeerIP = "10.0.0.1" } }, "node and nodeSelector cannot both be set" },
        { "peerSelector with as", new BGPPeer { Metadata = { Name = "p" }, Spec = { PeerSelector = "all()", AsNumber = 1 } }, "asNumber must be empty when peerSelector is set" },
        { "peerIP and selector", new BGPPeer { Metadata = { Name = "p" }, Spec = { PeerSelector = "all()", PeerIP = "10.0.0.1" } }, "peerIP and peerSelector cannot both be set" },
    };

    [Theory]
    [MemberData(nameof(Peers))]
    public void Validate_BgpPeer_MatchesUpstream(string scenario, BGPPeer peer, string? error)
    {
        Assert.NotNull(scenario);
        var e = Record.Exception(() => ResourceValidator.Validate(peer));
        if (error is null)
            Assert.Null(e);
        else
            Assert.Contains(error, Assert.IsType<ValidationException>(e).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("default", null, true)]
    [InlineData("node.worker-1", null, true)]
    [InlineData("default", "all()", false)]
    [InlineData("node.x", "all()", false)]
    [InlineData("rack-a", "rack == 'a'", true)]
    public void Validate_FelixConfigurationNodeSelector_OnlyOnScopedNames(string name, string? selector, bool valid)
    {
        var fc = new FelixConfiguration { Metadata = { Name = name }, Spec = { NodeSelector = selector } };

        Assert.Equal(valid, Record.Exception(() => ResourceValidator.Validate(fc)) is null);
    }

    [Theory]
    [InlineData("default", true)]
    [InlineData("node.a", true)]
    [InlineData("other", false)]
    public void Validate_BgpConfigurationName_DefaultOrNode(string name, bool valid)
    {
        var bgp = new BGPConfiguration { Metadata = { Name = name } };

        Assert.Equal(valid, Record.Exception(() => ResourceValidator.Validate(bgp)) is null);
    }

    [Fact]
    public void Validate_BgpConfigurationAsNumberOnNode_Throws()
    {
        var bgp = new BGPConfiguration { Metadata = { Name = "node.a" }, Spec = { AsNumber = 64512 } };

        var e = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(bgp));

        Assert.Contains("Cannot set ASNumber on a non default BGP Configuration.", e.Message, StringComparison.Ordinal);
    }

    private static WorkloadEndpoint Wep(string name, string pod) => new()
    {
        Metadata = { Name = name, Namespace = "default" },
        Spec = { Orchestrator = "k8s", Node = "node-1", Pod = pod, Endpoint = "eth0", InterfaceName = "cali0123456789a", IpNetworks = ["10.0.0.5/32"] },
    };

    [Theory]
    [InlineData("node--1-k8s-pod--1-eth0", "pod-1", true)]
    [InlineData("node-1-k8s-pod-1-eth0", "pod-1", false)]
    [InlineData("node--1-k8s-pod-eth0", "pod", true)]
    public void Validate_WorkloadEndpointName_MustBeComputedName(string name, string pod, bool valid)
    {
        Assert.Equal(valid, Record.Exception(() => ResourceValidator.Validate(Wep(name, pod))) is null);
    }

    [Fact]
    public void Validate_WorkloadEndpointMultiAddressNetwork_Throws()
    {
        var wep = Wep("node--1-k8s-pod-eth0", "pod");
        wep.Spec.IpNetworks = ["10.0.0.0/24"];

        var e = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(wep));

        Assert.Contains("IP network contains multiple addresses", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eth0", null, true)]
    [InlineData("*", null, true)]
    [InlineData(null, "10.0.0.1", true)]
    [InlineData(null, null, false)]
    [InlineData("an-interface-name-too-long", null, false)]
    public void Validate_HostEndpoint_InterfaceOrExpectedIps(string? iface, string? ip, bool valid)
    {
        var hep = new HostEndpoint { Metadata = { Name = "h" }, Spec = { Node = "n1", InterfaceName = iface, ExpectedIPs = ip is null ? null : [ip] } };

        Assert.Equal(valid, Record.Exception(() => ResourceValidator.Validate(hep)) is null);
    }

    [Theory]
    [InlineData("10.0.0.0/16", "10.0.0.0/16", 26, 26, true)]
    [InlineData("fd00:0:0::/64", "fd00::/64", 122, 122, true)]
    [InlineData("10.0.0.0/16", "10.1.0.0/16", 26, 26, false)]
    [InlineData("10.0.0.0/16", "10.0.0.0/16", 26, 24, false)]
    public void ValidateUpdate_PoolImmutableFields_Enforced(string oldCidr, string newCidr, int oldBlock, int newBlock, bool valid)
    {
        var current = Pool(oldCidr, s => s.BlockSize = oldBlock);
        var updated = Pool(newCidr, s => s.BlockSize = newBlock);

        Assert.Equal(valid, Record.Exception(() => ResourceValidator.ValidateUpdate(current, updated)) is null);
    }

    [Fact]
    public void ValidateUpdate_LoadBalancerToWorkload_Throws()
    {
        var current = Pool("10.0.0.0/16", s => s.AllowedUses = ["LoadBalancer"]);
        var updated = Pool("10.0.0.0/16", s => s.AllowedUses = ["Workload"]);

        var e = Assert.Throws<ValidationException>(() => ResourceValidator.ValidateUpdate(current, updated));

        Assert.Contains("cannot be changed from LoadBalacer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InvalidSelector_Throws()
    {
        var pool = Pool("10.0.0.0/16", s => s.NodeSelector = "a == ");

        var e = Assert.Throws<ValidationException>(() => ResourceValidator.Validate(pool));

        Assert.Contains("invalid selector", e.Message, StringComparison.Ordinal);
    }
}
