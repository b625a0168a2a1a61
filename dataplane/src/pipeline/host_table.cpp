#include "pipeline/host_table.h"

#include <atomic>

namespace securenet {
namespace {

void zero(shm::Counter& c) noexcept { c.store(0, std::memory_order_relaxed); }
template <size_t N>
void zero(std::array<shm::Counter, N>& a) noexcept {
  for (auto& c : a) c.store(0, std::memory_order_relaxed);
}

void zero_fields(shm::HostEntry& e) noexcept {
#define SECURENET_X(member, width, kind, api_name) zero(e.member);
  SECURENET_HOST_FIELDS(SECURENET_X)
#undef SECURENET_X
  zero(e.rate_window);  // issue 17: the next host starts its sliding second from nothing
}

}  // namespace

// The probe walk: skips tombstones, stops at an empty slot; a new key takes the first
// tombstone of its chain (only now that the key is known not to be further along).
shm::HostEntry* HostTable::find_or_insert_probe(const shm::IpKey& k, uint64_t slot) noexcept {
  // find_or_insert found the home slot not holding `k`: occupied by another key (no compare
  // again), empty or a tombstone.
  shm::HostEntry* tomb = nullptr;
  shm::HostEntry& home = entries_[slot];
  const uint64_t home_tag = shm::host_tag(home.state.load(std::memory_order_relaxed));
  if (home_tag == shm::kHostEmpty) return insert(home, k);
  if (home_tag != shm::kHostOccupied) tomb = &home;
  for (uint32_t i = 1; i < kMaxProbe; ++i) {
    shm::HostEntry& e = entries_[(slot + i) & mask_];
    const uint64_t tag = shm::host_tag(e.state.load(std::memory_order_relaxed));
    if (tag == shm::kHostOccupied) {
      if (key_equal(e.key, k)) return &e;
      continue;
    }
    if (tag == shm::kHostEmpty) return insert(tomb ? *tomb : e, k);
    if (!tomb) tomb = &e;
  }
  if (tomb) return insert(*tomb, k);
  shm::bump(counters_->host_table_full);
  return nullptr;
}

void HostTable::set_idle_ns(uint64_t idle_ns) noexcept {
  idle_ns_ = idle_ns;
  if (idle_ns == 0) {
    next_sweep_ns_ = UINT64_MAX;
    return;
  }
  const uint64_t steps = (capacity() + kSweepSlots - 1) / kSweepSlots;  // steps per pass
  pass_ns_ = idle_ns / 4;
  step_ns_ = pass_ns_ / steps > 0 ? pass_ns_ / steps : 1;
  next_sweep_ns_ = 0;  // scheduled from the first packet time (sweep_due)
}

// Called when the packet clock reached next_sweep_ns_: the steps that are due (at most
// kMaxStepsPerBurst: a slow link whose bursts each span several steps of packet time keeps
// the pace), each a step of packet time after the last. A clock that jumped ahead (a gap in
// a capture) is caught up over the next bursts, at most one pass's worth.
void HostTable::sweep_due() noexcept {
  if (next_sweep_ns_ == 0) {
    next_sweep_ns_ = now_ns_ + step_ns_;
    return;
  }
  if (next_sweep_ns_ + pass_ns_ < now_ns_) next_sweep_ns_ = now_ns_ - pass_ns_;
  for (uint32_t n = 0; n < kMaxStepsPerBurst && next_sweep_ns_ <= now_ns_; ++n) {
    sweep_step();
    next_sweep_ns_ += step_ns_;
  }
}

void HostTable::sweep_step() noexcept {
  if (idle_ns_ == 0) return;
  for (uint32_t n = 0; n < kSweepSlots && n <= mask_; ++n) {
    const uint64_t i = sweep_pos_;
    sweep_pos_ = (sweep_pos_ + 1) & mask_;
    shm::HostEntry& e = entries_[i];
    uint64_t s = e.state.load(std::memory_order_relaxed);
    if (shm::host_tag(s) == shm::kHostOccupied) {
      const uint64_t last = shm::read(e.last_seen_ns);
      if (last + idle_ns_ > now_ns_) continue;  // still live
      evict(e, s);
      s = e.state.load(std::memory_order_relaxed);
    }
    if (shm::host_tag(s) != shm::kHostTombstone) continue;
    const uint64_t next = entries_[(i + 1) & mask_].state.load(std::memory_order_relaxed);
    if (shm::host_tag(next) == shm::kHostEmpty) reclaim_back(i);
  }
}

// occupied(g) -> tombstone(g + 1), then the counters are zeroed for the next host. The
// release fence orders the state change before those writes: a reader that copied any of
// them re-loads a state other than the one it started with, and drops its copy.
void HostTable::evict(shm::HostEntry& e, uint64_t state) noexcept {
  const uint64_t gen = shm::host_generation(state) + 1;
  e.state.store((gen << 2) | shm::kHostTombstone, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  zero_fields(e);
  shm::bump(counters_->hosts_evicted);
  const uint64_t in = shm::read(counters_->hosts_in_table);
  counters_->hosts_in_table.store(in ? in - 1 : 0, std::memory_order_relaxed);
}

// `slot` is a tombstone followed by an empty slot: no probe chain runs past that empty
// slot, so this tombstone and the run of tombstones before it can become empty.
void HostTable::reclaim_back(uint64_t slot) noexcept {
  for (uint32_t n = 0; n < kMaxReclaimRun && n <= mask_; ++n) {
    shm::HostEntry& e = entries_[slot];
    const uint64_t s = e.state.load(std::memory_order_relaxed);
    if (shm::host_tag(s) != shm::kHostTombstone) return;
    e.state.store(s & ~shm::kHostTagMask, std::memory_order_relaxed);  // empty, same generation
    slot = (slot - 1) & mask_;
  }
}

const shm::HostEntry* HostTable::find(const shm::IpKey& k) const noexcept {
  const uint64_t slot = slot_of(k);
  for (uint32_t i = 0; i < kMaxProbe; ++i) {
    const shm::HostEntry& e = entries_[(slot + i) & mask_];
    const uint64_t tag = shm::host_tag(e.state.load(std::memory_order_acquire));
    if (tag == shm::kHostEmpty) return nullptr;
    if (tag == shm::kHostOccupied && key_equal(e.key, k)) return &e;
  }
  return nullptr;
}

void HostTable::clear() noexcept {
  for (uint64_t i = 0; i <= mask_; ++i) {
    shm::HostEntry& e = entries_[i];
    if (e.state.load(std::memory_order_relaxed) == 0) continue;
    e.state.store(0, std::memory_order_release);  // readers skip it from now on
    zero_fields(e);
    std::memset(&e.key, 0, sizeof(e.key));
  }
  counters_->hosts_in_table.store(0, std::memory_order_relaxed);
  sweep_pos_ = 0;
}

}  // namespace securenet
