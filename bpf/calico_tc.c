// SPDX-License-Identifier: GPL-2.0
// The workload datapath: tc programs on a workload's host-side veth. tc ingress there sees traffic FROM the workload
// (the endpoint's egress policy: calico_from_wl), tc egress sees traffic TO it (ingress policy: calico_to_wl).
// Conntrack first: a packet of a flow this hook already allowed (or its reply) passes without policy; a new flow is
// evaluated against the endpoint's rule table (policy as data: see docs/bpf.md, "Datapath"), and an Allow creates
// the conntrack entry. IPv4 and IPv6 (up to 4 extension headers; more is dropped); other EtherTypes (ARP) pass.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "calico_maps.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

// linux/icmp.h pulls in glibc's socket headers, which -target bpf cannot take: the part we read.
struct cali_icmphdr {
	__u8 type;
	__u8 code;
	__u16 checksum;
	__be16 id;       // echo request and reply only
	__be16 sequence;
};

#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_SOURCE_QUENCH 4
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12

#define ICMPV6_DEST_UNREACH 1 // 1-4: the errors (unreachable, packet too big, time exceeded, parameter problem)
#define ICMPV6_PARAMPROB 4
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129
#define ICMPV6_MLD_FIRST 130 // 130-132 MLD, 133 router solicitation, 135/136 neighbour solicitation/advertisement
#define ICMPV6_ROUTER_SOLICIT 133
#define ICMPV6_NEIGH_SOLICIT 135
#define ICMPV6_NEIGH_ADVERT 136

#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_DEST 60

// The parsed packet: what policy and conntrack read.
struct cali_pkt {
	__u8 src[16];
	__u8 dst[16];
	__u16 sport;     // host order; for ICMP echo the identifier, else 0
	__u16 dport;
	__u8 protocol;
	__u8 family;
	__u8 has_ports;  // TCP, UDP, SCTP, UDP-Lite: the port matches apply
	__u8 is_icmp;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 tcp_flags;  // TCP: FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10
	__u8 related;    // an ICMP error quoting a packet: inner_* hold that packet's flow
	__u32 len;
	__u8 inner_src[16];
	__u8 inner_dst[16];
	__u16 inner_sport;
	__u16 inner_dport;
	__u8 inner_protocol;
	__u8 later_fragment; // an IP fragment after the first: no transport header here, its fields from the first (cali_frags)
	__u8 inner_pad[2];
};

#define TCP_FIN 0x01
#define TCP_RST 0x04
#define TCP_SYN 0x02
#define TCP_ACK 0x10

// A packet and where its rule table walk ended (policy_allows).
struct cali_eval {
	struct cali_pkt pkt;
	__u32 table;
	__u32 index;   // the rule to look at next
	__u32 verdict; // 0 while undecided, then CALI_ACT_ALLOW or CALI_ACT_DENY
	__u32 reason;  // why undecided ended badly (CALI_REASON_BAD_TABLE)
};

// One rule table walk (bpf_loop's context, on policy_allows's stack): the packet by pointer, so the frames of the walk's
// caller, policy_allows and the callback stay well within the 512 bytes they share.
struct cali_walk {
	const struct cali_pkt *pkt;
	__u32 table;
	__u32 index;   // the rule to look at next
	__u32 verdict; // 0 while undecided, then CALI_ACT_ALLOW or CALI_ACT_DENY
	__u32 reason;  // why undecided ended badly (CALI_REASON_BAD_TABLE)
};

static __always_inline void count(void *map, void *key, __u32 len)
{
	struct cali_counter *c = bpf_map_lookup_elem(map, key);
	if (c) {
		__sync_fetch_and_add(&c->packets, 1);
		__sync_fetch_and_add(&c->bytes, len);
		return;
	}
	struct cali_counter fresh = { .packets = 1, .bytes = len };
	bpf_map_update_elem(map, key, &fresh, BPF_NOEXIST);
}

static __always_inline void count_reason(__u32 reason, __u32 len)
{
	count(&cali_reasons, &reason, len);
}

static __always_inline int in_set(__u32 set, const struct cali_pkt *p, const __u8 *addr)
{
	struct cali_ipset_key key = {
		.prefixlen = CALI_IPSET_PREFIX_BASE + (p->family == 4 ? 32 : 128),
		.set = set,
		.family = p->family,
	};
	__builtin_memcpy(key.addr, addr, 16);
	return bpf_map_lookup_elem(&cali_ipsets, &key) != NULL;
}

static __always_inline int in_ranges(const struct cali_port_range *ranges, __u8 n, __u16 port)
{
	for (int k = 0; k < CALI_RULE_PORTS; k++) {
		if (k < n && port >= ranges[k].first && port <= ranges[k].last)
			return 1;
	}
	return 0;
}

static __always_inline int sets_hold(const __u32 *sets, const struct cali_pkt *p, const __u8 *addr, int want)
{
	for (int k = 0; k < CALI_RULE_SETS; k++) {
		if (sets[k] && in_set(sets[k], p, addr) != want)
			return 0;
	}
	return 1;
}

// A merged run: the longest prefix of the remote address under the packet's protocol, with its destination port in
// the entry's port set (0: any); else, when the run has any, the longest under CALI_RUN_ANY_PROTO.
static __always_inline int run_matches(const struct cali_rule *r, const struct cali_pkt *p)
{
	struct cali_run_key key = {
		.prefixlen = CALI_RUN_PREFIX_BASE + (p->family == 4 ? 32 : 128),
		.run = r->run,
		.protocol = p->protocol,
		.family = p->family,
	};
	__builtin_memcpy(key.addr, (r->flags & CALI_RF_RUN_DST) ? p->dst : p->src, 16);
	struct cali_run_value *v = bpf_map_lookup_elem(&cali_runs, &key);
	if (v) {
		if (!v->port_set)
			return 1;
		if (p->has_ports) {
			struct cali_run_port_key word = { .set = v->port_set, .word = p->dport >> 6 };
			__u64 *bits = bpf_map_lookup_elem(&cali_run_ports, &word);
			if (bits && (*bits >> (p->dport & 63)) & 1)
				return 1;
		}
	}
	if (!(r->flags & CALI_RF_RUN_ANY_PROTO))
		return 0;
	key.protocol = CALI_RUN_ANY_PROTO;
	return bpf_map_lookup_elem(&cali_runs, &key) != NULL;
}

static __always_inline int rule_matches(const struct cali_rule *r, const struct cali_pkt *p)
{
	if (r->flags & CALI_RF_RUN)
		return run_matches(r, p);
	if (r->ip_version && r->ip_version != p->family)
		return 0;
	if ((r->flags & CALI_RF_PROTO) && p->protocol != r->protocol)
		return 0;
	if ((r->flags & CALI_RF_NOT_PROTO) && p->protocol == r->not_protocol)
		return 0;
	if (!sets_hold(r->src_sets, p, p->src, 1) || !sets_hold(r->not_src_sets, p, p->src, 0))
		return 0;
	if (!sets_hold(r->dst_sets, p, p->dst, 1) || !sets_hold(r->not_dst_sets, p, p->dst, 0))
		return 0;
	if (r->n_src_ports && (!p->has_ports || !in_ranges(r->src_ports, r->n_src_ports, p->sport)))
		return 0;
	if (r->n_dst_ports && (!p->has_ports || !in_ranges(r->dst_ports, r->n_dst_ports, p->dport)))
		return 0;
	if (p->has_ports && r->n_not_src_ports && in_ranges(r->not_src_ports, r->n_not_src_ports, p->sport))
		return 0;
	if (p->has_ports && r->n_not_dst_ports && in_ranges(r->not_dst_ports, r->n_not_dst_ports, p->dport))
		return 0;
	if ((r->flags & CALI_RF_ICMP_TYPE) && (!p->is_icmp || p->icmp_type != r->icmp_type))
		return 0;
	if ((r->flags & CALI_RF_ICMP_CODE) && (!p->is_icmp || p->icmp_code != r->icmp_code))
		return 0;
	if ((r->flags & CALI_RF_NOT_ICMP_TYPE) && p->is_icmp && p->icmp_type == r->not_icmp_type &&
	    (!(r->flags & CALI_RF_NOT_ICMP_CODE) || p->icmp_code == r->not_icmp_code))
		return 0;
	return 1;
}

// A matched rule's counter, and the rule noted for the verdict cache (a hit counts the same rules again) in this CPU's
// cali_walk_notes: a map, not struct cali_walk on the stack, whose every byte the verifier tracks exactly (a count
// there multiplied the states it explores through the rule callback past its 1,000,000 instructions).
static __always_inline void walk_count(struct cali_walk *e, struct cali_rule_key *key)
{
	count(&cali_counters, key, e->pkt->len);
	__u32 zero = 0;
	struct cali_walk_notes *notes = bpf_map_lookup_elem(&cali_walk_notes, &zero);
	if (!notes)
		return;
	__u32 n = notes->n_counted;
	if (n < CALI_VERDICT_COUNTED)
		notes->counted[n] = key->index;
	if (n <= CALI_VERDICT_COUNTED)
		notes->n_counted = n + 1;
}

// bpf_loop's callback: one rule. Returns 1 to stop the walk.
static long eval_rule(__u32 iteration, void *data)
{
	struct cali_walk *e = data;
	struct cali_rule_key key = { .table = e->table, .index = e->index };
	struct cali_rule *r = bpf_map_lookup_elem(&cali_rules, &key);
	if (!r) {
		e->reason = CALI_REASON_BAD_TABLE; // ran off the table: every table ends with a verdict
		return 1;
	}

	int matched = rule_matches(r, e->pkt);
	switch (r->action) {
	case CALI_ACT_ALLOW:
	case CALI_ACT_DENY:
		if (matched) {
			walk_count(e, &key);
			e->verdict = r->action;
			return 1;
		}
		break;
	case CALI_ACT_LOG:
		if (matched)
			walk_count(e, &key);
		break;
	case CALI_ACT_GOTO:
		if (matched) {
			walk_count(e, &key);
			if (r->jump <= e->index) {
				e->reason = CALI_REASON_BAD_TABLE; // jumps only go forward, so the walk ends
				return 1;
			}
			e->index = r->jump;
			return 0;
		}
		break;
	case CALI_ACT_NEXT:
		if (!matched) {
			if (r->jump <= e->index) {
				e->reason = CALI_REASON_BAD_TABLE;
				return 1;
			}
			e->index = r->jump;
			return 0;
		}
		break;
	default:
		e->reason = CALI_REASON_BAD_TABLE;
		return 1;
	}
	e->index++;
	return 0;
}

// The quoted packet's transport part, after its IP header at l4 (protocol `protocol`): its ports, or an ICMP echo's
// identifier (echo type `echo`/`echo_reply` of the quoting family), into p's inner_* fields; p->related = 1 when
// whole. A quoted echo of another type, or one cut short: not related (policy decides).
static __always_inline void parse_quoted_l4(struct cali_pkt *p, __u8 protocol, void *l4, void *end, __u8 echo_proto,
					    __u8 echo, __u8 echo_reply)
{
	__u16 *ports = l4;
	if ((void *)(ports + 2) > end)
		return;
	p->inner_protocol = protocol;
	switch (protocol) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
		p->inner_sport = bpf_ntohs(ports[0]);
		p->inner_dport = bpf_ntohs(ports[1]);
		break;
	default:
		if (protocol == echo_proto) {
			struct cali_icmphdr *icmp = l4;
			if ((void *)(icmp + 1) > end || (icmp->type != echo && icmp->type != echo_reply))
				return;
			p->inner_sport = bpf_ntohs(icmp->id);
			p->inner_dport = p->inner_sport;
		}
		break;
	}
	p->related = 1;
}

// An ICMP error quotes the IP header and the first 8 bytes of the packet it is about: that packet's flow, if whole.
static __always_inline void parse_quoted(struct cali_pkt *p, void *inner, void *end)
{
	struct iphdr *ip = inner;
	if ((void *)(ip + 1) > end || ip->ihl != 5)
		return; // options in the quoted header: not related (policy decides)
	__builtin_memcpy(p->inner_src, &ip->saddr, 4);
	__builtin_memcpy(p->inner_dst, &ip->daddr, 4);
	parse_quoted_l4(p, ip->protocol, ip + 1, end, IPPROTO_ICMP, ICMP_ECHO, ICMP_ECHOREPLY);
}

// ICMPv6's errors quote the IPv6 header and as much of the packet as fits: that packet's flow, when the transport
// header follows the fixed header directly (a quoted extension header: not related, policy decides).
static __always_inline void parse_quoted6(struct cali_pkt *p, void *inner, void *end)
{
	struct ipv6hdr *ip6 = inner;
	if ((void *)(ip6 + 1) > end)
		return;
	__builtin_memcpy(p->inner_src, &ip6->saddr, 16);
	__builtin_memcpy(p->inner_dst, &ip6->daddr, 16);
	parse_quoted_l4(p, ip6->nexthdr, ip6 + 1, end, IPPROTO_ICMPV6, ICMPV6_ECHO_REQUEST, ICMPV6_ECHO_REPLY);
}

// The transport header at l4: ports (TCP, UDP, UDP-Lite, SCTP), or ICMP/ICMPv6 type and code. 1, or -1 if truncated.
static __always_inline int parse_l4(struct cali_pkt *p, void *l4, void *end)
{
	switch (p->protocol) {
	case IPPROTO_TCP: {
		struct tcphdr *tcp = l4;
		if ((void *)(tcp + 1) > end)
			return -1;
		p->sport = bpf_ntohs(tcp->source);
		p->dport = bpf_ntohs(tcp->dest);
		p->tcp_flags = ((__u8 *)tcp)[13];
		p->has_ports = 1;
		break;
	}
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP: { // UDP's and SCTP's ports are the first four bytes alike
		struct udphdr *udp = l4;
		if ((void *)(udp + 1) > end)
			return -1;
		p->sport = bpf_ntohs(udp->source);
		p->dport = bpf_ntohs(udp->dest);
		p->has_ports = 1;
		break;
	}
	case IPPROTO_ICMP: {
		struct cali_icmphdr *icmp = l4;
		if ((void *)(icmp + 1) > end)
			return -1;
		p->is_icmp = 1;
		p->icmp_type = icmp->type;
		p->icmp_code = icmp->code;
		if (icmp->type == ICMP_ECHO || icmp->type == ICMP_ECHOREPLY) {
			// The identifier ties a request to its reply: conntrack keys on it (both "ports").
			p->sport = bpf_ntohs(icmp->id);
			p->dport = p->sport;
		} else if (icmp->type == ICMP_DEST_UNREACH || icmp->type == ICMP_TIME_EXCEEDED ||
			   icmp->type == ICMP_PARAMETERPROB || icmp->type == ICMP_SOURCE_QUENCH) {
			parse_quoted(p, (void *)(icmp + 1), end);
		}
		break;
	}
	case IPPROTO_ICMPV6: {
		struct cali_icmphdr *icmp = l4;
		if ((void *)(icmp + 1) > end)
			return -1;
		p->is_icmp = 1;
		p->icmp_type = icmp->type;
		p->icmp_code = icmp->code;
		if (icmp->type == ICMPV6_ECHO_REQUEST || icmp->type == ICMPV6_ECHO_REPLY) {
			p->sport = bpf_ntohs(icmp->id);
			p->dport = p->sport;
		} else if (icmp->type >= ICMPV6_DEST_UNREACH && icmp->type <= ICMPV6_PARAMPROB) {
			parse_quoted6(p, (void *)(icmp + 1), end);
		}
		break;
	}
	}
	return 1;
}

// IP fragments (see cali_frags): a first fragment's transport fields recorded (`first`), or a later fragment's taken
// from its first's (p->later_fragment set; nothing recorded: left as they were, no ports). A global function: the
// parser's every caller verifies one call, not the map work.
__attribute__((noinline)) int frag_fields(struct cali_pkt *p, __u32 id, __u32 first)
{
	if (!p)
		return 0;
	struct cali_frag_key k = { .family = p->family, .protocol = p->protocol, .id = id };
	__builtin_memcpy(k.src, p->src, 16);
	__builtin_memcpy(k.dst, p->dst, 16);
	if (first) {
		struct cali_frag_value v = {
			.sport = p->sport,
			.dport = p->dport,
			.has_ports = p->has_ports,
			.is_icmp = p->is_icmp,
			.icmp_type = p->icmp_type,
			.icmp_code = p->icmp_code,
		};
		bpf_map_update_elem(&cali_frags, &k, &v, BPF_ANY);
		return 0;
	}
	struct cali_frag_value *v = bpf_map_lookup_elem(&cali_frags, &k);
	if (!v)
		return 0;
	p->sport = v->sport;
	p->dport = v->dport;
	p->has_ports = v->has_ports;
	p->is_icmp = v->is_icmp;
	p->icmp_type = v->icmp_type;
	p->icmp_code = v->icmp_code;
	p->later_fragment = 1;
	return 1;
}

// IPv6: the fixed header, then up to CALI_V6_EXT_MAX extension headers (hop-by-hop, routing, destination options,
// fragment) to the transport header. 1, or -1 (truncated, or more extension headers than we walk: fail closed).
#define CALI_V6_EXT_MAX 4
static __always_inline int parse_ipv6(struct __sk_buff *skb, struct cali_pkt *p, void *l3, void *end)
{
	struct ipv6hdr *ip6 = l3;
	if ((void *)(ip6 + 1) > end)
		return -1;
	p->family = 6;
	p->len = skb->len;
	__builtin_memcpy(p->src, &ip6->saddr, 16);
	__builtin_memcpy(p->dst, &ip6->daddr, 16);
	__u8 next = ip6->nexthdr;
	void *cursor = ip6 + 1;
	__u32 frag_id = 0;
	int first_fragment = 0;
	for (int i = 0; i < CALI_V6_EXT_MAX; i++) {
		if (next != NEXTHDR_HOP && next != NEXTHDR_ROUTING && next != NEXTHDR_DEST && next != NEXTHDR_FRAGMENT)
			break;
		__u8 *ext = cursor;
		if ((void *)(ext + 8) > end)
			return -1;
		if (next == NEXTHDR_FRAGMENT) {
			// A later fragment carries no transport header: its fields from its first fragment (frag_fields), else
			// ports absent, as IPv4's. A first fragment with more to come records its own.
			__u16 offset = bpf_ntohs(*(__u16 *)(ext + 2));
			next = ext[0];
			cursor = ext + 8;
			frag_id = *(__u32 *)(ext + 4);
			if (offset & 0xfff8) {
				p->protocol = next;
				frag_fields(p, frag_id, 0);
				return 1;
			}
			first_fragment = offset & 1;
			continue;
		}
		next = ext[0];
		cursor = ext + (ext[1] + 1) * 8;
	}
	if (next == NEXTHDR_HOP || next == NEXTHDR_ROUTING || next == NEXTHDR_DEST || next == NEXTHDR_FRAGMENT)
		return -1;
	p->protocol = next;
	int parsed = parse_l4(p, cursor, end);
	if (parsed > 0 && first_fragment)
		frag_fields(p, frag_id, 1);
	return parsed;
}

// Returns 1 with *p filled for IPv4 and IPv6, 0 for a frame that is not IP (pass), -1 to drop (truncated).
static __always_inline int parse(struct __sk_buff *skb, struct cali_pkt *p)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return -1;
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(skb, p, eth + 1, end);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;

	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->ihl < 5)
		return -1;
	p->family = 4;
	p->protocol = ip->protocol;
	p->len = skb->len;
	__builtin_memcpy(p->src, &ip->saddr, 4);
	__builtin_memcpy(p->dst, &ip->daddr, 4);

	// A later fragment has no L4 header: its fields from its first fragment (frag_fields), else its ports read as
	// absent (rules with ports do not match it). A first fragment with more to come (MF) records its own.
	if (ip->frag_off & bpf_htons(0x1fff)) {
		frag_fields(p, ip->id, 0);
		return 1;
	}
	int parsed = parse_l4(p, (void *)ip + ip->ihl * 4, end);
	if (parsed > 0 && (ip->frag_off & bpf_htons(0x2000)))
		frag_fields(p, ip->id, 1);
	return parsed;
}

// The normalised key of the flow (src:sport -> dst:dport); *src_is_lo is 1 when src:sport is the key's lo side.
static __always_inline void ct_key_of(const __u8 *src, __u16 sport, const __u8 *dst, __u16 dport, __u8 protocol,
				      __u8 family, struct cali_ct_key *k, int *src_is_lo)
{
	int lo = 1;
	for (int i = 0; i < 16; i++) {
		if (src[i] != dst[i]) {
			lo = src[i] < dst[i];
			goto decided;
		}
	}
	lo = sport <= dport;
decided:
	if (lo) {
		__builtin_memcpy(k->addr_lo, src, 16);
		__builtin_memcpy(k->addr_hi, dst, 16);
		k->port_lo_be = bpf_htons(sport);
		k->port_hi_be = bpf_htons(dport);
	} else {
		__builtin_memcpy(k->addr_lo, dst, 16);
		__builtin_memcpy(k->addr_hi, src, 16);
		k->port_lo_be = bpf_htons(dport);
		k->port_hi_be = bpf_htons(sport);
	}
	k->protocol = protocol;
	k->family = family;
	*src_is_lo = lo;
}

// Idle timeouts (upstream's BPF conntrack defaults): an entry idle longer no longer allows anything; the next packet
// is a new flow again (policy decides) and replaces it. The LRU evicts idle entries only under pressure.
#define SEC_NS 1000000000ull
#define CALI_CT_TOUCH_NS (SEC_NS / 10)

// CLOCK_MONOTONIC at the last tick (bpf_ktime_get_coarse_ns): timeouts are seconds and entries are touched every 0.1 s,
// so a tick's resolution is plenty, and it is a memory read where the precise clock reads the (here paravirtual)
// clocksource on every packet. calico-node writes the precise clock (picked-up connections), up to a tick ahead of
// this one: elapsed times are taken with cali_since, never below 0.
static __always_inline __u64 cali_now(void)
{
	return bpf_ktime_get_coarse_ns();
}

static __always_inline __u64 cali_since(__u64 now, __u64 then)
{
	return now > then ? now - then : 0;
}

static __always_inline int ct_expired(const struct cali_ct_value *v, __u8 protocol, __u64 now)
{
	__u64 idle = cali_since(now, v->last_seen_ns);
	switch (protocol) {
	case IPPROTO_TCP:
		return idle > (v->state == CALI_CT_NEW ? 20 * SEC_NS : v->state == CALI_CT_CLOSING ? 30 * SEC_NS : 3600 * SEC_NS);
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		return idle > 60 * SEC_NS;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return idle > 5 * SEC_NS;
	default:
		return idle > 600 * SEC_NS;
	}
}

// An ICMP error about a flow this hook took part in passes like nft's "related": its policy decided that flow already.
static __always_inline int related_allowed(const struct cali_pkt *p, __u32 ifindex)
{
	if (!p->related)
		return 0;
	struct cali_ct_key key = {};
	int unused;
	ct_key_of(p->inner_src, p->inner_sport, p->inner_dst, p->inner_dport, p->inner_protocol, p->family, &key, &unused);
	struct cali_ct_value *v = bpf_map_lookup_elem(&cali_ct, &key);
	return v && !ct_expired(v, p->inner_protocol, cali_now()) &&
	       (v->egress_approved_ifindex == ifindex || v->ingress_approved_ifindex == ifindex);
}

#define CALI_CT_F_NEEDS_INGRESS 0x1 // opened towards a local workload: complete once its ingress policy allowed it
#define CALI_CT_F_KERNEL_NAT 0x2    // the kernel DNATs it (seen by CALI_MARK_KERNEL_NAT): replies take the stack, tracked

// Whether conntrack allows this packet at this hook without policy (see struct cali_ct_value).
static __always_inline int ct_allows(const struct cali_ct_value *v, int original, int from_wl, __u32 ifindex)
{
	int complete = !(v->flags & CALI_CT_F_NEEDS_INGRESS) || v->ingress_approved_ifindex != 0;
	if (original)
		return from_wl ? v->egress_approved_ifindex == ifindex : v->ingress_approved_ifindex == ifindex;
	// A reply crosses the hooks of the opening direction mirrored: from-workload mirrors to-workload.
	return complete && (from_wl ? v->ingress_approved_ifindex == ifindex : v->egress_approved_ifindex == ifindex);
}

static __always_inline int is_host_ip(const struct cali_pkt *p, const __u8 *addr)
{
	struct cali_host_ip_key key = { .family = p->family };
	__builtin_memcpy(key.addr, addr, 16);
	return bpf_map_lookup_elem(&cali_host_ips, &key) != NULL;
}

// IPv6 link-local (fe80::/10): never forwarded, so to or from the host itself.
static __always_inline int link_local6(const __u8 *addr)
{
	return addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80;
}

// Host-bound: one of the host's addresses, the limited broadcast, multicast, or IPv6 link-local (none of which is
// forwarded from a workload).
static __always_inline int to_host(const struct cali_pkt *p)
{
	if (is_host_ip(p, p->dst))
		return 1;
	if (p->family == 6)
		return p->dst[0] == 0xff || link_local6(p->dst);
	return (p->dst[0] == 255 && p->dst[1] == 255 && p->dst[2] == 255 && p->dst[3] == 255) || (p->dst[0] & 0xf0) == 0xe0;
}

// From the host itself: one of its addresses, or an IPv6 link-local source (the host's, or a neighbour's on the veth).
static __always_inline int from_host(const struct cali_pkt *p)
{
	return is_host_ip(p, p->src) || (p->family == 6 && link_local6(p->src));
}

// Neighbour discovery and MLD between a workload and the host: accepted before policy, as nft's cali-wl-to-host.
static __always_inline int nd_or_mld(const struct cali_pkt *p)
{
	return p->family == 6 && p->protocol == IPPROTO_ICMPV6 &&
	       ((p->icmp_type >= ICMPV6_MLD_FIRST && p->icmp_type <= ICMPV6_ROUTER_SOLICIT) ||
		p->icmp_type == ICMPV6_NEIGH_SOLICIT || p->icmp_type == ICMPV6_NEIGH_ADVERT);
}

// The local workload interface the route to addr leaves through (a flow there meets its ingress policy too), or 0.
// Only SUCCESS says so: the FIB answers NOT_FWDED for local addresses and for lookup errors alike.
static __always_inline __u32 routed_to_workload_ep(struct __sk_buff *skb, __u8 family, const __u8 *addr,
						    struct cali_ep_value **ep)
{
	struct bpf_fib_lookup fib = {
		.family = family == 6 ? AF_INET6 : AF_INET,
		.ifindex = skb->ifindex,
	};
	if (family == 6)
		__builtin_memcpy(fib.ipv6_dst, addr, 16);
	else
		__builtin_memcpy(&fib.ipv4_dst, addr, 4);
	long rc = bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_SKIP_NEIGH);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH)
		return 0;
	struct cali_ep_key peer = { .ifindex = fib.ifindex };
	struct cali_ep_value *peer_ep = bpf_map_lookup_elem(&cali_eps, &peer);
	if (!peer_ep || !(peer_ep->flags & CALI_EP_WORKLOAD))
		return 0;
	*ep = peer_ep;
	return fib.ifindex;
}

// Strict reverse-path check of a workload's source: the route to it leaves through the interface it came in on. IPv6
// link-local sources (ND, MLD with the host) and the unspecified address (duplicate address detection) pass, as nft's.
static __always_inline int source_routed_here(struct __sk_buff *skb, const struct cali_pkt *p)
{
	if (p->family == 6) {
		if (link_local6(p->src))
			return 1;
		__u64 *halves = (__u64 *)p->src;
		if (halves[0] == 0 && halves[1] == 0)
			return 1;
	}
	struct bpf_fib_lookup fib = {
		.family = p->family == 6 ? AF_INET6 : AF_INET,
		.ifindex = skb->ifindex,
	};
	if (p->family == 6)
		__builtin_memcpy(fib.ipv6_dst, p->src, 16);
	else
		__builtin_memcpy(&fib.ipv4_dst, p->src, 4);
	long rc = bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_SKIP_NEIGH);
	return (rc == BPF_FIB_LKUP_RET_SUCCESS || rc == BPF_FIB_LKUP_RET_NO_NEIGH) && fib.ifindex == skb->ifindex;
}

// A source the workload may send from although it is not routed to it: its allowSpoofedSourcePrefixes.
static __always_inline int spoof_allowed(__u32 ifindex, const struct cali_pkt *p)
{
	struct cali_spoof_key key = {
		.prefixlen = CALI_SPOOF_PREFIX_BASE + (p->family == 4 ? 32 : 128),
		.ifindex = ifindex,
		.family = p->family,
	};
	__builtin_memcpy(key.addr, p->src, 16);
	return bpf_map_lookup_elem(&cali_spoof, &key) != NULL;
}

static __always_inline int ct_approve(const struct cali_ct_key *key, int src_is_lo, int from_wl, __u32 ifindex,
				      __u16 flags)
{
	struct cali_ct_value *v = bpf_map_lookup_elem(&cali_ct, key);
	__u64 now = cali_now();
	if (v) {
		// Only an opening-direction packet approves (replies are decided by the opening direction's approvals).
		int original = (v->opener == CALI_CT_OPENER_LO) == src_is_lo;
		if (original) {
			if (from_wl)
				v->egress_approved_ifindex = ifindex;
			else
				v->ingress_approved_ifindex = ifindex;
		}
		v->last_seen_ns = now;
		return 0;
	}
	struct cali_ct_value fresh = {
		.created_ns = now,
		.last_seen_ns = now,
		.state = CALI_CT_NEW,
		.opener = src_is_lo ? CALI_CT_OPENER_LO : CALI_CT_OPENER_HI,
		.flags = flags,
	};
	if (from_wl)
		fresh.egress_approved_ifindex = ifindex;
	else
		fresh.ingress_approved_ifindex = ifindex;
	return bpf_map_update_elem(&cali_ct, key, &fresh, BPF_NOEXIST);
}

// Remembers a workload's MAC (the fast path's destination MAC towards it), a write only on a change: from what it
// sends (from-workload: the source MAC) and from what the stack delivers to it (to-workload: the destination MAC,
// from the host's neighbour entry), so a flow's first packets through the stack teach both ends.
static __always_inline void learn_mac(struct __sk_buff *skb, __u32 ifindex, int from_wl)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return;
	const __u8 *mac = from_wl ? eth->h_source : eth->h_dest;
	if (mac[0] & 1)
		return; // multicast or broadcast: not the workload's own
	struct cali_wl_mac *known = bpf_map_lookup_elem(&cali_wl_macs, &ifindex);
	if (known && *(__u32 *)known->addr == *(__u32 *)mac && *(__u16 *)(known->addr + 4) == *(__u16 *)(mac + 4))
		return;
	struct cali_wl_mac fresh = {};
	__builtin_memcpy(fresh.addr, mac, 6);
	bpf_map_update_elem(&cali_wl_macs, &ifindex, &fresh, BPF_ANY);
}

// The workload end of a host-side veth as the stack's forwarding would deliver to it: TTL (hop limit) one less, the
// host's MAC as source, the workload's as destination. Written to the packet only when the hand-over is possible; 0
// otherwise (the packet then takes the stack unchanged: an expiring TTL gets its ICMP error there).
#define CALI_HOST_MAC { 0xee, 0xee, 0xee, 0xee, 0xee, 0xee }
static __always_inline int rewrite_for_peer(struct __sk_buff *skb, __u8 family, __u32 target)
{
	struct cali_wl_mac *mac = bpf_map_lookup_elem(&cali_wl_macs, &target);
	if (!mac)
		return 0;
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return 0;
	if (family == 4) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end || ip->ttl <= 1)
			return 0;
		// The kernel's ip_decrease_ttl: the checksum's incremental update for the TTL byte one less.
		__u32 check = ip->check;
		check += bpf_htons(0x0100);
		ip->check = (__u16)(check + (check >= 0xFFFF));
		ip->ttl--;
	} else {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end || ip6->hop_limit <= 1)
			return 0;
		ip6->hop_limit--;
	}
	const __u8 host_mac[6] = CALI_HOST_MAC;
	__builtin_memcpy(eth->h_dest, mac->addr, 6);
	__builtin_memcpy(eth->h_source, host_mac, 6);
	return 1;
}

static __always_inline int in_pool(__u8 family, const __u8 *addr)
{
	struct cali_pool_key key = {
		.prefixlen = CALI_POOL_PREFIX_BASE + (family == 4 ? 32 : 128),
		.family = family,
	};
	__builtin_memcpy(key.addr, addr, 16);
	__u32 *fast = bpf_map_lookup_elem(&cali_pools, &key);
	return fast && *fast;
}

// The fast path: a packet of a flow between two local workloads whose policies both allowed it (the opener's egress
// and the other's ingress, both in the entry) goes straight into the other workload's namespace, skipping the host's
// routing, netfilter and the other veth's transmit. Its to-workload hook would only have found the same entry.
// Returns TC_ACT_REDIRECT, or -1 when the packet must take the stack (other end not a local workload, no MAC yet,
// TTL expiring).
static __always_inline int fast_path(struct __sk_buff *skb, const struct cali_ct_value *ct, int original, const struct cali_pkt *p)
{
	if (!(ct->flags & CALI_CT_F_NEEDS_INGRESS) || !ct->egress_approved_ifindex || !ct->ingress_approved_ifindex)
		return -1;
	if (!in_pool(p->family, p->dst))
		return -1; // no pools given (a host endpoint exists: the kernel tracks everything), or a floating IP
	// This hook is the opener's (original) or the other end's (reply): the target is the other one.
	__u32 target = original ? ct->ingress_approved_ifindex : ct->egress_approved_ifindex;
	if (target == skb->ifindex)
		return -1;
	struct cali_ep_key key = { .ifindex = target };
	struct cali_ep_value *ep = bpf_map_lookup_elem(&cali_eps, &key);
	if (!ep || !(ep->flags & CALI_EP_WORKLOAD))
		return -1;
	if (!rewrite_for_peer(skb, p->family, target))
		return -1;
	return bpf_redirect_peer(target, 0);
}

// A flow between two local workloads whose both policies this from-workload hook has just evaluated: the entry gets
// both approvals at once, as if the packet had crossed the other end's to-workload hook.
static __always_inline void ct_approve_ingress_too(const struct cali_ct_key *key, __u32 target)
{
	struct cali_ct_value *v = bpf_map_lookup_elem(&cali_ct, key);
	if (v)
		v->ingress_approved_ifindex = target;
}


// ct_approve for a new flow to another local workload whose ingress policy this hook evaluated too: the entry is
// created with both approvals in one write (no second lookup and update, as ct_approve then ct_approve_ingress_too
// did). An entry that exists, or one another CPU inserted meanwhile, gets both as before.
static __always_inline void ct_approve_both(const struct cali_ct_key *key, int src_is_lo, __u32 ifindex, __u32 target,
					    __u16 flags)
{
	struct cali_ct_value *v = bpf_map_lookup_elem(&cali_ct, key);
	__u64 now = cali_now();
	if (!v) {
		struct cali_ct_value fresh = {
			.created_ns = now,
			.last_seen_ns = now,
			.state = CALI_CT_NEW,
			.opener = src_is_lo ? CALI_CT_OPENER_LO : CALI_CT_OPENER_HI,
			.flags = flags,
			.egress_approved_ifindex = ifindex,
			.ingress_approved_ifindex = target,
		};
		if (bpf_map_update_elem(&cali_ct, key, &fresh, BPF_NOEXIST) == 0)
			return;
	}
	ct_approve(key, src_is_lo, 1, ifindex, flags);
	ct_approve_ingress_too(key, target);
}

// The host-side ifindex of the local workload whose own address addr is, as calico-node listed it (cali_wl_ips); 0 when
// not listed.
static __always_inline __u32 listed_workload(__u8 family, const __u8 *addr)
{
	struct cali_host_ip_key key = { .family = family };
	__builtin_memcpy(key.addr, addr, 16);
	__u32 *ifindex = bpf_map_lookup_elem(&cali_wl_ips, &key);
	return ifindex ? *ifindex : 0;
}

// routed_to_workload, answered by one hash lookup for a listed address (calico-node routes a local workload's address
// to its interface and lists it alike); anything else asks the FIB as before.
// *ep gets the interface's cali_eps entry, so a caller that needs it looks it up once.
static __always_inline __u32 local_workload_ep_of(struct __sk_buff *skb, __u8 family, const __u8 *addr,
						  struct cali_ep_value **ep)
{
	*ep = NULL;
	__u32 listed = listed_workload(family, addr);
	if (listed) {
		struct cali_ep_key peer = { .ifindex = listed };
		struct cali_ep_value *peer_ep = bpf_map_lookup_elem(&cali_eps, &peer);
		if (peer_ep && (peer_ep->flags & CALI_EP_WORKLOAD)) {
			*ep = peer_ep;
			return listed;
		}
	}
	return routed_to_workload_ep(skb, family, addr, ep);
}

static __always_inline __u32 local_workload_of(struct __sk_buff *skb, __u8 family, const __u8 *addr)
{
	struct cali_ep_value *ep;
	return local_workload_ep_of(skb, family, addr, &ep);
}

// The strict source check, passed at once when the source is listed as this interface's workload's own address (the
// route to it leaves here: calico-node wrote both); otherwise the FIB decides (source_routed_here).
static __always_inline int source_listed_or_routed_here(struct __sk_buff *skb, const struct cali_pkt *p)
{
	if (listed_workload(p->family, p->src) == skb->ifindex)
		return 1;
	return source_routed_here(skb, p);
}

// The fast path out of the host: an allowed packet from a local workload to a workload elsewhere (a pool address not
// routed to a local workload) leaves straight through the device the FIB names, with the neighbour's MAC: no
// routing or netfilter on this host (the table leaves such traffic untracked and unNATed anyway). Only where the FIB
// resolved an Ethernet neighbour (not IP-in-IP or WireGuard, which have none), and a packet within the route's MTU
// (a GSO packet: its segments are, the workload's MTU being the host's less any encapsulation). The uplink, or the
// VXLAN device, which encapsulates as for the stack. Returns TC_ACT_REDIRECT, or -1: take the stack.
static __always_inline int fast_path_out(struct __sk_buff *skb, const struct cali_pkt *p)
{
	if (!in_pool(p->family, p->dst))
		return -1;
	struct bpf_fib_lookup fib = {
		.family = p->family == 6 ? AF_INET6 : AF_INET,
		.ifindex = skb->ifindex,
	};
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return -1;
	if (p->family == 6) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end || ip6->hop_limit <= 1)
			return -1;
		__builtin_memcpy(fib.ipv6_src, &ip6->saddr, 16);
		__builtin_memcpy(fib.ipv6_dst, &ip6->daddr, 16);
		fib.l4_protocol = p->protocol;
		if (!skb->gso_size)
			fib.tot_len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
	} else {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end || ip->ttl <= 1)
			return -1;
		fib.ipv4_src = ip->saddr;
		fib.ipv4_dst = ip->daddr;
		fib.tos = ip->tos;
		fib.l4_protocol = ip->protocol;
		if (!skb->gso_size)
			fib.tot_len = bpf_ntohs(ip->tot_len);
	}
	long rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS || fib.ifindex == skb->ifindex)
		return -1;
	if (!(fib.dmac[0] | fib.dmac[1] | fib.dmac[2] | fib.dmac[3] | fib.dmac[4] | fib.dmac[5]))
		return -1; // a device without neighbours (IP-in-IP, WireGuard): its framing is not Ethernet's
	struct cali_ep_key out = { .ifindex = fib.ifindex };
	if (bpf_map_lookup_elem(&cali_eps, &out))
		return -1; // a workload (handled by the peer fast path) or a host endpoint (policed in the table)

	// The FIB lookup may have moved the packet: pointers again.
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	eth = data;
	if ((void *)(eth + 1) > end)
		return -1;
	if (p->family == 6) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return -1;
		ip6->hop_limit--;
	} else {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end)
			return -1;
		__u32 check = ip->check;
		check += bpf_htons(0x0100);
		ip->check = (__u16)(check + (check >= 0xFFFF));
		ip->ttl--;
	}
	__builtin_memcpy(eth->h_dest, fib.dmac, 6);
	__builtin_memcpy(eth->h_source, fib.smac, 6);
	return bpf_redirect(fib.ifindex, 0);
}

static __always_inline void ct_flag_kernel_nat(const struct cali_ct_key *key)
{
	struct cali_ct_value *v = bpf_map_lookup_elem(&cali_ct, key);
	if (v)
		v->flags |= CALI_CT_F_KERNEL_NAT;
}

// Walks rule table `table` (0: none, which denies) for e->pkt: 1 when it allows; 0 when it denies, or is broken.
// Either way counted in cali_reasons.
static __always_inline int table_allows(struct cali_walk *e, __u32 table)
{
	e->table = table;
	e->index = 0;
	e->verdict = 0;
	e->reason = 0;
	if (table)
		bpf_loop(CALI_MAX_RULES, eval_rule, e, 0);
	if (e->verdict != CALI_ACT_ALLOW) {
		count_reason(e->verdict == CALI_ACT_DENY ? CALI_REASON_POLICY_DENY : CALI_REASON_BAD_TABLE, e->pkt->len);
		return 0;
	}
	count_reason(CALI_REASON_POLICY_ALLOW, e->pkt->len);
	return 1;
}

// ---- Flow logs: verdict events and per-flow counters, only while calico-node's flow logs are on ----------------

static __always_inline __u32 fl_ip_len(__u32 len)
{
	return len > ETH_HLEN ? len - ETH_HLEN : len;
}

// A verdict event to calico-node's flow logs, when on; a full ring drops it, counted. A global function: the verifier
// checks it once, not on every path of handle() that reaches a verdict.
__attribute__((noinline)) int fl_emit(struct cali_flow_event *ev)
{
	__u32 zero = 0;
	struct cali_fl_config *c = bpf_map_lookup_elem(&cali_fl_cfg, &zero);
	if (!ev || !c || !c->enabled)
		return 0;
	ev->time_ns = cali_now();
	ev->ip_len = fl_ip_len(ev->ip_len); // skb->len: with the Ethernet header
	if (bpf_ringbuf_output(&cali_flowlog, ev, sizeof(*ev), 0))
		__sync_fetch_and_add(&c->lost, 1);
	return 0;
}

// A verdict as a flow-log event (fl_emit, when on): the endpoint `ifindex` whose egress (else ingress) policy, table
// e->table, decided at rule e->index; a Deny or a broken table (verdict 0) drops. Global, in a frame of its own beside
// the walk's (see policy_allows): checked once.
__attribute__((noinline)) int fl_verdict(const struct cali_eval *e, __u32 allowed, __u32 ifindex, __u32 egress)
{
	if (!e)
		return 0;
	struct cali_flow_event ev = {
		.sport = e->pkt.sport,
		.dport = e->pkt.dport,
		.protocol = e->pkt.protocol,
		.family = e->pkt.family,
		.verdict = allowed ? CALI_ACT_ALLOW : e->verdict,
		.direction = egress ? CALI_FL_EGRESS : CALI_FL_INGRESS,
		.ifindex = ifindex,
		.table = e->table,
		.rule = e->index,
		.ip_len = e->pkt.len,
	};
	__builtin_memcpy(ev.src, e->pkt.src, 16);
	__builtin_memcpy(ev.dst, e->pkt.dst, 16);
	return fl_emit(&ev);
}

// The verdict cache's key for e->pkt under `table` (see cali_verdicts in calico_maps.h): the source port only for a
// table with rules on it (`sport`: the endpoint's CALI_EP_*_SPORT flag).
static __always_inline void verdict_key_of(struct cali_verdict_key *k, const struct cali_pkt *p, __u32 table, __u32 sport)
{
	k->table = table;
	k->sport = sport ? p->sport : 0;
	k->family = p->family;
	k->protocol = p->protocol;
	k->icmp_type = p->icmp_type;
	k->icmp_code = p->icmp_code;
	k->dport = p->dport;
	k->has_ports = p->has_ports;
	k->is_icmp = p->is_icmp;
	__builtin_memcpy(k->src, p->src, 16);
	__builtin_memcpy(k->dst, p->dst, 16);
}

// The policy generation (cali_gen), or 0, which turns the cache off: calico-node never wrote one, or it is odd (a
// write to the walk's maps under way, or left half-done by a killed agent).
static __always_inline __u64 policy_generation(void)
{
	__u32 zero = 0;
	struct cali_gen *g = bpf_map_lookup_elem(&cali_gen, &zero);
	return g && !(g->policy & 1) ? g->policy : 0;
}

// A kept verdict of this generation for e->pkt under `table`, counted and noted as the walk would have: 1 allowed,
// 0 denied; -1 none (walk). Global: its key stays off the walk's stack (policy_allows and the rule callback share 512
// bytes with handle()'s frame).
__attribute__((noinline)) int verdict_cached(struct cali_eval *e, __u32 table, __u32 sport, __u64 generation)
{
	if (!e || !table)
		return -1;
	struct cali_verdict_key k = {};
	verdict_key_of(&k, &e->pkt, table, sport);
	struct cali_verdict_value *v = bpf_map_lookup_elem(&cali_verdicts, &k);
	if (!v || v->generation != generation)
		return -1;
	__u32 n = v->n_counted;
	for (int i = 0; i < CALI_VERDICT_COUNTED; i++) {
		if (i >= n)
			break;
		struct cali_rule_key rk = { .table = table, .index = v->counted[i] };
		count(&cali_counters, &rk, e->pkt.len);
	}
	e->table = table;
	e->index = v->index;
	e->verdict = v->verdict;
	e->reason = 0;
	int allowed = v->verdict == CALI_ACT_ALLOW;
	count_reason(allowed ? CALI_REASON_POLICY_ALLOW : CALI_REASON_POLICY_DENY, e->pkt.len);
	count_reason(CALI_REASON_VERDICT_CACHED, e->pkt.len);
	return allowed;
}

// Keeps a finished walk's verdict (see cali_verdicts) when it may be reused: a verdict, not a broken table, and every
// counted rule noted.
__attribute__((noinline)) int verdict_keep(const struct cali_eval *e, __u32 sport, __u64 generation)
{
	__u32 zero = 0;
	struct cali_walk_notes *notes = bpf_map_lookup_elem(&cali_walk_notes, &zero);
	if (!e || !notes || !e->table || notes->n_counted > CALI_VERDICT_COUNTED ||
	    (e->verdict != CALI_ACT_ALLOW && e->verdict != CALI_ACT_DENY))
		return 0;
	struct cali_verdict_key k = {};
	verdict_key_of(&k, &e->pkt, e->table, sport);
	struct cali_verdict_value v = {
		.generation = generation,
		.verdict = e->verdict,
		.index = e->index,
		.n_counted = notes->n_counted,
	};
	__builtin_memcpy(v.counted, notes->counted, sizeof(v.counted));
	bpf_map_update_elem(&cali_verdicts, &k, &v, BPF_ANY);
	return 0;
}

// table_allows as a global function: the verifier checks the rule walk (bpf_loop's callback and its every branch) once
// here, not again for every state of the caller that reaches a verdict (what made calico_from_wl's verification cost
// 400,000 instructions). Where the walk ended is copied back into *e for the flow-log event.
// Or its kept verdict (the verdict cache, while the generation is usable); `sport`: the table has rules on the source
// port, which then belongs to the cache's key.
__attribute__((noinline)) int policy_allows(struct cali_eval *e, __u32 table, __u32 sport)
{
	if (!e)
		return 0;
	// The generation is read before the walk: a change landing meanwhile leaves what is kept already stale.
	__u64 generation = policy_generation();
	if (generation) {
		int cached = verdict_cached(e, table, sport, generation);
		if (cached >= 0)
			return cached;
		__u32 zero = 0;
		struct cali_walk_notes *notes = bpf_map_lookup_elem(&cali_walk_notes, &zero);
		if (notes)
			notes->n_counted = 0;
	}
	struct cali_walk walk = { .pkt = &e->pkt };
	int allowed = table_allows(&walk, table);
	e->table = walk.table;
	e->index = walk.index;
	e->verdict = walk.verdict;
	e->reason = walk.reason;
	if (generation)
		verdict_keep(e, sport, generation);
	return allowed;
}

// table_allows, then its verdict as a flow-log event (fl_verdict).
static __always_inline int fl_table_allows(struct cali_eval *e, __u32 table, __u32 sport, __u32 ifindex, int egress)
{
	int allowed = policy_allows(e, table, sport);
	fl_verdict(e, allowed, ifindex, egress);
	return allowed;
}

// A packet of a counted flow (CALI_CT_F_FLOW_LOG, `ct` its entry under `key`) passing on conntrack, counted once on
// this host: at a from-workload hook always (the first of ours it meets); at a to-workload hook only when the sender
// has no from-workload hook of ours (not a local workload: no egress approval for the opener, no ingress approval for
// the replier). Global, as fl_emit: checked once.
__attribute__((noinline)) int fl_count(const struct cali_ct_key *key, const struct cali_ct_value *ct, __u32 original,
				       __u32 from_wl, __u32 len)
{
	if (!key || !ct || (!from_wl && (original ? ct->egress_approved_ifindex : ct->ingress_approved_ifindex)))
		return 0;
	struct cali_fl_counters *n = bpf_map_lookup_elem(&cali_ct_fl, key);
	if (!n)
		return 0; // calico-node reported the flow over (closing) and took its counters: nothing more to count
	if (original) {
		__sync_fetch_and_add(&n->packets_orig, 1);
		__sync_fetch_and_add(&n->bytes_orig, fl_ip_len(len));
	} else {
		__sync_fetch_and_add(&n->packets_reply, 1);
		__sync_fetch_and_add(&n->bytes_reply, fl_ip_len(len));
	}
	return 0;
}

// A policy-allowed flow's entry, just approved, while flow logs are on (off: one array lookup per new flow): an entry
// not counted yet (opened here, now) is flagged and its counters start with this, its opening packet (replacing any
// of an earlier flow on the same tuple); one a first hook already flagged is left alone.
__attribute__((noinline)) int fl_count_first(const struct cali_ct_key *key, __u32 len)
{
	__u32 zero = 0;
	struct cali_fl_config *c = bpf_map_lookup_elem(&cali_fl_cfg, &zero);
	if (!key || !c || !c->enabled)
		return 0;
	struct cali_ct_value *v = bpf_map_lookup_elem(&cali_ct, key);
	if (!v || (v->flags & CALI_CT_F_FLOW_LOG))
		return 0;
	struct cali_fl_counters first = { .packets_orig = 1, .bytes_orig = fl_ip_len(len) };
	if (bpf_map_update_elem(&cali_ct_fl, key, &first, BPF_ANY) == 0)
		v->flags |= CALI_CT_F_FLOW_LOG;
	return 0;
}

// The flow's live conntrack entry, or NULL: an entry idle past its timeout, or a closing connection's whose port
// pair a SYN (without ACK) opens again (a client reusing its port: it meets policy again, as in the kernel's
// conntrack, rather than riding on the old connection's approval), is deleted: the packet is a new flow.
static __always_inline struct cali_ct_value *ct_live(const struct cali_ct_key *key, const struct cali_pkt *p, __u64 now)
{
	struct cali_ct_value *ct = bpf_map_lookup_elem(&cali_ct, key);
	if (ct && (ct_expired(ct, p->protocol, now) ||
		   (ct->state == CALI_CT_CLOSING && p->protocol == IPPROTO_TCP && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN))) {
		bpf_map_delete_elem(&cali_ct, key);
		return NULL;
	}
	return ct;
}

// A packet passing on its entry: last seen, flow-log counters, TCP state. Touched at most every CALI_CT_TOUCH_NS:
// both directions read this entry, often on two CPUs, and a write per packet would bounce its cache line between
// them. Timeouts are seconds; this lags 0.1 s.
static __always_inline void ct_seen(struct cali_ct_value *ct, const struct cali_ct_key *key, int original, int from_wl,
				    const struct cali_pkt *p, __u64 now)
{
	if (cali_since(now, ct->last_seen_ns) > CALI_CT_TOUCH_NS)
		ct->last_seen_ns = now;
	if (ct->flags & CALI_CT_F_FLOW_LOG)
		fl_count(key, ct, original, from_wl, p->len);
	if (!original && ct->state == CALI_CT_NEW)
		ct->state = CALI_CT_ESTABLISHED;
	if (p->tcp_flags & (TCP_FIN | TCP_RST))
		ct->state = CALI_CT_CLOSING;
}

// parse for handle(), as a global function: the verifier checks the parser's every path (two families, the transport
// protocols, ICMP errors' quoted packets) once, and handle() goes on with one state of an unknown packet rather than
// one per path the parse took.
__attribute__((noinline)) int parse_packet(struct __sk_buff *skb, struct cali_pkt *p)
{
	if (!p)
		return -1;
	return parse(skb, p);
}

// NAT outgoing in BPF (defined after calico_from_data, with calico_to_data): see docs/bpf.md, "NAT outgoing in BPF".
// A candidate flow (CALI_CT_F_BPF_NAT) carries CALI_MARK_BPF_NAT on every packet from the workload: the table's NAT
// chain leaves it to calico_to_data (unless the kernel DNATed it). Once calico_to_data has NATed it
// (CALI_CT_F_BPF_NAT_SEEN: not DNATed, so nothing of the kernel's NAT is needed), its packets also carry
// CALI_MARK_BPF_NAT_NOTRACK and raw-PREROUTING leaves them untracked.
#define CALI_CT_F_BPF_NAT 0x4
#define CALI_CT_F_BPF_NAT_SEEN 0x8
#define CALI_MARK_BPF_NAT_NOTRACK 0x100000u
// The entry's two flags shifted by 17 are the two marks (a packet of the reply direction gets them too: harmless, its
// next stop is the workload's namespace).
#define CALI_CT_F_BPF_NAT_MARKS (CALI_CT_F_BPF_NAT | CALI_CT_F_BPF_NAT_SEEN)
_Static_assert((CALI_CT_F_BPF_NAT << 17) == CALI_MARK_BPF_NAT && (CALI_CT_F_BPF_NAT_SEEN << 17) == CALI_MARK_BPF_NAT_NOTRACK,
	       "BPF NAT flags and marks");
int snat_decide(struct __sk_buff *skb, const struct cali_ct_key *key, __u32 src, __u32 dst, __u32 what);
int snat_decide6(struct __sk_buff *skb, const struct cali_ct_key *key, __u32 what);

// What snat_decide needs of the packet besides its addresses, in one scalar: a pointer to the whole cali_pkt would make
// the verifier keep every byte of it live across calico_from_wl's paths (its cost grew by half).
static __always_inline __u32 snat_what(const struct cali_pkt *p)
{
	return p->protocol | (__u32)p->has_ports << 8 | (__u32)p->is_icmp << 9 | (__u32)p->icmp_type << 16;
}
int snat_reverse(struct __sk_buff *skb, struct cali_pkt *p);

static __always_inline int handle(struct __sk_buff *skb, int from_wl)
{
	__u32 ifindex = skb->ifindex;
	struct cali_ep_key ep_key = { .ifindex = ifindex };
	struct cali_ep_value *ep = bpf_map_lookup_elem(&cali_eps, &ep_key);
	if (!ep) {
		count_reason(CALI_REASON_UNKNOWN_IFACE, skb->len);
		return TC_ACT_SHOT;
	}

	struct cali_eval e = {};
	int parsed = parse_packet(skb, &e.pkt);
	if (parsed == 0) {
		count_reason(CALI_REASON_NOT_IP, skb->len);
		return TC_ACT_OK;
	}
	if (parsed < 0) {
		count_reason(CALI_REASON_MALFORMED, skb->len);
		return TC_ACT_SHOT;
	}

	struct cali_ct_key ct_key = {};
	int src_is_lo;
	ct_key_of(e.pkt.src, e.pkt.sport, e.pkt.dst, e.pkt.dport, e.pkt.protocol, e.pkt.family, &ct_key, &src_is_lo);
	__u64 now = cali_now();
	struct cali_ct_value *ct = ct_live(&ct_key, &e.pkt, now);
	if (ct) {
		int original = (ct->opener == CALI_CT_OPENER_LO) == src_is_lo;
		if (ct_allows(ct, original, from_wl, ifindex)) {
			ct_seen(ct, &ct_key, original, from_wl, &e.pkt, now);
			skb->mark |= (ct->flags & CALI_CT_F_BPF_NAT_MARKS) << 17; // BPF NAT's marks (see above), branch-free
			if (!from_wl && (skb->mark & CALI_MARK_KERNEL_NAT) && !(ct->flags & CALI_CT_F_KERNEL_NAT))
				ct->flags |= CALI_CT_F_KERNEL_NAT;
			if (from_wl && (ct->flags & CALI_CT_F_KERNEL_NAT)) {
				skb->mark |= CALI_MARK_KERNEL_NAT; // the stack, tracked: the kernel reverses its NAT
			} else if (from_wl) {
				int redirected = fast_path(skb, ct, original, &e.pkt);
				if (redirected < 0 && !(ct->flags & CALI_CT_F_NEEDS_INGRESS))
					redirected = fast_path_out(skb, &e.pkt);
				if (redirected >= 0)
					return redirected;
			}
			learn_mac(skb, ifindex, from_wl);
			return TC_ACT_OK;
		}
	}
	learn_mac(skb, ifindex, from_wl);

	// A new flow from a workload must come from an address routed to it (nft's raw-PREROUTING source check). Checking
	// new flows suffices: conntrack only lets a packet through at a hook that allowed its flow, and this hook allowed
	// only flows that passed the check.
	if (from_wl && !source_listed_or_routed_here(skb, &e.pkt) && !spoof_allowed(ifindex, &e.pkt)) {
		count_reason(CALI_REASON_SPOOFED, e.pkt.len);
		return TC_ACT_SHOT;
	}

	if (related_allowed(&e.pkt, ifindex)) {
		count_reason(CALI_REASON_RELATED, e.pkt.len);
		return TC_ACT_OK;
	}

	__u16 ct_flags = 0;
	int host_bound = 0;
	__u32 local_target = 0; // from a workload to another local workload: the other end's interface
	if (from_wl) {
		host_bound = to_host(&e.pkt);
		if (host_bound && nd_or_mld(&e.pkt)) {
			count_reason(CALI_REASON_ND, e.pkt.len);
			return TC_ACT_OK;
		}
		if (!host_bound)
			local_target = local_workload_of(skb, e.pkt.family, e.pkt.dst);
		if (local_target)
			ct_flags |= CALI_CT_F_NEEDS_INGRESS;
	} else {
		if (from_host(&e.pkt)) {
			// From the host itself: not policed (nft's OUTPUT accepts it), but tracked so replies pass.
			ct_approve(&ct_key, src_is_lo, 0, ifindex, (skb->mark & CALI_MARK_KERNEL_NAT) ? CALI_CT_F_KERNEL_NAT : 0);
			count_reason(CALI_REASON_HOST_TO_WORKLOAD, e.pkt.len);
			return TC_ACT_OK;
		}
	}

	if (!fl_table_allows(&e, from_wl ? ep->egress_table : ep->ingress_table,
			     ep->flags & (from_wl ? CALI_EP_EGRESS_SPORT : CALI_EP_INGRESS_SPORT), ifindex, from_wl))
		return TC_ACT_SHOT;
	// Allowed to the host: DefaultEndpointToHostAction is the table's (its INPUT chain), as only there is the packet
	// known to stay on the host: one to the host's address and a host port is DNATed to a workload on the way.

	// To another local workload: its ingress policy is evaluated here too, so the new flow need not take the stack
	// to meet it at the other end's to-workload hook (the same table, the same verdict, one walk fewer).
	if (local_target && local_target != ifindex && in_pool(e.pkt.family, e.pkt.dst)) {
		struct cali_ep_key target_key = { .ifindex = local_target };
		struct cali_ep_value *target_ep = bpf_map_lookup_elem(&cali_eps, &target_key);
		if (target_ep) {
			if (!fl_table_allows(&e, target_ep->ingress_table, target_ep->flags & CALI_EP_INGRESS_SPORT, local_target, 0))
				return TC_ACT_SHOT;
			ct_approve_both(&ct_key, src_is_lo, ifindex, local_target, ct_flags);
			fl_count_first(&ct_key, e.pkt.len);
			if (rewrite_for_peer(skb, e.pkt.family, local_target))
				return bpf_redirect_peer(local_target, 0);
			return TC_ACT_OK; // its MAC not learned yet: the stack delivers it (the entry lets it through there)
		}
	}
	if (!from_wl && (skb->mark & CALI_MARK_KERNEL_NAT))
		ct_flags |= CALI_CT_F_KERNEL_NAT;
	ct_approve(&ct_key, src_is_lo, from_wl, ifindex, ct_flags);
	fl_count_first(&ct_key, e.pkt.len);
	if (!from_wl && (ct_flags & CALI_CT_F_KERNEL_NAT))
		ct_flag_kernel_nat(&ct_key); // an entry that existed (opened elsewhere) learns it too
	if (from_wl && !local_target && !host_bound) {
		int redirected = fast_path_out(skb, &e.pkt);
		if (redirected >= 0)
			return redirected;
		if (e.pkt.family == 4) // leaving the pools, maybe for calico_to_data to NAT (scalars: see snat_decide)
			snat_decide(skb, &ct_key, *(__u32 *)e.pkt.src, *(__u32 *)e.pkt.dst, snat_what(&e.pkt));
		else // IPv6: the addresses from the flow's key (which side is the source: bit 10)
			snat_decide6(skb, &ct_key, snat_what(&e.pkt) | (__u32)(src_is_lo & 1) << 10);
	}
	return TC_ACT_OK;
}

SEC("tc")
int calico_from_wl(struct __sk_buff *skb)
{
	return handle(skb, 1);
}

SEC("tc")
int calico_to_wl(struct __sk_buff *skb)
{
	return handle(skb, 0);
}

// rewrite_for_peer for a packet from outside the host: an IPv6 packet's hop limit is inside what a receiving NIC's
// CHECKSUM_COMPLETE sum covers (IPv4's TTL change is balanced by its header checksum), so the sum follows it.
static __always_inline int redirect_to_peer_from_outside(struct __sk_buff *skb, __u8 family, __u32 target)
{
	__u32 before = 0, after = 0;
	if (family == 6 && bpf_skb_load_bytes(skb, sizeof(struct ethhdr) + 4, &before, 4) < 0)
		return TC_ACT_OK;
	if (!rewrite_for_peer(skb, family, target))
		return TC_ACT_OK; // its MAC not learned yet: the stack delivers it, and the entry lets it through there
	if (family == 6 && bpf_skb_load_bytes(skb, sizeof(struct ethhdr) + 4, &after, 4) == 0)
		bpf_csum_update(skb, bpf_csum_diff(&before, 4, &after, 4, 0));
	return bpf_redirect_peer(target, 0);
}

// The fast path in: a packet arriving on one of the host's data interfaces (the uplink, or the VXLAN device once it has
// decapsulated) between two pool addresses, to a local workload, is handed into the workload's namespace with
// bpf_redirect_peer, rewritten as the stack's forwarding would (rewrite_for_peer): no routing, netfilter or transmit
// on the host-side veth, whose calico_to_wl would do exactly what is done here. An established flow passes on its
// conntrack entry's approval at that workload's to-workload hook (ct_allows); a new one meets the workload's ingress
// table here, a denied one is dropped here as it would be there. Anything else takes the stack unchanged, and
// calico_to_wl decides there as before: not IP, not pool to pool (NAT outgoing's replies, floating IPs, host ports:
// the kernel's NAT must see them; no pools at all while a host endpoint exists, whose policy is the table's), not to
// a local workload, a flow the kernel NATs, an ICMP error, the workload's MAC not learned yet, a TTL about to expire.
// This program never drops what it does not police.
static __always_inline int handle_data_ingress(struct __sk_buff *skb)
{
	struct cali_eval e = {};
	if (parse(skb, &e.pkt) <= 0)
		return TC_ACT_OK;
	// A reply to a flow calico_to_data NATed (now to the workload's address) is addressed to the host's NAT address,
	// never a pool's (pool addresses are routed to workloads): traffic to a pool address skips the NAT lookup.
	int dst_in_pool = in_pool(e.pkt.family, e.pkt.dst);
	int natted = dst_in_pool ? 0 : snat_reverse(skb, &e.pkt);
	if (natted < 0)
		return TC_ACT_SHOT;
	if (e.pkt.related)
		return TC_ACT_OK; // an ICMP error: calico_to_wl passes it as related to its flow (untracked if NATed back)
	if (!natted && (!dst_in_pool || !in_pool(e.pkt.family, e.pkt.src)))
		return TC_ACT_OK;
	struct cali_ep_value *target_ep;
	__u32 target = local_workload_ep_of(skb, e.pkt.family, e.pkt.dst, &target_ep);
	if (!target || !target_ep)
		return TC_ACT_OK;

	struct cali_ct_key ct_key = {};
	int src_is_lo;
	ct_key_of(e.pkt.src, e.pkt.sport, e.pkt.dst, e.pkt.dport, e.pkt.protocol, e.pkt.family, &ct_key, &src_is_lo);
	__u64 now = cali_now();
	struct cali_ct_value *ct = ct_live(&ct_key, &e.pkt, now);
	if (ct) {
		int original = (ct->opener == CALI_CT_OPENER_LO) == src_is_lo;
		if (!ct_allows(ct, original, 0, target) || (ct->flags & CALI_CT_F_KERNEL_NAT))
			return TC_ACT_OK; // calico_to_wl decides (policy for a hook that has not approved the flow)
		ct_seen(ct, &ct_key, original, 0, &e.pkt, now); // as at the workload's to-workload hook
	} else {
		if (from_host(&e.pkt))
			return TC_ACT_OK; // this host's own address (its tunnel address is a pool's): calico_to_wl tracks it
		if (!fl_table_allows(&e, target_ep->ingress_table, target_ep->flags & CALI_EP_INGRESS_SPORT, target, 0))
			return TC_ACT_SHOT;
		ct_approve(&ct_key, src_is_lo, 0, target, 0);
		fl_count_first(&ct_key, e.pkt.len);
	}
	return redirect_to_peer_from_outside(skb, e.pkt.family, target);
}

SEC("tc")
int calico_from_data(struct __sk_buff *skb)
{
	return handle_data_ingress(skb);
}

// ---- NAT outgoing in BPF (issue 18, session 7) ---------------------------------------------------------------------

// A natOutgoing pool's address (cali_nat_pools: empty while BPF NAT is off).
static __always_inline int in_nat_pool(const __u8 *addr)
{
	struct cali_pool_key key = {}; // fields assigned, not initialised: clang would copy a template from .rodata
	key.prefixlen = CALI_POOL_PREFIX_BASE + 32;
	key.family = 4;
	__builtin_memcpy(key.addr, addr, 4);
	return bpf_map_lookup_elem(&cali_nat_pools, &key) != NULL;
}

// Inside any pool, a floating IP's exclusion included (NAT outgoing is for traffic leaving every pool).
static __always_inline int in_any_pool(const __u8 *addr)
{
	struct cali_pool_key key = {}; // fields assigned, not initialised: clang would copy a template from .rodata
	key.prefixlen = CALI_POOL_PREFIX_BASE + 32;
	key.family = 4;
	__builtin_memcpy(key.addr, addr, 4);
	return bpf_map_lookup_elem(&cali_pools, &key) != NULL;
}

// An IPv6 address in a pool map (cali_nat_pools or cali_pools), as in_nat_pool and in_any_pool for IPv4.
static __always_inline int in_pool_map6(void *map, const __u8 *addr)
{
	struct cali_pool_key key = {}; // fields assigned, not initialised: clang would copy a template from .rodata
	key.prefixlen = CALI_POOL_PREFIX_BASE + 128;
	key.family = 6;
	__builtin_memcpy(key.addr, addr, 16);
	return bpf_map_lookup_elem(map, &key) != NULL;
}

static __always_inline int in_nat_pool_of(__u8 family, const __u8 *addr)
{
	return family == 4 ? in_nat_pool(addr) : in_pool_map6(&cali_nat_pools, addr);
}

static __always_inline int in_any_pool_of(__u8 family, const __u8 *addr)
{
	return family == 4 ? in_any_pool(addr) : in_pool_map6(&cali_pools, addr);
}

// What BPF NATs: IPv4 and IPv6 TCP, UDP (whole packets or first fragments: ports) and ICMP/ICMPv6 echo (the
// identifier): the request (reply 0), or the reply (reply 1).
static __always_inline int snat_protocol(const struct cali_pkt *p, int reply)
{
	if (p->family != 4 && p->family != 6)
		return 0;
	if (p->protocol == IPPROTO_TCP || p->protocol == IPPROTO_UDP)
		return p->has_ports;
	if (p->family == 4)
		return p->protocol == IPPROTO_ICMP && p->is_icmp && p->icmp_type == (reply ? ICMP_ECHOREPLY : ICMP_ECHO);
	return p->protocol == IPPROTO_ICMPV6 && p->is_icmp && p->icmp_type == (reply ? ICMPV6_ECHO_REPLY : ICMPV6_ECHO_REQUEST);
}

// Two 16-byte addresses equal (IPv4: the first 4 bytes, the rest zero on both).
static __always_inline int same_addr16(const __u8 *a, const __u8 *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0;
}

// Marks the new flow (key) a candidate when its route leaves through a data interface with a NAT address of the
// family. 1 when marked.
static __always_inline int snat_mark(struct __sk_buff *skb, const struct cali_ct_key *key, __u32 out_ifindex, __u32 family)
{
	struct cali_snat_key out = { .ifindex = out_ifindex, .family = family };
	if (!bpf_map_lookup_elem(&cali_snat, &out))
		return 0;
	struct cali_ct_value *v = bpf_map_lookup_elem(&cali_ct, key);
	if (!v)
		return 0;
	v->flags |= CALI_CT_F_BPF_NAT;
	skb->mark |= CALI_MARK_BPF_NAT;
	return 1;
}

// calico_from_wl, a new flow its policy allowed: from a natOutgoing pool to outside every pool, routed out of a data
// interface with a BPF NAT address (cali_snat) -> a candidate (entry flag, packet mark). 1 when marked.
__attribute__((noinline)) int snat_decide(struct __sk_buff *skb, const struct cali_ct_key *key, __u32 src, __u32 dst, __u32 what)
{
	struct cali_pkt p = { .family = 4, .protocol = what & 0xff, .has_ports = (what >> 8) & 1, .is_icmp = (what >> 9) & 1,
			      .icmp_type = (what >> 16) & 0xff };
	if (!key || !snat_protocol(&p, 0) || in_any_pool((__u8 *)&dst) || !in_nat_pool((__u8 *)&src))
		return 0;
	struct bpf_fib_lookup fib = { .family = AF_INET, .ifindex = skb->ifindex, .ipv4_src = src, .ipv4_dst = dst };
	long rc = bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_SKIP_NEIGH);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH)
		return 0;
	return snat_mark(skb, key, fib.ifindex, 4);
}

// snat_decide for IPv6: the addresses from the flow's conntrack key (its lo side the source when bit 10 of what is
// set), which calico_from_wl already holds on its stack: no 32 bytes of scalars to pass.
__attribute__((noinline)) int snat_decide6(struct __sk_buff *skb, const struct cali_ct_key *key, __u32 what)
{
	struct cali_pkt p = { .family = 6, .protocol = what & 0xff, .has_ports = (what >> 8) & 1, .is_icmp = (what >> 9) & 1,
			      .icmp_type = (what >> 16) & 0xff };
	if (!key || !snat_protocol(&p, 0))
		return 0;
	const __u8 *src = (what >> 10) & 1 ? key->addr_lo : key->addr_hi;
	const __u8 *dst = (what >> 10) & 1 ? key->addr_hi : key->addr_lo;
	if (in_pool_map6(&cali_pools, dst) || !in_pool_map6(&cali_nat_pools, src))
		return 0;
	struct bpf_fib_lookup fib = { .family = AF_INET6, .ifindex = skb->ifindex };
	__builtin_memcpy(fib.ipv6_src, src, 16);
	__builtin_memcpy(fib.ipv6_dst, dst, 16);
	long rc = bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_SKIP_NEIGH);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH)
		return 0;
	return snat_mark(skb, key, fib.ifindex, 6);
}

// Where NAT rewrites a transport header whose first byte is at l4: its checksum and the port of the rewritten side (ICMP
// echo: the identifier), and the flag that keeps a UDP checksum 0 (none) 0.
struct cali_snat_l4 {
	__u32 csum_off;
	__u32 port_off;
	__u64 mangled;
};

static __always_inline int snat_l4_at(__u8 protocol, __u8 icmp_protocol, __u32 l4, int source, struct cali_snat_l4 *at)
{
	at->mangled = 0;
	at->port_off = l4 + (source ? 0 : 2);
	if (protocol == IPPROTO_TCP) {
		at->csum_off = l4 + 16;
	} else if (protocol == IPPROTO_UDP) {
		at->csum_off = l4 + 6;
		at->mangled = BPF_F_MARK_MANGLED_0;
	} else if (protocol == icmp_protocol) {
		at->csum_off = l4 + 2;
		at->port_off = l4 + 4; // the echo identifier
	} else {
		return -1;
	}
	return 0;
}

// The port (or echo identifier) at `at` becomes `port`, its checksum following. 0, or -1.
static __always_inline int snat_port_rewrite(struct __sk_buff *skb, const struct cali_snat_l4 *at, __u16 port)
{
	__u16 old_port;
	if (bpf_skb_load_bytes(skb, at->port_off, &old_port, 2) < 0)
		return -1;
	if (old_port == port)
		return 0;
	if (bpf_l4_csum_replace(skb, at->csum_off, old_port, port, at->mangled | 2) < 0)
		return -1;
	return bpf_skb_store_bytes(skb, at->port_off, &port, 2, 0) < 0 ? -1 : 0;
}

// Rewrites the IPv4 source (source != 0) or destination address and port (ICMP echo: the identifier) of the packet,
// the IP, TCP/UDP (pseudo-header) and ICMP checksums incrementally; a UDP checksum 0 (none) stays 0. 0, or -1.
static __always_inline int snat_rewrite(struct __sk_buff *skb, __u8 protocol, int source, __u32 addr, __u16 port,
					int later_fragment)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	if ((void *)(ip + 1) > end)
		return -1;
	__u32 l4 = ETH_HLEN + ip->ihl * 4;
	__u32 old_addr = source ? ip->saddr : ip->daddr;
	__u32 addr_off = ETH_HLEN + (source ? 12 : 16);
	if (later_fragment) {
		// No transport header here: the address and the IP header's checksum only (the transport checksum, in the
		// first fragment, covers the whole datagram and was updated there).
		if (bpf_l3_csum_replace(skb, ETH_HLEN + 10, old_addr, addr, 4) < 0)
			return -1;
		return bpf_skb_store_bytes(skb, addr_off, &addr, 4, 0) < 0 ? -1 : 0;
	}
	struct cali_snat_l4 at;
	if (snat_l4_at(protocol, IPPROTO_ICMP, l4, source, &at) < 0)
		return -1;
	int pseudo = protocol != IPPROTO_ICMP; // ICMPv4's checksum has no pseudo-header
	if (pseudo && bpf_l4_csum_replace(skb, at.csum_off, old_addr, addr, BPF_F_PSEUDO_HDR | at.mangled | 4) < 0)
		return -1;
	if (snat_port_rewrite(skb, &at, port) < 0)
		return -1;
	if (bpf_l3_csum_replace(skb, ETH_HLEN + 10, old_addr, addr, 4) < 0)
		return -1;
	if (bpf_skb_store_bytes(skb, addr_off, &addr, 4, 0) < 0)
		return -1;
	return 0;
}

// Where the fixed IPv6 header ends: the transport header of a packet without extension headers.
#define CALI_SNAT6_L4 (ETH_HLEN + sizeof(struct ipv6hdr))

// IPv6 whose transport header follows the fixed header directly (what an ICMPv6 error's reverse NAT rewrites).
static __always_inline int snat6_plain(struct __sk_buff *skb, __u8 protocol)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip6 = data + ETH_HLEN;
	return (void *)(ip6 + 1) <= end && ip6->nexthdr == protocol;
}

// Where an IPv6 packet's transport header starts, from the frame's start: past the fixed header and any hop-by-hop,
// routing, destination-options and fragment headers, as parse_ipv6 walks them (at most CALI_V6_EXT_MAX); -1 when it
// is not found (a later fragment has none: its address alone is NATed, see snat_rewrite6). Walked here, with loads,
// only for a packet NAT rewrites: parse keeps no offset for the rare packet with extension headers.
static __always_inline int snat6_l4(struct __sk_buff *skb)
{
	__u8 next;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + 6, &next, 1) < 0)
		return -1;
	__u32 off = CALI_SNAT6_L4;
	for (int i = 0; i < CALI_V6_EXT_MAX; i++) {
		if (next != NEXTHDR_HOP && next != NEXTHDR_ROUTING && next != NEXTHDR_DEST && next != NEXTHDR_FRAGMENT)
			return off;
		__u8 ext[4];
		if (bpf_skb_load_bytes(skb, off, ext, 4) < 0)
			return -1;
		if (next == NEXTHDR_FRAGMENT) {
			if (((ext[2] << 8) | ext[3]) & 0xfff8)
				return -1; // a later fragment
			off += 8;
		} else {
			off += (ext[1] + 1) * 8;
		}
		next = ext[0];
	}
	return -1;
}

// The transport header snat_rewrite6 is to rewrite in p: 0 for a later fragment (none: the address alone), else its
// offset (snat6_l4), -1 when the packet cannot be NATed.
static __always_inline int snat6_l4_of(struct __sk_buff *skb, const struct cali_pkt *p)
{
	return p->later_fragment ? 0 : snat6_l4(skb);
}

// snat_rewrite for IPv6: no IP header checksum, but the TCP, UDP and ICMPv6 checksums all cover a pseudo-header with
// the 16-byte addresses: one bpf_csum_diff over the address, then one replace with BPF_F_PSEUDO_HDR (upstream's
// nat.h does the same). ICMPv6 echo: the identifier. 0, or -1.
// l4: the transport header's offset (snat6_l4_of), after any extension headers; 0 for a later fragment, which has
// none: its address alone is rewritten (the transport checksum, in the first fragment, covers the whole datagram
// and was updated there; IPv6 has no header checksum).
static __always_inline int snat_rewrite6(struct __sk_buff *skb, __u8 protocol, int source, const __u8 *addr, __u16 port,
					 int l4)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip6 = data + ETH_HLEN;
	if ((void *)(ip6 + 1) > end || l4 < 0)
		return -1;
	__u32 old_addr[4], new_addr[4];
	__builtin_memcpy(old_addr, source ? (void *)&ip6->saddr : (void *)&ip6->daddr, 16);
	__builtin_memcpy(new_addr, addr, 16);
	__u32 addr_off = ETH_HLEN + (source ? 8 : 24);
	__s64 diff = bpf_csum_diff(old_addr, 16, new_addr, 16, 0);
	if (diff < 0)
		return -1;
	if (l4 > 0) {
		struct cali_snat_l4 at;
		if (snat_l4_at(protocol, IPPROTO_ICMPV6, (__u32)l4 & 0xffff, source, &at) < 0)
			return -1;
		if (bpf_l4_csum_replace(skb, at.csum_off, 0, diff, BPF_F_PSEUDO_HDR | at.mangled) < 0)
			return -1;
		if (snat_port_rewrite(skb, &at, port) < 0)
			return -1;
	}
	if (bpf_skb_store_bytes(skb, addr_off, new_addr, 16, 0) < 0)
		return -1;
	// A received packet's CHECKSUM_COMPLETE sum covers the IPv6 header (the stack takes the header's sum out when it
	// pulls it): the replace above followed the checksum field, this follows the address (-ENOTSUPP otherwise: nothing
	// to follow).
	bpf_csum_update(skb, diff);
	return 0;
}

// Idle timeouts of NAT entries: an entry idle longer frees its port for another flow (the LRU evicts too).
static __always_inline int snat_idle(const struct cali_nat_value *v, __u8 protocol, __u64 now)
{
	__u64 idle = cali_since(now, v->last_seen_ns);
	return idle > (protocol == IPPROTO_TCP ? 3600 * SEC_NS : protocol == IPPROTO_UDP ? 60 * SEC_NS : 5 * SEC_NS);
}

#define CALI_SNAT_TRIES 8

// Whether a socket of the host's own would take the packets of the reverse key rk ({NAT address:port <- remote}): a
// TCP connection of the host (established, opening or in TIME_WAIT) or a UDP socket on that port that the remote's
// datagrams reach. A binding there would hand the host's replies to a workload, so snat_alloc passes over such a
// port (upstream's psnat conflict does the same against its conntrack, which holds the host's flows). A TCP
// listener alone does not count: replies are reverse-NATed before the stack sees them, and only a new connection
// from the remote's very port could clash. ICMP echo has no socket to find (host_flow_egress resolves that side).
static __always_inline int host_socket_on(struct __sk_buff *skb, const struct cali_nat_key *rk)
{
	struct bpf_sock_tuple t = {};
	__u32 size;
	if (rk->family == 4) {
		t.ipv4.saddr = *(const __u32 *)rk->addr_b;
		t.ipv4.daddr = *(const __u32 *)rk->addr_a;
		t.ipv4.sport = rk->port_b_be;
		t.ipv4.dport = rk->port_a_be;
		size = sizeof(t.ipv4);
	} else {
		__builtin_memcpy(t.ipv6.saddr, rk->addr_b, 16);
		__builtin_memcpy(t.ipv6.daddr, rk->addr_a, 16);
		t.ipv6.sport = rk->port_b_be;
		t.ipv6.dport = rk->port_a_be;
		size = sizeof(t.ipv6);
	}
	struct bpf_sock *sk;
	int clash = 1;
	if (rk->protocol == IPPROTO_TCP) {
		sk = bpf_skc_lookup_tcp(skb, &t, size, BPF_F_CURRENT_NETNS, 0);
		if (sk)
			clash = sk->state != BPF_TCP_LISTEN;
	} else if (rk->protocol == IPPROTO_UDP) {
		sk = bpf_sk_lookup_udp(skb, &t, size, BPF_F_CURRENT_NETNS, 0);
	} else {
		return 0;
	}
	if (!sk)
		return 0;
	bpf_sk_release(sk);
	return clash;
}

// A NAT port for the flow fk (forward key): its own source port when {NAT address, port, remote} is free, else a
// random one in [port_min, port_max], CALI_SNAT_TRIES times; the reverse entry is claimed first (BPF_NOEXIST), then the
// forward one written. A port a host socket holds towards the same remote is passed over (host_socket_on). The port
// (network order), or 0 when none was free.
__attribute__((noinline)) int snat_alloc(struct __sk_buff *skb, const struct cali_nat_key *fk, const struct cali_snat_value *snat, __u32 ifindex)
{
	if (!skb || !fk || !snat)
		return 0;
	__u32 port_min = snat->port_min, port_max = snat->port_max;
	if (port_min == 0 || port_max < port_min)
		return 0;
	__u64 now = cali_now();
	struct cali_nat_key rk = { .protocol = fk->protocol, .family = fk->family, .reverse = 1 };
	__builtin_memcpy(rk.addr_a, snat->addr, 16);
	__builtin_memcpy(rk.addr_b, fk->addr_b, 16);
	rk.port_b_be = fk->port_b_be;
	struct cali_nat_value rv = { .port_be = fk->port_a_be, .ifindex = ifindex, .last_seen_ns = now };
	__builtin_memcpy(rv.addr, fk->addr_a, 16);
	__u16 port = fk->port_a_be;
	for (int i = 0; i < CALI_SNAT_TRIES; i++) {
		rk.port_a_be = port;
		if (fk->protocol == IPPROTO_ICMP || fk->protocol == IPPROTO_ICMPV6)
			rk.port_b_be = port; // the echo reply carries the new identifier as both "ports"
		if (host_socket_on(skb, &rk)) {
			count_reason(CALI_REASON_PORT_CLASH, 0);
			goto next;
		}
		if (bpf_map_update_elem(&cali_nat, &rk, &rv, BPF_NOEXIST) == 0)
			goto claimed;
		struct cali_nat_value *held = bpf_map_lookup_elem(&cali_nat, &rk);
		if (held && ((same_addr16(held->addr, rv.addr) && held->port_be == rv.port_be) ||
			     snat_idle(held, fk->protocol, now))) {
			bpf_map_update_elem(&cali_nat, &rk, &rv, BPF_ANY); // ours already, or idle: taken over
			goto claimed;
		}
next:
		port = bpf_htons((__u16)(port_min + bpf_get_prandom_u32() % (port_max - port_min + 1)));
	}
	return 0;
claimed:;
	struct cali_nat_value fv = { .port_be = port, .ifindex = ifindex, .last_seen_ns = now };
	__builtin_memcpy(fv.addr, snat->addr, 16);
	bpf_map_update_elem(&cali_nat, fk, &fv, BPF_ANY);
	return port;
}

// calico_to_data (tc egress of a data interface): a packet of a candidate flow (CALI_MARK_BPF_NAT, not DNATed by the
// kernel: no CALI_MARK_KERNEL_NAT) still from a natOutgoing pool to outside the pools is source-NATed to the
// interface's NAT address: the flow's port if it has one, else a new one (snat_alloc), and the flow's entry learns it
// (CALI_CT_F_BPF_NAT_SEEN: its later packets are untracked). Anything else leaves unchanged (a packet the kernel has
// masqueraded has the host's source). No free port: dropped, counted.
static __always_inline int handle_data_egress(struct __sk_buff *skb)
{
	if ((skb->mark & (CALI_MARK_BPF_NAT | CALI_MARK_KERNEL_NAT)) != CALI_MARK_BPF_NAT)
		return TC_ACT_OK;
	struct cali_pkt p = {};
	if (parse(skb, &p) <= 0 || !snat_protocol(&p, 0) || !in_nat_pool_of(p.family, p.src) || in_any_pool_of(p.family, p.dst))
		return TC_ACT_OK;
	int l4_6 = p.family == 6 ? snat6_l4_of(skb, &p) : 0;
	if (l4_6 < 0)
		return TC_ACT_OK; // IPv6 whose transport header was not found (more extension headers than parse walks)
	struct cali_nat_key fk = { .protocol = p.protocol, .family = p.family };
	__builtin_memcpy(fk.addr_a, p.src, 16);
	__builtin_memcpy(fk.addr_b, p.dst, 16);
	fk.port_a_be = bpf_htons(p.sport);
	fk.port_b_be = bpf_htons(p.dport);
	__u64 now = cali_now();
	__u8 nat_addr[16];
	__u16 nat_port;
	struct cali_nat_value *fv = bpf_map_lookup_elem(&cali_nat, &fk);
	struct cali_snat_key out = { .ifindex = skb->ifindex, .family = p.family };
	struct cali_snat_value *snat = bpf_map_lookup_elem(&cali_snat, &out);
	if (fv && (!snat || same_addr16(fv->addr, snat->addr))) {
		__builtin_memcpy(nat_addr, fv->addr, 16);
		nat_port = fv->port_be;
		if (cali_since(now, fv->last_seen_ns) > CALI_CT_TOUCH_NS)
			fv->last_seen_ns = now;
	} else {
		if (!snat || p.later_fragment)
			return TC_ACT_OK; // a later fragment follows its first's binding, never makes one
		__builtin_memcpy(nat_addr, snat->addr, 16);
		nat_port = snat_alloc(skb, &fk, snat, skb->ifindex);
		if (!nat_port) {
			count_reason(CALI_REASON_SNAT_NO_PORT, p.len);
			return TC_ACT_SHOT;
		}
		struct cali_ct_key ct_key = {};
		int src_is_lo;
		ct_key_of(p.src, p.sport, p.dst, p.dport, p.protocol, p.family, &ct_key, &src_is_lo);
		struct cali_ct_value *ct = bpf_map_lookup_elem(&cali_ct, &ct_key);
		if (ct)
			ct->flags |= CALI_CT_F_BPF_NAT_SEEN;
	}
	int rc = p.family == 4 ? snat_rewrite(skb, p.protocol, 1, *(__u32 *)nat_addr, nat_port, p.later_fragment)
			       : snat_rewrite6(skb, p.protocol, 1, nat_addr, nat_port, l4_6);
	return rc < 0 ? TC_ACT_SHOT : TC_ACT_OK;
}

// A packet the host itself sends (no ingress interface, and a socket of its own or the kernel's reply on one's behalf
// as skb->sk) out of a data interface with a BPF NAT address, from that address. A workload's
// binding holds {NAT address:port, remote} for its flow's replies: a host connection from that very port to that
// very remote (the host picks its ports without knowing the bindings) would get the workload's replies and the
// workload its. So the host's flow then gets a port of its own, a binding {host address:port -> NAT address:new
// port} (snat_alloc, as a workload's flow: both directions in cali_nat), which its packets take from then on here and
// its replies back in calico_from_data (snat_reverse: untouched by the kernel's tracking, which saw the original
// port both ways). The common case, no binding and no clash, costs two hash lookups.
static __always_inline int host_flow_egress(struct __sk_buff *skb)
{
	__u8 family = skb->protocol == bpf_htons(ETH_P_IP) ? 4 : skb->protocol == bpf_htons(ETH_P_IPV6) ? 6 : 0;
	if (!family)
		return TC_ACT_OK;
	struct cali_snat_key out = { .ifindex = skb->ifindex, .family = family };
	struct cali_snat_value *snat = bpf_map_lookup_elem(&cali_snat, &out);
	if (!snat)
		return TC_ACT_OK; // BPF NAT is off on this interface: no bindings to clash with
	struct cali_pkt p = {};
	if (parse(skb, &p) <= 0 || p.later_fragment || !snat_protocol(&p, 0) || !same_addr16(p.src, snat->addr))
		return TC_ACT_OK; // a later fragment keeps the host's address: only its first carries the port
	struct cali_nat_key fk = { .protocol = p.protocol, .family = p.family };
	__builtin_memcpy(fk.addr_a, p.src, 16);
	__builtin_memcpy(fk.addr_b, p.dst, 16);
	fk.port_a_be = bpf_htons(p.sport);
	fk.port_b_be = bpf_htons(p.dport);
	__u16 port;
	struct cali_nat_value *fv = bpf_map_lookup_elem(&cali_nat, &fk);
	if (fv) {
		port = fv->port_be;
		__u64 now = cali_now();
		if (cali_since(now, fv->last_seen_ns) > CALI_CT_TOUCH_NS)
			fv->last_seen_ns = now;
	} else {
		struct cali_nat_key rk = fk;
		rk.reverse = 1;
		if (!bpf_map_lookup_elem(&cali_nat, &rk))
			return TC_ACT_OK; // no workload's binding on this port towards this remote
		port = snat_alloc(skb, &fk, snat, skb->ifindex);
		if (!port) {
			count_reason(CALI_REASON_SNAT_NO_PORT, p.len);
			return TC_ACT_SHOT;
		}
		count_reason(CALI_REASON_PORT_CLASH, p.len);
	}
	if (port == fk.port_a_be)
		return TC_ACT_OK; // the workload's binding was idle and taken over: the host keeps its port
	int l4_6 = p.family == 6 ? snat6_l4(skb) : 0;
	if (l4_6 < 0)
		return TC_ACT_SHOT; // parse found its ports, so this cannot fail: a packet half-understood is not sent
	int rc = p.family == 4 ? snat_rewrite(skb, p.protocol, 1, *(__u32 *)snat->addr, port, 0)
			       : snat_rewrite6(skb, p.protocol, 1, snat->addr, port, l4_6);
	return rc < 0 ? TC_ACT_SHOT : TC_ACT_OK;
}

// The reverse NAT binding of an ICMP error's quoted packet {NAT address:port -> remote} (family 4 or 6), or NULL.
static __always_inline struct cali_nat_value *snat_quoted_binding(const struct cali_pkt *p, __u8 family)
{
	struct cali_nat_key rk = { .protocol = p->inner_protocol, .family = family, .reverse = 1 };
	__builtin_memcpy(rk.addr_a, p->inner_src, 16);
	__builtin_memcpy(rk.addr_b, p->inner_dst, 16);
	rk.port_a_be = bpf_htons(p->inner_sport);
	rk.port_b_be = bpf_htons(p->inner_dport);
	return bpf_map_lookup_elem(&cali_nat, &rk);
}

// A reply (or ICMP error) NATed back to pod_addr from nat_addr is marked as its flow's other packets (BPF-NATed, untracked
// by the kernel), unless it is a host flow's (host_flow_egress: the NAT address itself), which the kernel tracks.
static __always_inline void snat_reverse_marks(struct __sk_buff *skb, const __u8 *pod_addr, const __u8 *nat_addr)
{
	if (!same_addr16(pod_addr, nat_addr))
		skb->mark |= CALI_MARK_BPF_NAT | CALI_MARK_BPF_NAT_NOTRACK;
}

// An ICMP error from outside about a packet calico_to_data NATed (it quotes {NAT address:port -> remote}): the outer
// destination and the quoted source address and port become the workload's again (the outer IP checksum; the quoted
// IP header's checksum, which keeps the ICMP checksum's sum over it unchanged; the ICMP checksum for the quoted port;
// the quoted transport checksum is left, as nothing checks it), so the workload learns of it (port unreachable,
// fragmentation needed). 1 rewritten, 0 not such an error, -1 failed.
static __always_inline int snat_reverse_error(struct __sk_buff *skb, struct cali_pkt *p)
{
	if (p->protocol != IPPROTO_ICMP || (p->inner_protocol != IPPROTO_TCP && p->inner_protocol != IPPROTO_UDP &&
					    p->inner_protocol != IPPROTO_ICMP))
		return 0;
	struct cali_nat_value *rv = snat_quoted_binding(p, 4);
	if (!rv)
		return 0;
	__u32 pod_addr = *(__u32 *)rv->addr;
	__u16 pod_port = rv->port_be;
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	if ((void *)(ip + 1) > end)
		return -1;
	__u32 outer_dst = ip->daddr;
	__u32 icmp = ETH_HLEN + ip->ihl * 4;
	__u32 inner = icmp + 8; // the quoted IP header (20 bytes: parse_quoted takes no options)
	__u32 inner_port = inner + 20 + (p->inner_protocol == IPPROTO_ICMP ? 4 : 0); // the quoted source port, or echo id
	__u32 inner_src;
	__u16 old_port;
	if (bpf_skb_load_bytes(skb, inner + 12, &inner_src, 4) < 0 || bpf_skb_load_bytes(skb, inner_port, &old_port, 2) < 0)
		return -1;
	if (bpf_l3_csum_replace(skb, inner + 10, inner_src, pod_addr, 4) < 0 ||
	    bpf_skb_store_bytes(skb, inner + 12, &pod_addr, 4, 0) < 0 ||
	    bpf_l4_csum_replace(skb, icmp + 2, old_port, pod_port, 2) < 0 ||
	    bpf_skb_store_bytes(skb, inner_port, &pod_port, 2, 0) < 0 ||
	    bpf_l3_csum_replace(skb, ETH_HLEN + 10, outer_dst, pod_addr, 4) < 0 ||
	    bpf_skb_store_bytes(skb, ETH_HLEN + 16, &pod_addr, 4, 0) < 0)
		return -1;
	__builtin_memcpy(p->dst, &pod_addr, 4);
	__builtin_memcpy(p->inner_src, &pod_addr, 4);
	p->inner_sport = bpf_ntohs(pod_port);
	if (pod_addr != inner_src) // not a host flow's (host_flow_egress): see snat_reverse_marks
		skb->mark |= CALI_MARK_BPF_NAT | CALI_MARK_BPF_NAT_NOTRACK;
	return 1;
}

// snat_reverse_error for ICMPv6 (destination unreachable, packet too big, time exceeded, parameter problem) quoting
// {NAT address:port -> remote} right after the outer and quoted fixed headers: the outer destination (the ICMPv6
// checksum's pseudo-header), the quoted source address and port (its payload) become the workload's again. 1, 0, -1.
static __always_inline int snat_reverse_error6(struct __sk_buff *skb, struct cali_pkt *p)
{
	if (p->protocol != IPPROTO_ICMPV6 || (p->inner_protocol != IPPROTO_TCP && p->inner_protocol != IPPROTO_UDP &&
					      p->inner_protocol != IPPROTO_ICMPV6))
		return 0;
	if (!snat6_plain(skb, IPPROTO_ICMPV6))
		return 0;
	struct cali_nat_value *rv = snat_quoted_binding(p, 6);
	if (!rv)
		return 0;
	__u32 pod_addr[4], nat_addr[4], outer_dst[4];
	__builtin_memcpy(pod_addr, rv->addr, 16);
	__builtin_memcpy(nat_addr, p->inner_src, 16);
	__builtin_memcpy(outer_dst, p->dst, 16);
	__u16 pod_port = rv->port_be;
	__u32 icmp = CALI_SNAT6_L4;
	__u32 inner = icmp + 8; // the quoted IPv6 header
	__u32 inner_port = inner + sizeof(struct ipv6hdr) + (p->inner_protocol == IPPROTO_ICMPV6 ? 4 : 0);
	__u16 old_port;
	if (bpf_skb_load_bytes(skb, inner_port, &old_port, 2) < 0)
		return -1;
	__s64 outer_diff = bpf_csum_diff(outer_dst, 16, pod_addr, 16, 0);
	__s64 inner_diff = bpf_csum_diff(nat_addr, 16, pod_addr, 16, 0);
	if (outer_diff < 0 || inner_diff < 0 ||
	    bpf_l4_csum_replace(skb, icmp + 2, 0, outer_diff, BPF_F_PSEUDO_HDR) < 0 || // the outer destination
	    bpf_l4_csum_replace(skb, icmp + 2, 0, inner_diff, 0) < 0 ||               // the quoted source
	    bpf_l4_csum_replace(skb, icmp + 2, old_port, pod_port, 2) < 0 ||
	    bpf_skb_store_bytes(skb, inner + 8, pod_addr, 16, 0) < 0 ||
	    bpf_skb_store_bytes(skb, inner_port, &pod_port, 2, 0) < 0 ||
	    bpf_skb_store_bytes(skb, ETH_HLEN + 24, pod_addr, 16, 0) < 0)
		return -1;
	bpf_csum_update(skb, outer_diff); // CHECKSUM_COMPLETE: the outer header's address (see snat_rewrite6)
	__builtin_memcpy(p->dst, pod_addr, 16);
	__builtin_memcpy(p->inner_src, pod_addr, 16);
	p->inner_sport = bpf_ntohs(pod_port);
	snat_reverse_marks(skb, (const __u8 *)pod_addr, (const __u8 *)nat_addr);
	return 1;
}

// calico_from_data's first step: a reply to a flow calico_to_data NATed (its reverse entry: {NAT address:port,
// remote}) gets the workload's address and port back, and both marks (untracked, as its flow's other packets); *p
// follows the rewrite. 1 rewritten, 0 not such a reply, -1 a rewrite that failed (dropped).
__attribute__((noinline)) int snat_reverse(struct __sk_buff *skb, struct cali_pkt *p)
{
	if (p && p->related && p->family == 4)
		return snat_reverse_error(skb, p);
	if (p && p->related && p->family == 6)
		return snat_reverse_error6(skb, p);
	if (!p || !snat_protocol(p, 1))
		return 0;
	struct cali_nat_key rk = { .protocol = p->protocol, .family = p->family, .reverse = 1 };
	__builtin_memcpy(rk.addr_a, p->dst, 16);
	__builtin_memcpy(rk.addr_b, p->src, 16);
	rk.port_a_be = bpf_htons(p->dport);
	rk.port_b_be = bpf_htons(p->sport);
	struct cali_nat_value *rv = bpf_map_lookup_elem(&cali_nat, &rk);
	if (!rv)
		return 0;
	int l4_6 = p->family == 6 ? snat6_l4_of(skb, p) : 0; // past any extension headers, found only for a binding's reply
	if (l4_6 < 0)
		return 0;
	__u64 now = cali_now();
	if (cali_since(now, rv->last_seen_ns) > CALI_CT_TOUCH_NS)
		rv->last_seen_ns = now;
	__u8 pod_addr[16];
	__builtin_memcpy(pod_addr, rv->addr, 16);
	__u16 pod_port = rv->port_be;
	if (p->family == 4 ? snat_rewrite(skb, p->protocol, 0, *(__u32 *)pod_addr, pod_port, p->later_fragment) < 0
			   : snat_rewrite6(skb, p->protocol, 0, pod_addr, pod_port, l4_6) < 0)
		return -1;
	__builtin_memcpy(p->dst, pod_addr, 16);
	p->dport = bpf_ntohs(pod_port);
	if (p->protocol == IPPROTO_ICMP || p->protocol == IPPROTO_ICMPV6)
		p->sport = p->dport;
	snat_reverse_marks(skb, pod_addr, rk.addr_a);
	return 1;
}

SEC("tc")
int calico_to_data(struct __sk_buff *skb)
{
	if ((skb->mark & (CALI_MARK_BPF_NAT | CALI_MARK_KERNEL_NAT)) == CALI_MARK_BPF_NAT)
		return handle_data_egress(skb);
	// The host's own packet: sent from this host (no ingress interface; a forwarded packet, a pod's included, has
	// one, and often the pod's socket as skb->sk too) by a socket. A port a workload's binding holds?
	if (!skb->ingress_ifindex && skb->sk)
		return host_flow_egress(skb);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
