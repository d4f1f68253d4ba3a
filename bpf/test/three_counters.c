// SPDX-License-Identifier: GPL-2.0
// A test object for the parallel loader (BpfObject.LoadInParallel): three programs sharing one map, each counting the
// frames it passes in its own slot, so a test can tell that every program was loaded and that all three write the
// same (pinned) map.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline int count_in(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&counts, &slot);

	if (n)
		__sync_fetch_and_add(n, 1);
	return TC_ACT_OK;
}

SEC("tc")
int count_first(struct __sk_buff *skb)
{
	return count_in(0);
}

SEC("tc")
int count_second(struct __sk_buff *skb)
{
	return count_in(1);
}

SEC("tc")
int count_third(struct __sk_buff *skb)
{
	return count_in(2);
}

char LICENSE[] SEC("license") = "GPL";
