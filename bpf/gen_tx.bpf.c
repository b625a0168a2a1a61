// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Traffic generator program, run with BPF_PROG_RUN and BPF_F_TEST_XDP_LIVE_FRAMES on one
 * end of a veth pair: each run writes the next frame of the table into the packet and
 * transmits it (XDP_TX: it arrives at the peer), until exactly state.target frames were
 * sent. With a rate, runs before the next frame is due return XDP_DROP (nothing sent). */
/* linux/bpf.h first: the helpers need its types */
/* clang-format off */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
/* clang-format on */

#include "securenet_xdp.h"

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, SN_GEN_MAX_FRAMES); /* resized to the frame count before load */
  __type(key, __u32);
  __type(value, struct sn_gen_frame);
} sn_gen_frames SEC(".maps");

struct sn_gen_state state; /* single writer: a test run stays on one CPU */

SEC("xdp")
int sn_gen_tx(struct xdp_md* ctx) {
  if (state.sent >= state.target) return XDP_DROP;
  if (state.interval_ns) {
    __u64 now = bpf_ktime_get_ns();
    if (now < state.next_ns) return XDP_DROP;
    if (now - state.next_ns > state.max_lag_ns) state.next_ns = now - state.max_lag_ns;
    state.next_ns += state.interval_ns;
  }
  __u32 idx = state.next_frame;
  struct sn_gen_frame* f = bpf_map_lookup_elem(&sn_gen_frames, &idx);
  if (!f) return XDP_ABORTED;
  __u32 len = f->len;
  if (len < 14 || len > SN_GEN_MAX_FRAME) return XDP_ABORTED;
  int cur = (int)bpf_xdp_get_buff_len(ctx);
  if (bpf_xdp_adjust_tail(ctx, (int)len - cur)) return XDP_ABORTED;
  if (bpf_xdp_store_bytes(ctx, 0, f->data, len)) return XDP_ABORTED;
  state.next_frame = idx + 1 >= state.frames ? 0 : idx + 1;
  state.sent++;
  return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
