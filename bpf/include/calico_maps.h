// SPDX-License-Identifier: GPL-2.0
// The datapath's maps: policy as data read by one fixed program (see docs/bpf.md, "Datapath").
// Every struct is naturally aligned with explicit padding (no packed attribute): the C# encoders in
// src/Calico.Felix.Bpf/BpfMapLayout.cs write the same bytes, and a root test compares the sizes the kernel reports.
// Multi-byte fields are host order (little endian) unless the name says _be (network order, as in the packet).
#ifndef CALICO_MAPS_H
#define CALICO_MAPS_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// ---- Endpoints: ifindex -> which rule tables police it -------------------------------------------------------

#define CALI_EP_WORKLOAD 0x1u // a workload interface (cali*): from-workload = its egress policy
#define CALI_EP_HOST 0x2u     // a host endpoint (not policed by calico_tc.c yet)
#define CALI_EP_INGRESS_SPORT 0x4u // its ingress table has rules on the source port (the verdict cache keys on it)
#define CALI_EP_EGRESS_SPORT 0x8u  // its egress table has rules on the source port

// DefaultEndpointToHostAction, for traffic from a workload to the host itself (after its egress policy allowed it).
#define CALI_TO_HOST_DROP 0
#define CALI_TO_HOST_RETURN 1 // nft's "return": the host's own rules decide; here: let it through
#define CALI_TO_HOST_ACCEPT 2

struct cali_ep_key {
	__u32 ifindex;
};

struct cali_ep_value {
	__u32 flags;          // CALI_EP_*
	__u32 ingress_table;  // rule table of the endpoint's ingress policy (traffic to the endpoint)
	__u32 egress_table;   // rule table of the endpoint's egress policy (traffic from the endpoint)
	__u8 to_host_action;  // CALI_TO_HOST_*
	__u8 pad[3];
};

// ---- Rule tables: {table, index} -> one flat rule ------------------------------------------------------------

// What a rule does when it matches (CALI_ACT_NEXT: when it does NOT match).
#define CALI_ACT_ALLOW 1 // verdict: allow (a conntrack entry is created)
#define CALI_ACT_DENY 2  // verdict: drop
#define CALI_ACT_LOG 3   // count and continue with the next rule
#define CALI_ACT_GOTO 4  // continue at rule `jump` (Pass: the next tier's, or the next profile's, first rule)
#define CALI_ACT_NEXT 5  // a conjunction's leading part: matched -> next rule (more conditions); else -> rule `jump`

// Rule flags: which optional matches are on.
#define CALI_RF_PROTO 0x01u        // packet protocol == protocol
#define CALI_RF_NOT_PROTO 0x02u    // packet protocol != not_protocol
#define CALI_RF_ICMP_TYPE 0x04u    // ICMP type == icmp_type
#define CALI_RF_ICMP_CODE 0x08u    // ICMP code == icmp_code
#define CALI_RF_NOT_ICMP_TYPE 0x10u // not (ICMP type == not_icmp_type [and code == not_icmp_code])
#define CALI_RF_NOT_ICMP_CODE 0x20u
#define CALI_RF_RUN 0x40u           // a merged run: matches iff the remote address is in run `run` (cali_runs); no other field
#define CALI_RF_RUN_DST 0x80u       // the run's remote address is the destination (egress), else the source (ingress)
#define CALI_RF_RUN_ANY_PROTO 0x100u // the run has any-protocol entries (a second lookup, protocol key CALI_RUN_ANY_PROTO)

#define CALI_RULE_SETS 2  // IP set ids per side and sense (ANDed; 0 = unused slot)
#define CALI_RULE_PORTS 4 // port ranges per side and sense (ORed for ports, none-of for not-ports)

// Bounds the evaluation loop: a table never holds more rules (the compiler refuses a longer one).
#define CALI_MAX_RULES 1000000

struct cali_rule_key {
	__u32 table;
	__u32 index;
};

struct cali_port_range {
	__u16 first;
	__u16 last;
};

struct cali_rule {
	__u8 action;      // CALI_ACT_*
	__u8 ip_version;  // 0 any, 4, 6
	__u8 protocol;
	__u8 not_protocol;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 not_icmp_type;
	__u8 not_icmp_code;
	__u16 flags;      // CALI_RF_*
	__u8 n_src_ports; // used entries of src_ports...
	__u8 n_not_src_ports;
	__u8 n_dst_ports;
	__u8 n_not_dst_ports;
	__u8 pad[2];
	__u32 jump;       // CALI_ACT_GOTO / CALI_ACT_NEXT target; always > this rule's index
	__u32 run;        // CALI_RF_RUN: the merged run's id in cali_runs
	__u32 src_sets[CALI_RULE_SETS];     // source in every one
	__u32 not_src_sets[CALI_RULE_SETS]; // source in none
	__u32 dst_sets[CALI_RULE_SETS];
	__u32 not_dst_sets[CALI_RULE_SETS];
	struct cali_port_range src_ports[CALI_RULE_PORTS];
	struct cali_port_range not_src_ports[CALI_RULE_PORTS];
	struct cali_port_range dst_ports[CALI_RULE_PORTS];
	struct cali_port_range not_dst_ports[CALI_RULE_PORTS];
};

// ---- IP sets: an LPM trie over {set, family, address} ----------------------------------------------------------

// prefixlen counts from `set`: 64 (set id and family, always whole) + the CIDR's prefix length.
struct cali_ipset_key {
	__u32 prefixlen;
	__u32 set;        // the set's id (prefixlen always covers it whole, so byte order does not matter)
	__u32 family;     // 4 or 6, likewise always whole
	__u8 addr[16];    // IPv4 in the first 4 bytes, the rest zero
};

#define CALI_IPSET_PREFIX_BASE 64

// ---- Merged runs: a run of consecutive simple Allow (or Deny) rules as one LPM lookup -------------------------------

// One trie for every run: {run, protocol key, family, address}. A rule without a protocol is under CALI_RUN_ANY_PROTO
// (looked up second). An entry's port set already holds the ports of every prefix of its run and protocol key that
// contains it: the longest match answers for all. prefixlen counts from `run`: 64 + the prefix's length.
#define CALI_RUN_ANY_PROTO 256
#define CALI_RUN_PREFIX_BASE 64

struct cali_run_key {
	__u32 prefixlen;
	__u32 run;
	__u16 protocol; // 0-255, or CALI_RUN_ANY_PROTO
	__u8 family;    // 4 or 6
	__u8 pad;
	__u8 addr[16];  // IPv4 in the first 4 bytes, the rest zero
};

struct cali_run_value {
	__u32 port_set; // 0: any destination port, none needed; else the port set in cali_run_ports (needs a port)
};

// A port set as a sparse bitmap: 64 ports per word (word = port / 64, bit = port % 64); an absent word has no port.
struct cali_run_port_key {
	__u32 set;
	__u32 word;
};

// ---- The host's own addresses: traffic to them is host-bound, traffic from them host-originated ------------------

struct cali_host_ip_key {
	__u32 family;  // 4 or 6
	__u8 addr[16]; // IPv4 in the first 4 bytes, the rest zero
};

// ---- The mark shared with the table (src/Calico.Felix.Rules RenderConfig.KernelNatMark) ----------------------------
// On a packet reaching calico_to_wl: its connection is DNATed by the kernel (a host port, a floating IP); the entry
// notes it (CALI_CT_F_KERNEL_NAT). On a reply calico_from_wl lets out: keep it on the stack and tracked (the table's
// raw notrack skips it), so the kernel reverses the NAT.
#define CALI_MARK_KERNEL_NAT 0x40000u
// ---- IP pools: where the fast paths may take a workload's packet past the host's stack ---------------------------
// Written by calico-node in BPF mode while no host endpoint exists (as the table's notrack of pool-to-pool traffic):
// a flow to a pool address needs no NAT outgoing and no host endpoint policy, so nothing of the host's stack is
// skipped that it needed. Value 1: a pool; 0: an address inside one that is not a workload's own (a floating IP,
// which the kernel DNATs). Empty: no fast path. prefixlen counts from `family`: 32 + the prefix length.
struct cali_pool_key {
	__u32 prefixlen;
	__u32 family;  // 4 or 6, always whole
	__u8 addr[16]; // IPv4 in the first 4 bytes, the rest zero
};
#define CALI_POOL_PREFIX_BASE 32

// A workload's allowSpoofedSourcePrefixes (with FelixConfiguration workloadSourceSpoofing: Any): sources it may send
// from that are not routed to it. Keyed by its host-side interface, then the prefix.
struct cali_spoof_key {
	__u32 prefixlen;
	__u32 ifindex; // always whole, as family
	__u32 family;
	__u8 addr[16];
};
#define CALI_SPOOF_PREFIX_BASE 64
// ---- Conntrack: our own, an LRU hash keyed by the normalised 5-tuple ------------------------------------------

#define CALI_CT_NEW 1         // only the opening direction seen
#define CALI_CT_ESTABLISHED 2 // both directions seen
#define CALI_CT_CLOSING 3     // a FIN or RST seen

#define CALI_CT_OPENER_LO 0 // the lo side of the key sent the first packet
#define CALI_CT_OPENER_HI 1

// Both directions find one entry: (addr_lo, port_lo) is the lower of the two (address, port) ends, compared as
// address bytes then port bytes as in the packet.
struct cali_ct_key {
	__u8 addr_lo[16];
	__u8 addr_hi[16];
	__u16 port_lo_be; // TCP/UDP port; ICMP echo: the identifier on both sides; other ICMP: 0
	__u16 port_hi_be;
	__u8 protocol;
	__u8 family;      // 4 or 6
	__u8 pad[2];
};

struct cali_ct_value {
	__u64 created_ns;   // bpf_ktime_get_ns
	__u64 last_seen_ns;
	__u8 state;         // CALI_CT_*
	__u8 opener;        // CALI_CT_OPENER_*
	__u16 flags;        // reserved for NAT
	// The policy hooks that allowed the flow's opening direction: the ifindex whose from-workload program
	// (egress policy) allowed it, and the one whose to-workload program (ingress policy) did; 0 = none yet.
	// A flow between two local workloads needs both; replies are allowed by the mirror hook's approval.
	__u32 egress_approved_ifindex;
	__u32 ingress_approved_ifindex;
	__u32 pad;
};

// ---- Counters ---------------------------------------------------------------------------------------------------

// Per rule (key: the rule's own key): packets and bytes of the flows' first packets it decided, passed or logged.
struct cali_counter {
	__u64 packets;
	__u64 bytes;
};

// Why a packet was dropped or passed without a rule (index into cali_reasons).
#define CALI_REASON_UNKNOWN_IFACE 0  // no endpoint entry: nft's "Unknown interface" drop
#define CALI_REASON_NOT_IP 1         // passed: not IP (ARP...)
#define CALI_REASON_MALFORMED 2      // dropped: truncated headers
#define CALI_REASON_CT_HIT 3         // reserved: conntrack hits are not counted (per packet: a shared line)
#define CALI_REASON_POLICY_ALLOW 4
#define CALI_REASON_POLICY_DENY 5
#define CALI_REASON_TO_HOST_DROP 6   // reserved: DefaultEndpointToHostAction is applied by the table (INPUT), not here
#define CALI_REASON_HOST_TO_WORKLOAD 7 // from the host itself: not policed (as nft's OUTPUT accept)
#define CALI_REASON_BAD_TABLE 8      // a rule missing mid-table or a loop overrun: dropped (fail closed)
#define CALI_REASON_RELATED 9        // an ICMP error about a flow this hook allowed: passed without policy
#define CALI_REASON_ND 10            // IPv6 neighbour discovery or MLD from a workload to the host: passed
#define CALI_REASON_SPOOFED 11       // a workload's new flow from an address not routed to it: dropped
#define CALI_REASON_SNAT_NO_PORT 12  // NAT outgoing in BPF found no free port for a new flow: dropped
#define CALI_REASON_VERDICT_CACHED 13 // besides POLICY_ALLOW/DENY: a new flow decided by a kept verdict, no walk
#define CALI_REASON_PORT_CLASH 14    // BPF NAT: a port the host's own connection and a workload's binding both wanted, resolved
#define CALI_REASON_COUNT 16

// ---- Workload MACs: learned by calico_from_wl from what each workload sends ------------------------------------
// The fast path hands a packet straight to the peer end of a local workload's veth (bpf_redirect_peer), bypassing the
// host's neighbour table: the destination MAC it writes is the one that workload last sent from (learned by the
// program on every packet that takes the stack, so before any flow to it is established). Keyed by host-side ifindex.
struct cali_wl_mac {
	__u8 addr[6];
	__u8 pad[2];
};
// ---- The maps (names <= 15 characters; sizes are defaults the loader may change before load) -------------------

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct cali_ep_key);
	__type(value, struct cali_ep_value);
} cali_eps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1048576);
	__uint(map_flags, BPF_F_NO_PREALLOC); // memory follows the rules written, not the bound
	__type(key, struct cali_rule_key);
	__type(value, struct cali_rule);
} cali_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1048576);
	__uint(map_flags, BPF_F_NO_PREALLOC); // required for LPM tries
	__type(key, struct cali_ipset_key);
	__type(value, __u32);
} cali_ipsets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1048576);
	__uint(map_flags, BPF_F_NO_PREALLOC); // required for LPM tries
	__type(key, struct cali_run_key);
	__type(value, struct cali_run_value);
} cali_runs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 262144);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cali_run_port_key);
	__type(value, __u64);
} cali_run_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct cali_host_ip_key);
	__type(value, __u32);
} cali_host_ips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC); // required for LPM tries
	__type(key, struct cali_pool_key);
	__type(value, __u32);
} cali_pools SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC); // required for LPM tries
	__type(key, struct cali_spoof_key);
	__type(value, __u32);
} cali_spoof SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 512000); // upstream's BPFMapSizeConntrack default
	__type(key, struct cali_ct_key);
	__type(value, struct cali_ct_value);
} cali_ct SEC(".maps");

// Counters are shared (atomic adds), not per CPU: they count only a flow's first packets (conntrack hits are not
// counted), so contention is per new flow; and BpfMap reads one value, not one per possible CPU.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1048576);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cali_rule_key);
	__type(value, struct cali_counter);
} cali_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct cali_wl_mac);
} cali_wl_macs SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CALI_REASON_COUNT);
	__type(key, __u32);
	__type(value, struct cali_counter);
} cali_reasons SEC(".maps");

// ---- Flow logs: verdict events for calico-node, through a ring buffer ------------------------------------------
// Written only while calico-node's flow logs are on (cali_fl_cfg's `enabled`, written by the agent): off, a new flow
// costs one array lookup and an established packet nothing. See docs/bpf.md, "Flow logs".
// A cali_ct entry flagged CALI_CT_F_FLOW_LOG (opened, or approved, while flow logs were on) counts its packets and IP
// bytes per direction in cali_ct_fl under the same key, each packet once on this host (at the first of our hooks it
// meets). A map apart, not fields of cali_ct_value: cali_ct keeps its layout (pinned maps of an older calico-node stay
// loadable), the verifier's work on every path that builds a cali_ct_value stays as it was, and calico-node walks
// only the flows it logs. calico-node deletes an entry once its flow is over (reported as the flow's end).
#define CALI_CT_F_FLOW_LOG 0x100

struct cali_fl_counters {
	__u64 packets_orig; // the opener's direction
	__u64 bytes_orig;
	__u64 packets_reply;
	__u64 bytes_reply;
};

struct cali_fl_config {
	__u32 enabled; // 1: emit verdict events and count new flows' packets
	__u32 pad;
	__u64 lost;    // events the ring buffer had no room for (the reader is behind)
};

#define CALI_FL_INGRESS 1 // the endpoint's ingress policy decided (a to-workload hook, or a local peer's at from-workload)
#define CALI_FL_EGRESS 2  // the endpoint's egress policy decided (its from-workload hook)

// One new flow's verdict at one policy hook (72 bytes; src/Calico.Felix.FlowLogs/BpfFlowEvent.cs reads it).
struct cali_flow_event {
	__u8 src[16];     // IPv4 in the first 4 bytes, the rest zero
	__u8 dst[16];
	__u16 sport;      // host order; ICMP echo: the identifier; else 0
	__u16 dport;
	__u8 protocol;
	__u8 family;      // 4 or 6
	__u8 verdict;     // CALI_ACT_ALLOW, CALI_ACT_DENY, or 0: a broken table (dropped)
	__u8 direction;   // CALI_FL_*
	__u32 ifindex;    // the endpoint's interface (whose policy decided)
	__u32 table;      // the rule table walked (0: none, which denies)
	__u32 rule;       // the index of the rule that decided
	__u32 ip_len;     // the packet's IP length
	__u32 pad;
	__u64 time_ns;    // bpf_ktime_get_ns
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cali_fl_config);
} cali_fl_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); // 1 MiB: about 13,000 events between two reads
} cali_flowlog SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, struct cali_ct_key);
	__type(value, struct cali_fl_counters);
} cali_ct_fl SEC(".maps");
// ---- Local workloads' own addresses: address -> the host-side ifindex of the workload it is assigned to ----------
// Written by calico-node (every local workload endpoint's /32 and /128 on an interface that exists), so a new flow's
// first packet learns without a FIB lookup whether its destination is a local workload (whose ingress policy it then
// meets at once) and whether its source is the sending workload's own (the strict source check). Key: struct
// cali_host_ip_key (family, address). An address not listed (a wider ipNetwork, a map not yet written) takes the FIB.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct cali_host_ip_key);
	__type(value, __u32);
} cali_wl_ips SEC(".maps");

// ---- NAT outgoing in BPF (issue 18, session 7): see docs/bpf.md, "NAT outgoing in BPF" ------------------------------
// calico_from_wl marks a new flow from a natOutgoing pool (cali_nat_pools) to outside every pool whose route leaves
// through a data interface with a NAT address (cali_snat); the flag in its cali_ct entry marks its later packets. The
// table notracks marked packets (raw-PREROUTING), so the kernel neither tracks nor masquerades the flow, and
// calico_to_data (tc egress of that interface) rewrites the source; calico_from_data reverses the replies and marks
// them too. RenderConfig.BpfNatMark holds the same bit.
#define CALI_MARK_BPF_NAT 0x80000u

// Written by calico-node only while the fast paths are on (no host endpoint) and BPF NAT applies: each data interface
// (matching iptablesNATOutgoingInterfaceFilter) with the address its traffic leaves from, per family (IPv4:
// natOutgoingAddress, else the interface's first IPv4 address; IPv6: the interface's first global IPv6 address) and
// the port range a colliding flow is given (natPortRange, else bpfPSNATPorts).
struct cali_snat_key {
	__u32 ifindex;
	__u32 family; // 4 or 6
};

struct cali_snat_value {
	__u8 addr[16];   // IPv4 in the first 4 bytes, the rest zero
	__u16 port_min;  // host order
	__u16 port_max;
	__u32 pad;
};

// One LRU hash for both directions: forward {pod, remote} -> (NAT address, NAT port), reverse {NAT address:port,
// remote} -> (pod address, pod port). ICMP echo: the identifier is the port on both sides (as in cali_ct_key).
struct cali_nat_key {
	__u8 addr_a[16]; // forward: the pod; reverse: the NAT address
	__u8 addr_b[16]; // the remote end
	__u16 port_a_be;
	__u16 port_b_be;
	__u8 protocol;
	__u8 family;     // 4 or 6
	__u8 reverse;    // 0 forward, 1 reverse
	__u8 pad;
};

struct cali_nat_value {
	__u8 addr[16];   // forward: the NAT address; reverse: the pod's
	__u16 port_be;   // forward: the NAT port; reverse: the pod's
	__u16 pad;
	__u32 ifindex;   // the data interface the flow leaves through
	__u64 last_seen_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct cali_snat_key);
	__type(value, struct cali_snat_value);
} cali_snat SEC(".maps");

// The natOutgoing pools (key as cali_pools'), written with cali_snat: empty while BPF NAT is off.
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC); // required for LPM tries
	__type(key, struct cali_pool_key);
	__type(value, __u32);
} cali_nat_pools SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 131072); // two entries a flow: 65,536 NATed flows
	__type(key, struct cali_nat_key);
	__type(value, struct cali_nat_value);
} cali_nat SEC(".maps");

// ---- Verdict cache (issue 18, session 8): a new flow's rule walk, remembered -------------------------------------
// A new flow's verdict depends only on its table and the packet's addresses, protocol, destination port and ICMP
// type/code (and source port, for a table with rules on it), plus the contents of the policy maps. So the walk's
// outcome is kept in cali_verdicts under exactly those fields and reused by the next new flow with the same ones (a
// client opening connection after connection to one server and port walks the table once). Each entry carries
// the policy generation it was computed under (cali_gen: calico-node makes it odd before writing to cali_rules,
// cali_ipsets, cali_runs, cali_run_ports or cali_eps, and even after): an entry of another generation is a miss.
// Generation 0 (no calico-node wrote one: tests that write the maps by hand) or odd (a write under way, or left
// half-done by a killed agent) turns the cache off. A walk that counted more rules than an
// entry holds, or that ended on a broken table, is not kept. A hit counts the
// rules the walk counted, so per-rule counters read the same. See docs/bpf.md, "Verdict cache".
#define CALI_VERDICT_COUNTED 4

struct cali_verdict_key {
	__u32 table;
	__u8 family;
	__u8 protocol;
	__u8 icmp_type;
	__u8 icmp_code;
	__u16 sport; // 0 unless the table has rules on the source port (CALI_EP_*_SPORT)
	__u16 dport;
	__u8 has_ports;
	__u8 is_icmp;
	__u8 pad[2];
	__u8 src[16];
	__u8 dst[16];
};

struct cali_verdict_value {
	__u64 generation;
	__u32 verdict; // CALI_ACT_ALLOW or CALI_ACT_DENY
	__u32 index;   // the rule that decided
	__u32 n_counted;
	__u32 counted[CALI_VERDICT_COUNTED]; // the rules the walk counted (table: the key's), in order
	__u32 pad;
};

// The rule walk's notes for the verdict cache, per CPU (a walk runs on one CPU, start to end): the rules it counted.
struct cali_walk_notes {
	__u32 n_counted; // > CALI_VERDICT_COUNTED: more than an entry holds (not kept)
	__u32 counted[CALI_VERDICT_COUNTED];
};

struct cali_gen {
	__u64 policy; // even: moved on by calico-node around each write to a map the walk reads; 0 or odd: no cache
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32768);
	__type(key, struct cali_verdict_key);
	__type(value, struct cali_verdict_value);
} cali_verdicts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cali_gen);
} cali_gen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cali_walk_notes);
} cali_walk_notes SEC(".maps");

// ---- IP fragments (issue 18, session 8) ----------------------------------------------------------------------------
// Only an IP datagram's first fragment carries its transport header. Its ports (or ICMP type, code and echo
// identifier) are kept here under the datagram's addresses, protocol and IP identification, and every later fragment
// of it takes them: conntrack finds its flow, policy sees its ports, NAT outgoing rewrites its address as the
// first's. A later fragment arriving before its first fragment finds nothing and goes on without ports (as before).
struct cali_frag_key {
	__u8 family;
	__u8 protocol;
	__u16 pad;
	__u32 id; // IPv4's 16-bit identification, or the IPv6 fragment header's 32 bits
	__u8 src[16];
	__u8 dst[16];
};

struct cali_frag_value {
	__u16 sport;
	__u16 dport;
	__u8 has_ports;
	__u8 is_icmp;
	__u8 icmp_type;
	__u8 icmp_code;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct cali_frag_key);
	__type(value, struct cali_frag_value);
} cali_frags SEC(".maps");

#endif
