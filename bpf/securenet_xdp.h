/* The ONE header shared by the XDP programs (bpf/NAME.bpf.c) and the C++ loader
 * (dataplane/src/sources/afxdp/). Layouts are checked on both sides with static asserts. */
#pragma once

#include <linux/types.h>

#ifdef __cplusplus
#include <cstddef>
#define SN_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#include <stddef.h>
#define SN_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/* Size of the XSKMAP and of the per-queue counter array: RX queues 0..63. */
#define SN_XDP_MAX_QUEUES 64

/* Function (and kernel program) names; the loader recognises a stale program of ours
 * left on an interface by a crashed dataplane by this name (at most 15 characters). */
#define SN_XDP_CAPTURE_PROG_NAME "sn_xsk_capture"
#define SN_XDP_GEN_PROG_NAME "sn_gen_tx"

/* Per-CPU, per-RX-queue counters of the capture program (value of sn_counters). */
struct sn_xdp_counters {
  __u64 redirected; /* handed to the AF_XDP socket of the queue */
  __u64 passed;     /* no socket on the queue: passed to the kernel stack */
  __u64 dropped;    /* no socket on the queue and pass_unclaimed == 0: dropped */
  __u64 reserved;
};

SN_STATIC_ASSERT(sizeof(struct sn_xdp_counters) == 32, "sn_xdp_counters size");
SN_STATIC_ASSERT(offsetof(struct sn_xdp_counters, redirected) == 0, "redirected offset");
SN_STATIC_ASSERT(offsetof(struct sn_xdp_counters, passed) == 8, "passed offset");
SN_STATIC_ASSERT(offsetof(struct sn_xdp_counters, dropped) == 16, "dropped offset");

/* ---- inline drop list (issue 16 item 4b) ---------------------------------------------- */

/* Entries of the LPM trie of blocked source prefixes (= slots of the shm drop list). */
#define SN_XDP_DROP_SLOTS 256

/* Key of sn_drop_prefixes: an LPM-trie key over the 16-byte address (IPv4 as the mapped
 * ::ffff:a.b.c.d, so an IPv4 /n is prefixlen 96 + n). The value is the entry's slot, the
 * index of its per-CPU drop counter in sn_drop_counts. */
struct sn_drop_key {
  __u32 prefixlen;
  __u8 addr[16];
};

SN_STATIC_ASSERT(sizeof(struct sn_drop_key) == 20, "sn_drop_key size");

/* ---- traffic generator (gen_tx.bpf.c, run with BPF_PROG_RUN live frames) ---------------- */

/* Largest frame the live-frames generator carries (without FCS), and its frame table size. */
#define SN_GEN_MAX_FRAME 1536
#define SN_GEN_MAX_FRAMES 4096

/* One frame of the generator's table (value of sn_gen_frames). */
struct sn_gen_frame {
  __u32 len;
  __u32 reserved;
  __u8 data[SN_GEN_MAX_FRAME];
};

/* Generator state, a global of the program (.bss, mapped by user space). Each run of the
 * program sends the next frame of the table (XDP_TX) until `sent` reaches `target`;
 * with interval_ns != 0 it returns XDP_DROP until the frame is due (pacing in the kernel). */
struct sn_gen_state {
  __u64 target;      /* frames to send in total */
  __u64 sent;        /* frames sent (XDP_TX) so far */
  __u64 next_ns;     /* bpf_ktime_get_ns() at which the next frame is due */
  __u64 interval_ns; /* 0 = as fast as possible */
  __u64 max_lag_ns;  /* never catch up more than this (bounds bursts after a pause) */
  __u32 frames;      /* entries used in sn_gen_frames */
  __u32 next_frame;  /* index of the next frame to send */
};

SN_STATIC_ASSERT(sizeof(struct sn_gen_frame) == 8 + SN_GEN_MAX_FRAME, "sn_gen_frame size");
SN_STATIC_ASSERT(offsetof(struct sn_gen_frame, data) == 8, "sn_gen_frame data offset");
SN_STATIC_ASSERT(sizeof(struct sn_gen_state) == 48, "sn_gen_state size");
SN_STATIC_ASSERT(offsetof(struct sn_gen_state, sent) == 8, "sn_gen_state sent offset");
SN_STATIC_ASSERT(offsetof(struct sn_gen_state, frames) == 40, "sn_gen_state frames offset");
