namespace Calico.Api.Support;

/// <summary>
/// The rows. Each was decided by reading the code that consumes the field (Calico.Felix config table and the node's
/// use of it, Calico.Felix.Calc, Calico.Felix.Rules, Calico.Bird, Calico.Ipam, Calico.Cni, Calico.Node):
/// <c>acts</c> only where some code really uses it. docs/support-matrix.md is generated from these rows.
/// </summary>
public static partial class SupportMatrix
{
    private const string NoWireguard = "WireGuard encryption is not implemented (and this kernel has no wireguard module): traffic would go unencrypted";
    private const string NoBpf = "tuning of a part of upstream's eBPF dataplane that ours (bpfEnabled, docs/bpf.md: workload policy and conntrack) does not have: service load balancing, its logging, map sizing and tunables";
    private const string NoIptables = "tuning of upstream's iptables/nftables rule writer; ours renders one nftables table with fixed verdicts and marks";
    private const string Timers = "a refresh or timeout of a part this implementation does not have or times itself";
    private const string Logging = "calico-node logs to stderr at logSeverityScreen only";
    private const string ServiceRange = "a BIRD blackhole route exported to peers, never programmed into a kernel: routes inside the range are kept out of every host's kernel; nodes labelled node.kubernetes.io/exclude-from-external-load-balancers=true do not advertise; per-service routes (externalTrafficPolicy Local, single addresses) need a Kubernetes service source, which this implementation has not";
    private const string StatusWritten = "status is written by the system, not acted on as configuration";

    private static List<FieldSupport> BuildRows()
    {
        var rows = new List<FieldSupport>();
        var b = new Builder(rows);

        // ---- Policy ------------------------------------------------------------------------------------------
        const string Gnp = "GlobalNetworkPolicy";
        b.Metadata(Gnp);
        b.Acts(Gnp, "spec.tier", "policies are ordered and grouped by tier (Calico.Felix.Calc)");
        b.Acts(Gnp, "spec.order", "orders policies within a tier");
        b.Acts(Gnp, "spec.selector", "selects the endpoints the policy applies to");
        b.Acts(Gnp, "spec.namespaceSelector", "narrows the endpoints by their namespace's labels");
        b.Acts(Gnp, "spec.serviceAccountSelector", "narrows the endpoints by their service account's labels");
        b.Acts(Gnp, "spec.types", "which directions the policy applies to");
        b.Rules(Gnp, "spec.ingress[]");
        b.Rules(Gnp, "spec.egress[]");
        b.Acts(Gnp, "spec.doNotTrack", "untracked host endpoint policy before conntrack (raw-PREROUTING/raw-OUTPUT, priority raw): Allow => notrack + accept, Deny => drop; named host endpoints only (on interfaceName \"*\" ignored, as upstream, with a warning naming the host endpoint)");
        b.Acts(Gnp, "spec.preDNAT", "host endpoint ingress policy before DNAT (mangle-PREROUTING, priority mangle): Allow marks the packet accepted for the filter chains, no end-of-tier drop");
        b.Acts(Gnp, "spec.applyOnForward", "also applies to traffic forwarded through the host endpoint's interface (cali-fhfw-/cali-thfw- chains); without such policy forwarded traffic passes");
        b.Ignored(Gnp, "spec.performanceHints", "an optimisation hint; policies are always computed in full");

        const string Np = "NetworkPolicy";
        b.Metadata(Np);
        b.Acts(Np, "spec.tier", "policies are ordered and grouped by tier (Calico.Felix.Calc)");
        b.Acts(Np, "spec.order", "orders policies within a tier");
        b.Acts(Np, "spec.selector", "selects the endpoints of the namespace the policy applies to");
        b.Acts(Np, "spec.serviceAccountSelector", "narrows the endpoints by their service account's labels");
        b.Acts(Np, "spec.types", "which directions the policy applies to");
        b.Rules(Np, "spec.ingress[]");
        b.Rules(Np, "spec.egress[]");
        b.Ignored(Np, "spec.performanceHints", "an optimisation hint; policies are always computed in full");

        const string K8sNp = "NetworkPolicy (networking.k8s.io/v1)";
        b.Metadata(K8sNp);
        b.Acts(K8sNp, "spec", "converted into a Calico NetworkPolicy knp.default.<name> (podSelector, ingress/egress peers and ports incl. endPort and ipBlock.except, policyTypes), which is enforced", subtree: true);

        const string Profile = "Profile";
        b.Metadata(Profile);
        b.Rules(Profile, "spec.ingress[]");
        b.Rules(Profile, "spec.egress[]");
        b.Acts(Profile, "spec.labelsToApply", "labels inherited by the profile's endpoints, for selectors", subtree: true);

        const string Tier = "Tier";
        b.Metadata(Tier);
        b.Acts(Tier, "spec.order", "orders tiers");
        b.Acts(Tier, "spec.defaultAction", "what happens at the end of the tier when a policy applied and none decided");
        b.Ignored(Tier, "status", StatusWritten);

        foreach (var sets in new[] { "NetworkSet", "GlobalNetworkSet" })
        {
            b.Metadata(sets);
            b.Acts(sets, "spec.nets", "members of the selector sets the set's labels match");
        }

        // ---- Endpoints ---------------------------------------------------------------------------------------
        const string Hep = "HostEndpoint";
        b.Metadata(Hep);
        b.Acts(Hep, "spec.node", "the host endpoint is enforced on this node only");
        b.Acts(Hep, "spec.interfaceName", "policy is rendered on this interface (cali-fh-/cali-th- chains with the failsafe ports)");
        b.Add(new FieldSupport(Hep, "spec.interfaceName", SupportStatus.Acts,
            "\"*\": the default for every host interface without a named host endpoint, lo included (cali-fh-any-interface-at-all, cali-th-any-interface-at-all)")
        { Values = ["*"] });
        b.Acts(Hep, "spec.expectedIPs",
            "the endpoint's addresses in the selector sets other policies use; without interfaceName, the endpoint binds the host interfaces holding one of them, followed as addresses move (first name wins)");
        b.Acts(Hep, "spec.profiles", "profiles applied after the policies");
        b.Acts(Hep, "spec.ports", "named ports for rules", subtree: true);

        const string Wep = "WorkloadEndpoint";
        b.Metadata(Wep);
        foreach (var identity in new[] { "spec.orchestrator", "spec.workload", "spec.node", "spec.containerID", "spec.pod", "spec.endpoint" })
        {
            b.Acts(Wep, identity, "identifies the endpoint (its name, its node, the CNI plugin's bookkeeping, orchestrator labels)");
        }

        b.Acts(Wep, "spec.serviceAccountName", "the endpoint's service account label, for serviceAccountSelector and serviceAccounts matches");
        b.Acts(Wep, "spec.ipNetworks", "the endpoint's addresses: routes, selector sets, anti-spoofing");
        b.Acts(Wep, "spec.profiles", "profiles applied after the policies");
        b.Acts(Wep, "spec.interfaceName", "the host-side interface the endpoint's chains are bound to");
        b.Acts(Wep, "spec.mac", "the workload's MAC for neighbour entries");
        b.Acts(Wep, "spec.ports[].name", "named ports for rules");
        b.Acts(Wep, "spec.ports[].protocol", "named ports for rules");
        b.Acts(Wep, "spec.ports[].port", "named ports for rules");
        b.Ignored(Wep, "spec.ports[].hostPort", "host ports are programmed by the portmap CNI plugin, not by calico-node");
        b.Ignored(Wep, "spec.ports[].hostIP", "host ports are programmed by the portmap CNI plugin, not by calico-node");
        b.Ignored(Wep, "spec.ipv4Gateway", "informational; the CNI plugin configures the container's gateway itself");
        b.Ignored(Wep, "spec.ipv6Gateway", "informational; the CNI plugin configures the container's gateway itself");
        b.Acts(Wep, "spec.ipNATs[].externalIP", "floating IP, only when FelixConfiguration floatingIPs is Enabled (else ignored with a warning naming spec.ipNATs): packets to it are DNATed to internalIP (from outside and from the host), it is routed (/32, /128) to the workload and advertised by BGP when it lies in an IP pool");
        b.Acts(Wep, "spec.ipNATs[].internalIP", "the workload's address the floating IP is translated to; the workload's own connections keep it (no SNAT to the floating IP, as upstream, except to itself)");
        b.Acts(Wep, "spec.allowSpoofedSourcePrefixes", "accepted by the source (reverse-path) check in raw-PREROUTING from this workload's interface, as upstream only when FelixConfiguration workloadSourceSpoofing is Any (else ignored with a warning naming spec.allowSpoofedSourcePrefixes); policy still applies");
        b.Refused(Wep, "spec.qosControls", "QoS (bandwidth, packet rate, connection limits, DSCP) is not implemented", "no QoS controls");

        // ---- IP addressing -----------------------------------------------------------------------------------
        const string Pool = "IPPool";
        b.Metadata(Pool);
        b.Acts(Pool, "spec.cidr", "IPAM allocates from it; routes, NAT and BGP export follow it");
        b.Acts(Pool, "spec.vxlanMode", "VXLAN routes and the vxlan.calico device (IPv4 pools) or vxlan-v6.calico (IPv6 pools), Always or CrossSubnet (calico-node)");
        b.Acts(Pool, "spec.ipipMode", "Always, CrossSubnet: IP-in-IP via tunl0 (calico-node: tunnel address, device, routes to other nodes' blocks via their address; CrossSubnet routes same-subnet nodes natively; protocol 4 accepted from Calico hosts only); kernel path not exercised on this project's test machine, which lacks ipip (reported on /readiness there). Never: no IP-in-IP");
        b.Acts(Pool, "spec.natOutgoing", "masquerade of traffic leaving the pools (nftables postrouting); with bpfEnabled and no host endpoint whose policy reaches forwarded traffic (applyOnForward, preDNAT, doNotTrack), TCP, UDP and ping (IPv4 and IPv6) are source-NATed by the eBPF programs on the data interfaces instead (docs/bpf.md, \"NAT outgoing in BPF\")");
        b.Acts(Pool, "spec.disabled", "IPAM stops allocating; routes and BGP export stop");
        b.Acts(Pool, "spec.disableBGPExport", "the pool's blocks are not advertised over BGP");
        b.Acts(Pool, "spec.blockSize", "IPAM block size");
        b.Acts(Pool, "spec.nodeSelector", "which nodes IPAM allocates blocks for");
        b.Refused(Pool, "spec.namespaceSelector", "IPAM does not filter pools by namespace: every namespace could take addresses from this pool", "separate pools chosen in the CNI configuration (ipam.ipv4_pools)");
        b.Acts(Pool, "spec.allowedUses", "Workload and Tunnel allocations (IPAM)");
        b.Acts(Pool, "spec.assignmentMode", "Manual pools are used only when named (IPAM)");
        b.Ignored(Pool, "status", StatusWritten);

        const string Reservation = "IPReservation";
        b.Metadata(Reservation);
        b.Acts(Reservation, "spec.reservedCIDRs", "IPAM never hands out these addresses");

        const string IpamConfig = "IPAMConfiguration";
        b.Metadata(IpamConfig);
        b.Acts(IpamConfig, "spec.strictAffinity", "IPAM never borrows from other nodes' blocks");
        b.Acts(IpamConfig, "spec.maxBlocksPerHost", "IPAM's per-host block limit");
        b.Acts(IpamConfig, "spec.autoAllocateBlocks", "IPAM claims new blocks on demand");
        b.Acts(IpamConfig, "spec.ipCooldownSeconds", "IPAM waits before reusing a released address");
        b.Ignored(IpamConfig, "spec.kubeVirtVMAddressPersistence", "KubeVirt VM address persistence: there is no KubeVirt integration");

        // ---- Nodes and cluster -------------------------------------------------------------------------------
        const string Node = "Node";
        b.Metadata(Node);
        b.Acts(Node, "spec.bgp.asNumber", "the node's AS number (BIRD)");
        b.Acts(Node, "spec.bgp.ipv4Address", "the node's BGP address and router id (BIRD), VXLAN parent");
        b.Acts(Node, "spec.bgp.ipv6Address", "the node's IPv6 BGP address (BIRD), IPv6 VXLAN parent");
        b.Acts(Node, "spec.bgp.routeReflectorClusterID", "makes the node a route reflector (BIRD)");
        b.Acts(Node, "spec.bgp.ipv4IPIPTunnelAddr", "the node's IP-in-IP tunnel address (calico-node allocates it from an ipipMode pool, IPAM handle ipip-tunnel-addr-<node>, and puts it on tunl0)");
        b.Acts(Node, "spec.ipv4VXLANTunnelAddr", "the node's VXLAN tunnel address (calico-node allocates it; peers route through it)");
        b.Acts(Node, "spec.vxlanTunnelMACAddr", "the node's VXLAN MAC (ARP and FDB entries on the other nodes)");
        b.Acts(Node, "spec.ipv6VXLANTunnelAddr", "the node's IPv6 VXLAN tunnel address (calico-node allocates it from an IPv6 VXLAN pool; peers route through it)");
        b.Acts(Node, "spec.vxlanTunnelMACAddrV6", "the node's IPv6 VXLAN MAC (NDP and FDB entries on vxlan-v6.calico of the other nodes)");
        b.Ignored(Node, "spec.orchRefs", "informational");
        b.Ignored(Node, "spec.wireguard", NoWireguard);
        b.Ignored(Node, "spec.addresses", "informational; the BGP addresses are what is used");
        b.Ignored(Node, "spec.interfaces", "informational");
        b.Ignored(Node, "status", StatusWritten);

        const string ClusterInfo = "ClusterInformation";
        b.Metadata(ClusterInfo);
        b.Acts(ClusterInfo, "spec.datastoreReady", "while false (`calicoctl datastore migrate lock`) the CNI plugin refuses ADD and DEL and calico-node pauses its datastore writes (node registration, tunnel addresses, CalicoNodeStatus) until it is true again");
        foreach (var info in new[] { "spec.clusterGUID", "spec.clusterType", "spec.calicoVersion", "spec.variant" })
        {
            b.Ignored(ClusterInfo, info, "informational, written by calicoctl and calico-node");
        }

        const string Kcc = "KubeControllersConfiguration";
        const string NeedsKubernetes = "a controller that syncs Kubernetes objects into Calico; calico-kube-controllers here has no Kubernetes API to read, so it does not run (ENABLED_CONTROLLERS naming it is refused)";
        b.Metadata(Kcc);
        b.Acts(Kcc, "spec.logSeverityScreen", "calico-kube-controllers' log level (LOG_LEVEL overrides)");
        b.Acts(Kcc, "spec.healthChecks", "Enabled: the datastore check behind `calico-kube-controllers check-status -r` (HEALTH_ENABLED overrides)");
        b.Acts(Kcc, "spec.etcdV3CompactionPeriod", "on etcd, history is compacted every period up to the revision seen one period earlier (0 disables; COMPACTION_PERIOD overrides); the embedded store bounds its own history");
        b.Acts(Kcc, "spec.prometheusMetricsPort", "calico-kube-controllers' Prometheus metrics port (0 disables)");
        b.Ignored(Kcc, "spec.debugProfilePort", "Go's pprof server, which this implementation does not have");
        b.Acts(Kcc, "spec.controllers.node", "runs the node controller: IPAM garbage collection and clean-up after deleted nodes, automatic host endpoints (absent: not run; ENABLED_CONTROLLERS=node overrides)");
        b.Acts(Kcc, "spec.controllers.node.leakGracePeriod", "a workload address no WorkloadEndpoint holds is released after being seen leaked this long, and a node's surplus empty blocks after being seen empty this long (0 disables both); the GC scans every half period");
        b.Acts(Kcc, "spec.controllers.node.hostEndpoint", "autoCreate: Enabled makes <node>-auto-hep (interfaceName \"*\", the node's labels, expectedIPs from its addresses) and one per matching template; they go with their node or when disabled (AUTO_HOST_ENDPOINTS overrides autoCreate)", subtree: true);
        b.Ignored(Kcc, "spec.controllers.node.reconcilerPeriod", "upstream's node controller does not use it either");
        b.Ignored(Kcc, "spec.controllers.node.syncLabels", "copies Kubernetes Node labels onto Calico Nodes, and there is no Kubernetes API here: label Calico Nodes with calicoctl");
        foreach (var controller in new[] { "policy", "workloadEndpoint", "serviceAccount", "namespace", "loadBalancer" })
        {
            b.Ignored(Kcc, "spec.controllers." + controller, NeedsKubernetes);
        }

        b.Ignored(Kcc, "spec.controllers.migration", "migrates names of Kubernetes-backed policies; nothing to migrate here");
        b.Ignored(Kcc, "status", "written by calico-kube-controllers: runningConfig (what runs) and environmentVars");

        BgpFilterRows(b);
        const string NodeStatus = "CalicoNodeStatus";
        b.Metadata(NodeStatus);
        b.Acts(NodeStatus, "spec.node", "the calico-node of that node fills the status (Calico.Node/NodeStatuses); other nodes ignore it");
        b.Acts(NodeStatus, "spec.classes", "what is reported, as upstream: Agent (BIRD's state, version, router ID, boot and reconfiguration times), BGP (sessions, their type and state, counts per family), Routes (BIRD's routes: FIB/RIB, gateway, interface, learned from); classes not asked stay empty");
        b.Acts(NodeStatus, "spec.updatePeriodSeconds", "reported at once, then every period (0: once); written only when the data changed");
        b.Ignored(NodeStatus, "status", "written by calico-node from its BIRD (one BIRD 2 serves both families: birdV4 and birdV6 show the same daemon); a status applied by hand is replaced at the next report");
        StagedRows(b);

        const string Ns = "Namespace (v1)";
        b.Metadata(Ns);
        b.Ignored(Ns, "spec.finalizers", "no Kubernetes API server runs finalizers here");
        b.Ignored(Ns, "status", StatusWritten);

        // ---- BGP ---------------------------------------------------------------------------------------------
        const string BgpConfig = "BGPConfiguration";
        b.Metadata(BgpConfig);
        b.Acts(BgpConfig, "spec.nodeToNodeMeshEnabled", "the full node-to-node mesh (BIRD)");
        b.Acts(BgpConfig, "spec.asNumber", "the default AS number (BIRD)");
        b.Acts(BgpConfig, "spec.listenPort", "BIRD's BGP listen port");
        b.Acts(BgpConfig, "spec.nodeMeshPassword", "the mesh sessions' password (BIRD)", subtree: true);
        b.Acts(BgpConfig, "spec.nodeMeshMaxRestartTime", "graceful-restart time of the mesh sessions (BIRD)");
        b.Acts(BgpConfig, "spec.ignoredInterfaces", "interfaces BIRD's kernel/direct protocols skip");
        b.Acts(BgpConfig, "spec.programClusterRoutes", "whether BIRD programs cluster routes learned over BGP");
        b.Acts(BgpConfig, "spec.ipv4NormalRoutePriority", "the kernel metric of BGP-learned IPv4 routes (BIRD)");
        b.Acts(BgpConfig, "spec.ipv6NormalRoutePriority", "the kernel metric of BGP-learned IPv6 routes (BIRD)");
        b.Acts(BgpConfig, "spec.logSeverityScreen", "BIRD's protocol tracing in <state-dir>/bird.log, as upstream's confd maps it: Debug (and Trace) trace everything, Info (the default) state changes plus BGP routes, filter decisions and events, Warning/Error/Fatal none; a node.<name> BGPConfiguration's value wins on that node");
        b.Acts(BgpConfig, "spec.serviceClusterIPs", "every node advertises each CIDR over BGP (" + ServiceRange + ")", subtree: true);
        b.Acts(BgpConfig, "spec.serviceExternalIPs", "every node advertises each CIDR over BGP except single addresses (/32, /128) (" + ServiceRange + ")", subtree: true);
        b.Acts(BgpConfig, "spec.serviceLoadBalancerIPs", "every node advertises each CIDR over BGP except single addresses (/32, /128), unless serviceLoadBalancerAggregation is Disabled (" + ServiceRange + ")", subtree: true);
        b.Acts(BgpConfig, "spec.serviceLoadBalancerAggregation", "Disabled: no serviceLoadBalancerIPs range is advertised (upstream then advertises each service's /32, which needs a Kubernetes service source)");
        b.Acts(BgpConfig, "spec.communities", "named standard (aa:nn) and large (aa:nn:mm) community values for prefixAdvertisements", subtree: true);
        b.Acts(BgpConfig, "spec.prefixAdvertisements", "BIRD adds the listed communities to every route inside the CIDR it exports to any BGP peer (this node's blocks, service ranges, routes it passes on); a node.<name> BGPConfiguration's list replaces the default one on that node", subtree: true);
        b.Acts(BgpConfig, "spec.bindMode", "NodeIP: BIRD's BGP sockets are bound to the node's address (strict bind), not to every address (BIRD)");
        b.Acts(BgpConfig, "spec.localWorkloadPeeringIPV4", "the address (/32) calico-node puts on the host side of workloads a BGPPeer localWorkloadSelector selects, for them to peer with");
        b.Acts(BgpConfig, "spec.localWorkloadPeeringIPV6", "the address (/128) calico-node puts on the host side of workloads a BGPPeer localWorkloadSelector selects, for them to peer with");

        const string Peer = "BGPPeer";
        b.Metadata(Peer);
        foreach (var (field, why) in new[]
        {
            ("spec.node", "the node the peering is configured on (BIRD)"),
            ("spec.nodeSelector", "the nodes the peering is configured on (BIRD)"),
            ("spec.peerIP", "the peer's address (BIRD)"),
            ("spec.asNumber", "the peer's AS number (BIRD)"),
            ("spec.localASNumber", "the local AS number for this peering (BIRD)"),
            ("spec.peerSelector", "peers with the selected Calico nodes (BIRD)"),
            ("spec.keepOriginalNextHop", "keeps the route's next hop towards this peer (BIRD)"),
            ("spec.nextHopMode", "next-hop handling towards this peer (BIRD)"),
            ("spec.sourceAddress", "the session's source address (BIRD)"),
            ("spec.maxRestartTime", "graceful-restart time (BIRD)"),
            ("spec.keepaliveTime", "keepalive time (BIRD)"),
            ("spec.numAllowedLocalASNumbers", "allowas-in count (BIRD)"),
            ("spec.ttlSecurity", "GTSM hop count (BIRD)"),
            ("spec.reachableBy", "a static route to the peer via this gateway (BIRD)"),
            ("spec.reversePeering", "Manual: no automatic reverse peering (BIRD)"),
        })
        {
            b.Acts(Peer, field, why);
        }

        b.Acts(Peer, "spec.password", "the session's password, read from CALICO_BGP_SECRETS_DIR (BIRD)", subtree: true);
        b.Acts(Peer, "spec.filters", "the listed BGPFilters run, in order, first in this peering's import and export filters (BIRD); a missing one is skipped and logged, as upstream; never on the node-to-node mesh");
        b.Acts(Peer, "spec.localWorkloadSelector", "a passive session with each selected workload on the nodes the peer applies to, per address family (BIRD; endpoint labels, not profile labels)");

        // ---- Felix -------------------------------------------------------------------------------------------
        Felix(b);
        return rows;
    }

    private static void Felix(Builder b)
    {
        const string F = "FelixConfiguration";
        b.Metadata(F);
        foreach (var (field, why) in new[]
        {
            ("nodeSelector", "scopes the configuration to the selected nodes"),
            ("ipv6Support", "IPv6 settings on workload interfaces"),
            ("routeRefreshInterval", "how often routes (and the dataplane) are checked for drift"),
            ("iptablesRefreshInterval", "read as the dataplane drift-check interval too (the shortest of the refresh intervals wins)"),
            ("nftablesRefreshInterval", "how often the nftables table is checked for drift"),
            ("interfacePrefix", "which interfaces are workload interfaces"),
            ("defaultEndpointToHostAction", "the verdict for workload-to-host traffic after the workload's egress policy"),
            ("logPrefix", "prefix of Log-rule packet logs"),
            ("logSeverityScreen", "calico-node's log level"),
            ("vxlanPort", "the vxlan.calico UDP port"),
            ("vxlanVNI", "the vxlan.calico VNI"),
            ("removeExternalRoutes", "whether unknown routes to workload interfaces are removed"),
            ("healthEnabled", "the health endpoint (read at start)"),
            ("healthHost", "the health endpoint's address (read at start)"),
            ("healthPort", "the health endpoint's port (read at start)"),
            ("prometheusMetricsEnabled", "the metrics endpoint (read at start)"),
            ("prometheusMetricsHost", "the metrics endpoint's address (read at start)"),
            ("prometheusMetricsPort", "the metrics endpoint's port (read at start)"),
        })
        {
            b.Acts(F, "spec." + field, why);
        }

        b.Acts(F, "spec.failsafeInboundHostPorts", "ports always open into host endpoints", subtree: true);
        b.Acts(F, "spec.failsafeOutboundHostPorts", "ports always open out of host endpoints", subtree: true);

        // Refused: the operator asks for something that changes what traffic is allowed, translated or encrypted.
        b.Refused(F, "spec.wireguardEnabled", NoWireguard, "an encrypted underlay (IPsec, a VPN) outside Calico", blocks: true);
        b.Refused(F, "spec.wireguardEnabledV6", NoWireguard, "an encrypted underlay (IPsec, a VPN) outside Calico", blocks: true);
        b.Refused(F, "spec.wireguardHostEncryptionEnabled", NoWireguard, "an encrypted underlay (IPsec, a VPN) outside Calico", blocks: true);
        b.Acts(F, "spec.bpfEnabled", "true: workload policy (tiers, policies, profiles, default deny), its connection tracking and the workload source check run in tc BPF programs on each workload interface (docs/bpf.md), switched on a running node; flows between local workloads go peer to peer (bpf_redirect_peer), flows to workloads on other hosts leave straight through the uplink or VXLAN device and arrive through a program on the data interfaces (bpfDataIfacePattern) straight into the workload, and workload-to-workload traffic is untracked by the kernel (all of which stops while a host endpoint has applyOnForward, preDNAT or doNotTrack policy; host endpoints policing the host alone leave it on); a new flow's verdict is kept per table, addresses, protocol and port until the next policy write (the verdict cache), and IP fragments follow their first fragment; allowSpoofedSourcePrefixes and negated named ports are enforced in the programs; flow logs of workload verdicts come from the programs (a ring buffer of verdict events and per-flow counters, read by calico-node while flow logs are on; traces from the policy engine); NAT outgoing of TCP, UDP and ping (IPv4 and IPv6) from natOutgoing pools is done by the programs at the data interfaces' tc egress, untracked by the kernel (while no host endpoint polices forwarded traffic, and not for connections the kernel DNATs); host endpoints, floating IPs, port mapping and DefaultEndpointToHostAction stay in the nftables table. A kernel or object file that cannot run it: workload policy stays in nftables and readiness says why");
        b.Acts(F, "spec.ipipEnabled", "overrides whether IP-in-IP is on (unset: when a pool has ipipMode, as upstream): tunl0 and its routes (read at start) and the protocol-4 rules");
        b.Acts(F, "spec.ipipMTU", "tunl0's MTU (read at start); 0 or unset: the parent interface's MTU minus 20");
        b.Acts(F, "spec.externalNodesList", "IP-in-IP is also accepted from these CIDRs (filter-INPUT), as upstream");
        b.Acts(F, "spec.natOutgoingAddress", "IPv4 traffic from natOutgoing pools is SNATed to this address instead of masqueraded (snat ip to ADDR fully-random; with bpfEnabled the programs' NAT address on every data interface); IPv6 pools keep masquerade, as upstream (with bpfEnabled's NAT in the programs, each data interface's first global IPv6 address)");
        b.Acts(F, "spec.natPortRange", "TCP and UDP leaving natOutgoing pools get a source port in this range (masquerade to :MIN-MAX, or snat to ADDR:MIN-MAX); with bpfEnabled's NAT in the programs, the range a flow whose own source port is taken gets (instead of bpfPSNATPorts)");
        b.Acts(F, "spec.natOutgoingExclusions", "IPPoolsOnly: traffic to the pools is not NATed; IPPoolsAndHostIPs: nor traffic to any node's BGP address (sets cali40/cali60all-hosts-net); with bpfEnabled, IPPoolsAndHostIPs keeps NAT outgoing in the kernel (the programs do not know every node's address)");
        b.Acts(F, "spec.iptablesNATOutgoingInterfaceFilter", "outgoing NAT only for traffic leaving this interface (oifname; a trailing + is nft's * wildcard); with bpfEnabled, only the matching data interfaces get the programs' NAT address");
        b.Refused(F, "spec.disableConntrackInvalidCheck", "packets in conntrack state invalid are always dropped", "disableConntrackInvalidCheck: false");
        b.Acts(F, "spec.workloadSourceSpoofing", "Any lets workload endpoints' allowSpoofedSourcePrefixes pass the source check; Disabled (default) ignores them");
        b.Refused(F, "spec.deviceRouteSourceAddress", "workload routes are programmed without a source address", "no deviceRouteSourceAddress");
        b.Refused(F, "spec.deviceRouteSourceAddressIPv6", "workload routes are programmed without a source address", "no deviceRouteSourceAddressIPv6");
        b.Refused(F, "spec.routeSyncDisabled", "calico-node always programs workload routes", "routeSyncDisabled: false");
        b.Acts(F, "spec.vxlanMTU", "vxlan.calico's MTU (0: the host MTU minus 50); while an IPv4 pool uses VXLAN, a candidate for the workload MTU in <state-dir>/mtu (the smallest tunnel MTU in use wins)");
        b.Acts(F, "spec.vxlanMTUV6", "vxlan-v6.calico's MTU (0: the host MTU minus 70); while an IPv6 pool uses VXLAN, a candidate for the workload MTU in <state-dir>/mtu");
        b.Acts(F, "spec.ipipMTU", "tunl0's MTU (0: the host MTU minus 20); while an IPv4 pool uses IP-in-IP, a candidate for the workload MTU in <state-dir>/mtu");
        b.Acts(F, "spec.mtuIfacePattern", "which operationally up host interfaces give the host MTU (the smallest; 1460 when none matches), from which tunnel and workload MTUs are computed");
        b.Acts(F, "spec.requireMTUFile", "true: failing to write <state-dir>/mtu stops calico-node at start, and fails (and retries) the routing update afterwards, instead of a logged error");
        b.Acts(F, "spec.floatingIPs", "Enabled programs workload endpoints' ipNATs (DNAT, route, BGP); Disabled (default) ignores them with a warning");
        b.Refused(F, "spec.policySyncPathPrefix", "the policy sync API (application-layer policy) is not implemented", "no policySyncPathPrefix");
        b.Refused(F, "spec.istioAmbientMode", "Istio ambient mode integration is not implemented", "istioAmbientMode: Disabled", defaults: ["Disabled"]);
        b.Refused(F, "spec.useInternalDataplaneDriver", "an external dataplane driver is not supported", "useInternalDataplaneDriver: true", defaults: ["true"]);
        b.Refused(F, "spec.dataplaneDriver", "an external dataplane driver is not supported", "no dataplaneDriver");
        b.Refused(F, "spec.prometheusMetricsCAFile", "the metrics endpoint serves plain HTTP: TLS is not implemented", "a TLS proxy in front of the metrics port");
        b.Refused(F, "spec.prometheusMetricsCertFile", "the metrics endpoint serves plain HTTP: TLS is not implemented", "a TLS proxy in front of the metrics port");
        b.Refused(F, "spec.prometheusMetricsKeyFile", "the metrics endpoint serves plain HTTP: TLS is not implemented", "a TLS proxy in front of the metrics port");
        b.Refused(F, "spec.prometheusMetricsClientAuth", "the metrics endpoint serves plain HTTP: client certificates are not checked", "a TLS proxy in front of the metrics port");

        // Ignored: tuning of a part upstream has and we do not.
        foreach (var field in new[]
        {
            "bpfOverlayHostSourceIP", "bpfDisableUnprivileged", "bpfJITHardening", "bpfLogLevel", "bpfConntrackLogLevel", "bpfConntrackMode",
            "bpfConntrackTimeouts", "bpfIPFragTimeout", "bpfLogFilters", "bpfCTLBLogFilter", "bpfL3IfacePattern",
            "bpfConnectTimeLoadBalancingEnabled", "bpfConnectTimeLoadBalancing", "bpfHostNetworkedNATWithoutCTLB", "bpfExternalServiceMode",
            "bpfDSROptoutCIDRs", "bpfExtToServiceConnmark", "bpfKubeProxyIptablesCleanupEnabled", "bpfKubeProxyMinSyncPeriod",
            "bpfKubeProxyHealthzPort", "bpfMapSizeNATFrontend", "bpfMapSizeNATBackend", "bpfMapSizeNATAffinity",
            "bpfMapSizeRoute", "bpfMapSizeConntrack", "bpfMapSizePerCpuConntrack", "bpfMapSizeConntrackScaling",
            "bpfMapSizeConntrackCleanupQueue", "bpfMapSizeIPSets", "bpfMapSizeIfState", "bpfHostConntrackBypass",
            "bpfEnforceRPF", "bpfPolicyDebugEnabled", "bpfForceTrackPacketsFromIfaces",
            "bpfDisableGROForIfaces", "bpfExcludeCIDRsFromNAT", "bpfExportBufferSizeMB", "bpfRedirectToPeer",
            "bpfProfiling", "bpfMaglevMaxEndpointsPerService", "bpfMaglevMaxServices",
        })
        {
            b.Ignored(F, "spec." + field, NoBpf);
        }

        b.Ignored(F, "spec.bpfIPFragmentReassemblyEnabled", "the programs do not reassemble IP fragments: they always track them (a datagram's later fragments take its first fragment's ports, so conntrack, policy and NAT outgoing treat them as the first; docs/bpf.md, \"IP fragments\"); a later fragment arriving before its first meets policy without ports");
        b.Acts(F, "spec.bpfPSNATPorts", "with bpfEnabled's NAT outgoing in the programs (default 20000:29999, as upstream): the source ports a flow gets when its own is taken at the NAT address (natPortRange wins when set), by another binding or by a connection of the host's own to the same remote; a host connection started from a port a workload's binding holds towards the same remote gets one too (docs/bpf.md, \"Ports the host and the workloads both want\")");
        b.Acts(F, "spec.bpfDataIfacePattern", "with bpfEnabled, the host interfaces (besides vxlan.calico and vxlan-v6.calico) whose tc ingress gets the fast path in: packets between pool addresses to a local workload are policed there and handed into the workload's namespace (upstream's default pattern), and whose tc egress does NAT outgoing (not the VXLAN devices)");
        b.Refused(F, "spec.bpfAttachType", "programs attach as tc (clsact) filters: this kernel has no netkit, and Debian's libbpf 1.1 cannot attach TCX", "bpfAttachType: TC", defaults: ["TC"]);

        foreach (var field in new[]
        {
            "iptablesBackend", "iptablesMarkMask", "iptablesFilterAllowAction", "iptablesMangleAllowAction", "iptablesFilterDenyAction",
            "iptablesPostWriteCheckInterval", "iptablesLockProbeInterval", "chainInsertMode", "nftablesMode", "nftablesFilterAllowAction",
            "nftablesMangleAllowAction", "nftablesFilterDenyAction", "nftablesMarkMask", "nftablesFlowTableOffload",
            "nftablesFlowTableDataIfacePattern", "maxIpsetSize", "featureDetectOverride", "featureGates",
            "xdpEnabled", "genericXDPEnabled", "sidecarAccelerationEnabled",
        })
        {
            b.Ignored(F, "spec." + field, NoIptables);
        }

        foreach (var field in new[]
        {
            "dataplaneWatchdogTimeout", "interfaceRefreshInterval", "ipsetsRefreshInterval", "xdpRefreshInterval", "netlinkTimeout",
            "reportingInterval", "reportingTTL", "endpointReportingEnabled", "endpointReportingDelay", "endpointStatusPathPrefix",
            "healthTimeoutOverrides", "usageReportingEnabled", "usageReportingInitialDelay", "usageReportingInterval",
            "liveMigrationRouteConvergenceTime", "localSubnetL2ReachabilityRefreshInterval",
        })
        {
            b.Ignored(F, "spec." + field, Timers);
        }

        foreach (var field in new[]
        {
            "logFilePath", "logSeverityFile", "logSeveritySys", "logActionRateLimit", "logActionRateLimitBurst", "logDebugFilenameRegex",
            "prometheusGoMetricsEnabled", "prometheusProcessMetricsEnabled", "prometheusWireGuardMetricsEnabled",
        })
        {
            b.Ignored(F, "spec." + field, Logging + "; extra metric families are not implemented");
        }

        b.Acts(F, "spec.flowLogsGoldmaneServer", "host:port of the goldmane aggregator: with it set, calico-node logs policy verdicts of new connections (NFLOG groups 1, 2; with bpfEnabled the programs' verdict events and per-flow counters for workload traffic), reads conntrack, and streams upstream's Flow records over FlowCollector.Connect (plain HTTP/2, or TLS with typhaCertFile/typhaKeyFile/typhaCAFile as upstream); read at start-up");
        b.Acts(F, "spec.flowLogsLocalReporter", "Enabled turns flow logs on and appends each flushed flow, with addresses, source ports and the node, as a JSON line to /var/run/calico/flows/flows.log (upstream streams to a socket in that directory); read at start-up");
        b.Acts(F, "spec.flowLogsFlushInterval", "how often flow records are flushed to goldmane and the local reporter (default 300 s)");
        b.Acts(F, "spec.flowLogsPolicyEvaluationMode", "Continuous (default) fills each flow's pending trace from the policy engine with staged policies, again at every flush; None leaves it empty");
        b.Ignored(F, "spec.flowLogsCollectorDebugTrace", Logging + "; upstream's collector debug dump has no counterpart (calico-node's flow-logs logger logs each flush at Debug)");

        foreach (var field in new[]
        {
            "debugMemoryProfilePath", "debugDisableLogDropping", "debugSimulateCalcGraphHangAfter", "debugSimulateDataplaneHangAfter",
            "debugSimulateDataplaneApplyDelay", "debugHost", "debugPort", "goGCThreshold", "goMemoryLimitMB", "goMaxProcs",
        })
        {
            b.Ignored(F, "spec." + field, "a debugging or Go runtime knob of upstream's Felix");
        }

        foreach (var field in new[]
        {
            "wireguardThreadingEnabled", "wireguardListeningPort", "wireguardListeningPortV6", "wireguardRoutingRulePriority",
            "wireguardInterfaceName", "wireguardInterfaceNameV6", "wireguardMTU", "wireguardMTUV6", "wireguardKeepAlive",
        })
        {
            b.Ignored(F, "spec." + field, "tuning of WireGuard, which is not implemented (wireguardEnabled is refused)");
        }

        foreach (var (field, why) in new[]
        {
            ("metadataAddr", "OpenStack metadata access: there is no OpenStack integration"),
            ("metadataPort", "OpenStack metadata access: there is no OpenStack integration"),
            ("openstackRegion", "OpenStack: there is no OpenStack integration"),
            ("windowsManageFirewallRules", "Windows: not a Windows implementation"),
            ("awsSrcDstCheck", "AWS: the EC2 source/destination check is not managed"),
            ("istioDSCPMark", "tuning of Istio ambient mode, which is refused"),
            ("cgroupV2Path", "a path for the eBPF dataplane's connect-time load balancing, which is not implemented"),
            ("allowIPIPPacketsFromWorkloads", "workload policy applies to IP-in-IP packets from workloads like to any packet"),
            ("allowVXLANPacketsFromWorkloads", "workload policy applies to VXLAN packets from workloads like to any packet"),
            ("kubeNodePortRanges", "node ports are only special in upstream's host-endpoint and eBPF handling of services, which is not implemented"),
            ("serviceLoopPrevention", "no drop or reject rule for advertised service CIDRs (BGPConfiguration service IPs): with no service implementation here, a packet to a service address follows the host's routes (the default route may send it back to the router until its TTL runs out)"),
            ("interfaceExclude", "upstream's nftables/iptables all-interfaces host endpoint covers every interface regardless; it shapes only the eBPF dataplane and interface monitoring"),
            ("ipForwarding", "forwarding is part of the host's set-up here, not changed by calico-node"),
            ("deviceRouteProtocol", "workload routes keep calico-node's own route protocol"),
            ("routeSource", "routes follow Calico IPAM blocks and workload endpoints either way"),
            ("routeTableRange", "calico-node uses the main routing table only"),
            ("routeTableRanges", "calico-node uses the main routing table only"),
            ("programClusterRoutes", "BIRD programs cluster routes as BGPConfiguration programClusterRoutes says"),
            ("ipv4NormalRoutePriority", "workload routes keep calico-node's own metric (BGPConfiguration sets BIRD's)"),
            ("ipv4ElevatedRoutePriority", "live migration of workloads is not implemented"),
            ("ipv6NormalRoutePriority", "workload routes keep calico-node's own metric (BGPConfiguration sets BIRD's)"),
            ("ipv6ElevatedRoutePriority", "live migration of workloads is not implemented"),
            ("localSubnetL2Reachability", "tuning of upstream's same-subnet route handling"),
            ("vxlanEnabled", "the VXLAN device and routes follow the IP pools' vxlanMode, as upstream computes it; this setting only turns the NOTRACK rule for VXLAN's UDP port on or off"),
        })
        {
            b.Ignored(F, "spec." + field, why);
        }
    }

    /// <summary>
    /// The staged kinds: never enforced (nothing is opened or closed by one, as upstream); evaluated for the pending
    /// trace (Calico.Felix.Calc pending lists, Calico.Reachability TraceMode.Pending): flow logs, policy explain, simulate.
    /// </summary>
    private static void StagedRows(Builder b)
    {
        const string Pending = " (pending view only: never enforced; evaluated for the pending trace of flow logs, policy explain and simulate)";
        const string Action = "Set (the default), Learn and Ignore: evaluated in place of the enforced policy of the same identity; Delete: that enforced policy is left out of the pending view; never enforced";
        const string Snp = "StagedNetworkPolicy";
        b.Metadata(Snp);
        b.Acts(Snp, "spec.stagedAction", Action + " (identity: NetworkPolicy of the same namespace and name)");
        b.Acts(Snp, "spec.tier", "policies are ordered and grouped by tier" + Pending);
        b.Acts(Snp, "spec.order", "orders policies within a tier" + Pending);
        b.Acts(Snp, "spec.selector", "selects the endpoints of the namespace the policy applies to" + Pending);
        b.Acts(Snp, "spec.serviceAccountSelector", "narrows the endpoints by their service account's labels" + Pending);
        b.Acts(Snp, "spec.types", "which directions the policy applies to" + Pending);
        b.Rules(Snp, "spec.ingress[]");
        b.Rules(Snp, "spec.egress[]");
        b.Ignored(Snp, "spec.performanceHints", "an optimisation hint; policies are always computed in full");

        const string Sgnp = "StagedGlobalNetworkPolicy";
        b.Metadata(Sgnp);
        b.Acts(Sgnp, "spec.stagedAction", Action + " (identity: GlobalNetworkPolicy of the same name)");
        b.Acts(Sgnp, "spec.tier", "policies are ordered and grouped by tier" + Pending);
        b.Acts(Sgnp, "spec.order", "orders policies within a tier" + Pending);
        b.Acts(Sgnp, "spec.selector", "selects the endpoints the policy applies to" + Pending);
        b.Acts(Sgnp, "spec.namespaceSelector", "narrows the endpoints by their namespace's labels" + Pending);
        b.Acts(Sgnp, "spec.serviceAccountSelector", "narrows the endpoints by their service account's labels" + Pending);
        b.Acts(Sgnp, "spec.types", "which directions the policy applies to" + Pending);
        b.Rules(Sgnp, "spec.ingress[]");
        b.Rules(Sgnp, "spec.egress[]");
        b.Ignored(Sgnp, "spec.doNotTrack", "the pending trace covers normal policy only: a staged doNotTrack policy is left out of it");
        b.Ignored(Sgnp, "spec.preDNAT", "the pending trace covers normal policy only: a staged preDNAT policy is left out of it");
        b.Ignored(Sgnp, "spec.applyOnForward", "forwarded traffic has no pending trace; the policy still counts for traffic to and from the host endpoint, as an enforced one does");
        b.Ignored(Sgnp, "spec.performanceHints", "an optimisation hint; policies are always computed in full");

        const string Sknp = "StagedKubernetesNetworkPolicy";
        b.Metadata(Sknp);
        b.Acts(Sknp, "spec.stagedAction", Action + " (identity: the Kubernetes NetworkPolicy of the same namespace and name, stored as knp.default.<name>)");
        b.Acts(Sknp, "spec", "converted as a networking.k8s.io/v1 NetworkPolicy is (podSelector, ingress/egress peers and ports, policyTypes; tier default, order 1000)" + Pending, subtree: true);
    }

    /// <summary>Collects rows; the shared fragments (metadata, rules) are expanded here so every path has its row.</summary>
    private sealed class Builder(List<FieldSupport> rows)
    {
        public void Add(FieldSupport row) => rows.Add(row);

        public void Kind(string kind, SupportStatus status, string why) => rows.Add(new FieldSupport(kind, "", status, why));

        public void Acts(string kind, string path, string why, bool subtree = false) =>
            rows.Add(new FieldSupport(kind, path, SupportStatus.Acts, why) { Subtree = subtree });

        public void Refused(string kind, string path, string why, string instead, bool blocks = false, IReadOnlyList<string>? defaults = null) =>
            rows.Add(new FieldSupport(kind, path, SupportStatus.Refused, why) { Instead = instead, BlocksReadiness = blocks, Defaults = defaults });

        public void Ignored(string kind, string path, string why, IReadOnlyList<string>? defaults = null) =>
            rows.Add(new FieldSupport(kind, path, SupportStatus.Ignored, why) { Defaults = defaults });

        public void Metadata(string kind) =>
            Acts(kind, "metadata", "name, namespace and labels identify the object and feed selectors; the rest is bookkeeping", subtree: true);

        /// <summary>The rule fields under <paramref name="prefix"/> (e.g. <c>spec.ingress[]</c>).</summary>
        public void Rules(string kind, string prefix)
        {
            Acts(kind, prefix + ".action", "Allow, Deny, Pass, Log (Calico.Felix.Rules)");
            Acts(kind, prefix + ".ipVersion", "limits the rule to IPv4 or IPv6");
            Acts(kind, prefix + ".protocol", "protocol match");
            Acts(kind, prefix + ".notProtocol", "negated protocol match");
            Acts(kind, prefix + ".icmp", "ICMP type/code match", subtree: true);
            Acts(kind, prefix + ".notICMP", "negated ICMP type/code match", subtree: true);
            rows.Add(new FieldSupport(kind, prefix + ".http", SupportStatus.Refused,
                "HTTP matches need an application-layer proxy, which is not implemented: an Allow or Pass rule with an http match never matches; a Deny or Log rule applies without it")
            { Instead = "ports and selectors" });
            Ignored(kind, prefix + ".metadata", "rule annotations are stored, not rendered into the dataplane");
            foreach (var side in new[] { "source", "destination" })
            {
                var p = prefix + "." + side;
                Acts(kind, p + ".nets", "CIDR match");
                Acts(kind, p + ".notNets", "negated CIDR match");
                Acts(kind, p + ".selector", "endpoint selector match (nftables sets)");
                Acts(kind, p + ".notSelector", "negated endpoint selector match");
                Acts(kind, p + ".namespaceSelector", "namespace selector match");
                Acts(kind, p + ".ports", "port match, named ports included");
                Acts(kind, p + ".notPorts", "negated port match");
                Acts(kind, p + ".serviceAccounts", "service account match (names, selector)", subtree: true);
                rows.Add(new FieldSupport(kind, p + ".services", SupportStatus.Refused,
                    "service matches need the Kubernetes service index, which is not implemented: an Allow or Pass rule with a services match never matches; a Deny or Log rule applies without it")
                { Instead = "the service's endpoints by selector and ports" });
            }
        }
    }
}
