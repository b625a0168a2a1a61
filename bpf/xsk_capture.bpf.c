// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Capture program: each RX queue's packets go to that queue's AF_XDP socket (XSKMAP,
 * key = queue index); per-CPU per-queue counters of what was redirected, passed, dropped. */
/* linux/bpf.h first: the helpers need its types */
/* clang-format off */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
/* clang-format on */

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

/* Set by the loader before load: what to do with packets of a queue that has no socket. */
const volatile __u32 pass_unclaimed = 1;

SEC("xdp")
int sn_xsk_capture(struct xdp_md* ctx) {
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
