// The two ways securenet-gen puts frames on an interface.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "securenet/result.h"
#include "tools/gen/frames.h"

namespace securenet::gen {

struct SendPlan {
  std::string ifname;
  const FrameList* frames = nullptr;        // sent round-robin: frame i % size
  uint64_t count = 0;                       // exact number of frames to send
  double pps = 0;                           // 0 = as fast as possible
  uint32_t batch = 64;                      // frames per syscall / live-frames batch (max 256)
  const std::atomic<bool>* stop = nullptr;  // set from a signal handler
  uint64_t max_lag_ns = 10000000;           // after a stall, catch up at most this much traffic
};

struct SendResult {
  uint64_t sent = 0;
  double seconds = 0;
};

// AF_PACKET sendmmsg (qdisc bypass). Works on any interface.
Result<SendResult> send_packet(const SendPlan& plan);

// BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES and an XDP_TX program: the frames leave
// through `ifname` from inside the kernel (on a veth they arrive at the peer, which needs
// an XDP program of its own). Only built with AF_XDP support.
Result<SendResult> send_live(const SendPlan& plan);
bool live_supported();

// Sleeps so that `done` frames are not ahead of the plan's rate.
class Pacer {
 public:
  explicit Pacer(double pps, uint64_t max_lag_ns = 10000000);
  void wait(uint64_t done);
  double elapsed() const;

 private:
  double pps_;
  uint64_t max_lag_ns_;
  uint64_t start_ns_;
  uint64_t epoch_ns_;  // start of the schedule, moved forward when too far behind
  uint64_t epoch_done_ = 0;
};

}  // namespace securenet::gen
