// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Capture program: each RX queue's packets go to that queue's AF_XDP socket (XSKMAP,
 * key = queue index); per-CPU per-queue counters of what was redirected, passed, dropped.
 * Inline drop list (issue 16 item 4b): while drop_active is set, a frame whose IPv4/IPv6
 * source falls in a prefix of sn_drop_prefixes (LPM trie) is dropped before the socket and
 * counted in its slot of sn_drop_counts. */
/* linux/bpf.h first: the helpers need its types */
/* clang-format off */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
/* clang-format on */
#include <linux/if_ether.h>

#include "securenet_xdp.h"

struct {
  __uint(type, BPF_MAP_TYPE_XSKMAP);
  __uint(max_entries, SN_XDP_MAX_QUEUES);
  __type(key, __u32);
  __type(value, __u32);
} sn_xsks SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, SN_XDP_MAX_QUEUES);
  __type(key, __u32);
  __type(value, struct sn_xdp_counters);
} sn_counters SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, SN_XDP_DROP_SLOTS);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct sn_drop_key);
  __type(value, __u32);
} sn_drop_prefixes SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, SN_XDP_DROP_SLOTS);
  __type(key, __u32);
  __type(value, __u64);
} sn_drop_counts SEC(".maps");

/* Set by the loader before load: what to do with packets of a queue that has no socket. */
const volatile __u32 pass_unclaimed = 1;
/* Set by user space (mapped .bss): 1 while the drop list has entries (no lookup otherwise). */
__u32 drop_active = 0;

/* The slot of the drop-list entry matching the frame's source, or -1. */
static __always_inline int drop_slot(struct xdp_md* ctx) {
  void* data = (void*)(long)ctx->data;
  void* end = (void*)(long)ctx->data_end;
  struct ethhdr* eth = data;
  if ((void*)(eth + 1) > end) return -1;
  __u16 proto = eth->h_proto;
  void* l3 = eth + 1;
#pragma unroll
  for (int i = 0; i < 2; i++) { /* up to two VLAN tags (802.1Q, 802.1ad) */
    if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD)) break;
    if (l3 + 4 > end) return -1;
    proto = *(__u16*)(l3 + 2);
    l3 += 4;
  }
  struct sn_drop_key key = {.prefixlen = 128};
  if (proto == bpf_htons(ETH_P_IP)) {
    if (l3 + 20 > end) return -1;
    key.addr[10] = 0xff;
    key.addr[11] = 0xff;
    __builtin_memcpy(&key.addr[12], l3 + 12, 4); /* saddr */
  } else if (proto == bpf_htons(ETH_P_IPV6)) {
    if (l3 + 40 > end) return -1;
    __builtin_memcpy(key.addr, l3 + 8, 16); /* saddr */
  } else {
    return -1;
  }
  __u32* slot = bpf_map_lookup_elem(&sn_drop_prefixes, &key);
  return slot ? (int)*slot : -1;
}

SEC("xdp")
int sn_xsk_capture(struct xdp_md* ctx) {
  if (drop_active) {
    int s = drop_slot(ctx);
    if (s >= 0) {
      __u32 k = (__u32)s;
      __u64* n = bpf_map_lookup_elem(&sn_drop_counts, &k);
      if (n) *n += 1;
      return XDP_DROP;
    }
  }
  __u32 q = ctx->rx_queue_index;
  struct sn_xdp_counters* c = bpf_map_lookup_elem(&sn_counters, &q);
  /* Lookup miss (no socket on this queue) returns the default action in the low bits: 0. */
  long act = bpf_redirect_map(&sn_xsks, q, 0);
  if (act == XDP_REDIRECT) {
    if (c) c->redirected++;
    return XDP_REDIRECT;
  }
  if (pass_unclaimed) {
    if (c) c->passed++;
    return XDP_PASS;
  }
  if (c) c->dropped++;
  return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
