// Live-frames sender: BPF_PROG_RUN of bpf/gen_tx.bpf.c with BPF_F_TEST_XDP_LIVE_FRAMES. The
// frames sit in a BPF array; the program sends them round-robin (XDP_TX) and stops at the
// exact count, pacing in the kernel when a rate is given. A run has a fixed set-up cost
// (about 20 ms here), so runs are long: one run when unpaced, ~1 s runs when paced.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

// The skeleton needs the program's shared types first.
// clang-format off
#include "securenet_xdp.h"
#include "gen_tx.skel.h"
// clang-format on
#include "securenet/common/clock.h"
#include "tools/gen/sender.h"

namespace securenet::gen {
namespace {

struct SkelDeleter {
  void operator()(gen_tx* s) const { gen_tx__destroy(s); }
};
using Skel = std::unique_ptr<gen_tx, SkelDeleter>;

std::string run_error(int err) {
  if ((err == EPERM || err == EACCES) && geteuid() != 0)
    return "gen: no permission to run BPF programs (run as root or grant CAP_BPF, CAP_NET_ADMIN)";
  if (err == EINVAL || err == EOPNOTSUPP)
    return "gen: BPF_PROG_RUN with live frames refused (needs Linux 5.18+ and an interface in "
           "this network namespace); use --mode packet";
  return std::string("gen: BPF_PROG_RUN failed: ") + std::strerror(err);
}

void on_wake(int) {}

// A paced run is long (most iterations wait): this thread interrupts it (EINTR) as soon as
// the target is reached or a stop is asked for, so no time is wasted after the last frame.
class Waker {
 public:
  Waker(const sn_gen_state& st, const std::atomic<bool>* stop)
      : st_(st), stop_(stop), main_(pthread_self()) {
    struct sigaction sa {};
    sa.sa_handler = on_wake;  // no SA_RESTART: the bpf() call returns EINTR
    sigaction(SIGUSR1, &sa, nullptr);
    thread_ = std::thread([this] { loop(); });
  }
  ~Waker() {
    done_.store(true);
    thread_.join();
  }

 private:
  void loop() {
    while (!done_.load()) {
      const uint64_t sent = __atomic_load_n(&st_.sent, __ATOMIC_RELAXED);
      if (sent >= st_.target || (stop_ && stop_->load(std::memory_order_relaxed)))
        pthread_kill(main_, SIGUSR1);  // repeated until the main thread has left the loop
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  const sn_gen_state& st_;
  const std::atomic<bool>* stop_;
  pthread_t main_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// libbpf's own messages (verifier logs...) only with SECURENET_BPF_DEBUG set.
int libbpf_print(libbpf_print_level, const char* fmt, va_list args) {
  static const bool debug = std::getenv("SECURENET_BPF_DEBUG") != nullptr;
  return debug ? std::vfprintf(stderr, fmt, args) : 0;
}

Result<Skel> load(const FrameList& frames) {
  libbpf_set_print(libbpf_print);
  if (frames.size() > SN_GEN_MAX_FRAMES)
    return make_error("gen: live mode carries at most " + std::to_string(SN_GEN_MAX_FRAMES) +
                      " distinct frames (got " + std::to_string(frames.size()) +
                      "); use --mode packet");
  Skel skel(gen_tx__open());
  if (!skel) return make_error(run_error(errno), errno);
  bpf_map__set_max_entries(skel->maps.sn_gen_frames, static_cast<uint32_t>(frames.size()));
  if (int err = gen_tx__load(skel.get()); err) return make_error(run_error(-err), -err);
  const int fd = bpf_map__fd(skel->maps.sn_gen_frames);
  auto f = std::make_unique<sn_gen_frame>();
  for (uint32_t i = 0; i < frames.size(); ++i) {
    if (frames[i].size() < 14 || frames[i].size() > SN_GEN_MAX_FRAME)
      return make_error("gen: live mode sends frames of 14.." + std::to_string(SN_GEN_MAX_FRAME) +
                        " bytes (frame " + std::to_string(i) + " has " +
                        std::to_string(frames[i].size()) + ")");
    *f = sn_gen_frame{};
    f->len = static_cast<uint32_t>(frames[i].size());
    std::memcpy(f->data, frames[i].data(), frames[i].size());
    if (bpf_map_update_elem(fd, &i, f.get(), BPF_ANY) != 0)
      return make_error(run_error(errno), errno);
  }
  return skel;
}

}  // namespace

bool live_supported() { return true; }

Result<SendResult> send_live(const SendPlan& plan) {
  const unsigned ifindex = if_nametoindex(plan.ifname.c_str());
  if (ifindex == 0) return make_error("gen: no such interface '" + plan.ifname + "'", errno);
  auto skel = load(*plan.frames);
  if (!skel) return skel.error();
  sn_gen_state& st = (*skel)->bss->state;
  st = sn_gen_state{};
  st.target = plan.count;
  st.frames = static_cast<uint32_t>(plan.frames->size());
  if (plan.pps > 0) {
    st.interval_ns = static_cast<uint64_t>(1e9 / plan.pps);
    if (st.interval_ns == 0) st.interval_ns = 1;
    st.max_lag_ns = std::max<uint64_t>(st.interval_ns * plan.batch, plan.max_lag_ns);
  }
  // The maximum frame is the initial packet; the program shrinks it to each frame's size.
  std::vector<uint8_t> buf(SN_GEN_MAX_FRAME, 0);
  xdp_md ctx{};
  ctx.ingress_ifindex = ifindex;
  ctx.data_end = SN_GEN_MAX_FRAME;  // the kernel wants the packet size here
  const int prog_fd = bpf_program__fd((*skel)->progs.sn_gen_tx);
  Pacer clock(0);
  st.next_ns = mono_ns();
  std::unique_ptr<Waker> waker;
  if (plan.pps > 0) waker = std::make_unique<Waker>(st, plan.stop);
  while (__atomic_load_n(&st.sent, __ATOMIC_RELAXED) < st.target &&
         !(plan.stop && plan.stop->load(std::memory_order_relaxed))) {
    const uint64_t left = st.target - st.sent;
    // Unpaced: one iteration per frame. Paced: most iterations are XDP_DROP while waiting.
    uint64_t repeat = plan.pps > 0 ? uint64_t(1) << 24 : left;
    if (repeat > (1u << 30)) repeat = 1u << 30;
    bpf_test_run_opts o{};
    o.sz = sizeof(o);
    o.data_in = buf.data();
    o.data_size_in = SN_GEN_MAX_FRAME;
    o.ctx_in = &ctx;
    o.ctx_size_in = sizeof(ctx);
    o.repeat = static_cast<int>(repeat);
    o.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
    o.batch_size = plan.batch < 256 ? plan.batch : 256;  // TEST_XDP_MAX_BATCH
    if (int err = bpf_prog_test_run_opts(prog_fd, &o); err && err != -EINTR)
      return make_error(run_error(-err), -err);
  }
  const double seconds = clock.elapsed();
  waker.reset();
  return SendResult{st.sent, seconds};
}

}  // namespace securenet::gen
