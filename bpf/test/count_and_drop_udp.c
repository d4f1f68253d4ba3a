// SPDX-License-Identifier: GPL-2.0
// A test program for the loader: counts every frame it sees (per verdict) and drops IPv4 UDP, passes the rest.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2); // [0] passed, [1] dropped
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

static __always_inline void count(__u32 verdict)
{
	__u64 *n = bpf_map_lookup_elem(&verdicts, &verdict);
	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("tc")
int count_and_drop_udp(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) <= end && eth->h_proto == bpf_htons(ETH_P_IP) && ip->protocol == IPPROTO_UDP) {
		count(1);
		return TC_ACT_SHOT;
	}
	count(0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
