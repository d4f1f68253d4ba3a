// SPDX-License-Identifier: GPL-2.0
// A test object for the parallel loader (BpfObject.LoadInParallel): one program the verifier accepts and one it
// refuses (it reads the packet without checking its length), so a test can tell that the refusal fails the load and
// names the program, with the verifier's words.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

SEC("tc")
int accepted(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&seen, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
	return TC_ACT_OK;
}

SEC("tc")
int refused(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data;

	return data[0] == 1 ? TC_ACT_SHOT : TC_ACT_OK; // no check against data_end: out of bounds for the verifier
}

char LICENSE[] SEC("license") = "GPL";
