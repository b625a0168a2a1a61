// DpdkSource: one RX queue of a started Port, handed to one worker.
#include "sources/dpdk/dpdk_source.h"

#include <rte_branch_prediction.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <ctime>

#include "securenet/common/clock.h"
#include "sources/dpdk/eal.h"
#include "sources/dpdk/port.h"

namespace securenet {
namespace {

class DpdkSource final : public PacketSource {
 public:
  DpdkSource(std::shared_ptr<dpdk::Port> port, uint16_t queue)
      : port_(std::move(port)), port_id_(port_->id()), queue_(queue) {}
  ~DpdkSource() override { release(); }
  DpdkSource(const DpdkSource&) = delete;
  DpdkSource& operator=(const DpdkSource&) = delete;

  uint32_t rx_burst(PacketView* out, uint32_t max) noexcept override {
    release();
    if (unlikely(!thread_checked_)) check_thread();
    const uint16_t n = rte_eth_rx_burst(port_id_, queue_, held_,
                                        static_cast<uint16_t>(std::min(max, kMaxSourceBurst)));
    held_n_ = n;
    if (n == 0) return 0;
    const uint64_t ts = wall_ns();
    for (uint16_t i = 0; i < n; ++i) {
      const rte_mbuf* m = held_[i];
      // No data prefetch here: the worker prefetches the headers of the whole burst.
      out[i] = PacketView{rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, m->pkt_len, ts};
    }
    return n;
  }

  // The counters are port-wide: queue 0 reports them, the others report zero, so the sum
  // over workers is right.
  SourceStats stats() noexcept override { return queue_ == 0 ? port_->stats() : SourceStats{}; }

 private:
  // Returns the previous burst's mbufs. Fast path (what receive-only drivers hand out):
  // direct, single-segment, unshared mbufs of one pool go back with one mempool put, as
  // TX fast-free does; anything else takes rte_pktmbuf_free_bulk.
  void release() noexcept {
    if (held_n_ == 0) return;
    rte_mempool* pool = held_[0]->pool;
    bool simple = true;
    for (uint32_t i = 0; i < held_n_; ++i) {
      const rte_mbuf* m = held_[i];
      // All in the mbuf's first cache line (nb_segs == 1 implies next == NULL).
      simple &=
          m->pool == pool && m->nb_segs == 1 && rte_mbuf_refcnt_read(m) == 1 && RTE_MBUF_DIRECT(m);
    }
    if (likely(simple))
      rte_mempool_put_bulk(pool, reinterpret_cast<void**>(held_), held_n_);
    else
      rte_pktmbuf_free_bulk(held_, held_n_);
    held_n_ = 0;
  }
  // First burst on a thread: give it an lcore id (mempool cache). Checked once per source;
  // a source stays on the worker thread that first polls it.
  void check_thread() noexcept {
    dpdk::register_current_thread();
    thread_checked_ = true;
  }

  std::shared_ptr<dpdk::Port> port_;
  uint16_t port_id_;
  uint16_t queue_;
  bool thread_checked_ = false;
  uint32_t held_n_ = 0;
  rte_mbuf* held_[kMaxSourceBurst];
};

}  // namespace

Result<std::vector<std::unique_ptr<PacketSource>>> make_dpdk_sources(const SourceOptions& opts) {
  if (opts.workers == 0 || opts.workers > RTE_MAX_QUEUES_PER_PORT)
    return make_error("DPDK: workers must be 1.." + std::to_string(RTE_MAX_QUEUES_PER_PORT));
  auto eal = dpdk::Eal::acquire(opts.eal_args);
  if (!eal) return eal.error();
  dpdk::PortOptions po{opts.target, static_cast<uint16_t>(opts.workers), opts.ring_size};
  auto port = dpdk::Port::open(*eal, po);
  if (!port) return port.error();
  std::vector<std::unique_ptr<PacketSource>> sources;
  for (uint16_t q = 0; q < opts.workers; ++q)
    sources.push_back(std::make_unique<DpdkSource>(*port, q));
  return sources;
}

}  // namespace securenet
