// Read-only view of the dataplane's segment: validates the header, sums workers, walks
// host tables and copies sampled records (seqlock protocol of shm_layout.h).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "securenet/common/fd.h"
#include "securenet/shm_reader.h"

namespace securenet {
namespace {

using shm::Counter;
using shm::read;

template <typename T>
const T* at(const void* base, uint64_t off) {
  return reinterpret_cast<const T*>(static_cast<const char*>(base) + off);
}

// Header fields that must match this build before anything else is trusted.
Status check_header(const std::string& name, const shm::Header& h, size_t file_size) {
  if (h.magic != shm::kMagic) {
    return make_error("segment " + name + " is not a SecureNet segment (bad magic)");
  }
  if (h.layout_version != shm::kLayoutVersion) {
    return make_error("segment " + name + " has layout version " +
                      std::to_string(h.layout_version) + ", this build reads " +
                      std::to_string(shm::kLayoutVersion) + "; restart both with the same build");
  }
  if (h.header_size != sizeof(shm::Header) ||
      h.sizeof_worker_counters != sizeof(shm::WorkerCounters) ||
      h.sizeof_host_entry != sizeof(shm::HostEntry) ||
      h.sizeof_sample_record != sizeof(shm::SampleRecord) ||
      h.sizeof_control_block != sizeof(shm::ControlBlock)) {
    return make_error("segment " + name + " has struct sizes that differ from this build's" +
                      "; restart both with the same build");
  }
  if (h.sizeof_capture_header != sizeof(shm::CaptureRecordHeader) ||
      h.capture_bytes < shm::kCaptureBlock || (h.capture_bytes & (h.capture_bytes - 1)) ||
      h.capture_bytes > (1ULL << 32) ||
      h.capture_stride < sizeof(shm::CaptureRingHeader) + h.capture_bytes ||
      h.capture_offset % 4096 != 0 || h.capture_stride > (1ULL << 40) ||
      h.capture_offset + uint64_t{h.num_workers} * h.capture_stride > h.segment_size) {
    return make_error("segment " + name + " has an inconsistent capture region");
  }
  if (read(h.ready) != 1)
    return make_error("segment " + name + " is not ready yet (dataplane starting)");
  if (h.segment_size > file_size || h.num_workers == 0 || h.num_workers > shm::kMaxWorkers ||
      h.control_offset % 4096 != 0 ||
      h.control_offset + sizeof(shm::ControlBlock) > h.segment_size) {
    return make_error("segment " + name + " has an inconsistent header (size or worker count)");
  }
  for (uint32_t w = 0; w < h.num_workers; ++w) {
    const shm::WorkerRegion& r = h.workers[w];
    const bool pow2 = r.host_capacity && !(r.host_capacity & (r.host_capacity - 1)) &&
                      r.ring_capacity && !(r.ring_capacity & (r.ring_capacity - 1));
    const bool fits = r.counters_offset + sizeof(shm::WorkerCounters) <= h.segment_size &&
                      r.host_capacity <= (1ULL << 32) &&
                      r.hosts_offset + r.host_capacity * sizeof(shm::HostEntry) <= h.segment_size &&
                      r.ring_capacity <= (1ULL << 32) &&
                      r.ring_offset + sizeof(shm::SampleRingHeader) +
                              r.ring_capacity * sizeof(shm::SampleRecord) <=
                          h.segment_size;
    const shm::CrossingRegion& c = h.crossings[w];  // issue 17
    const bool ring_ok =
        c.capacity && !(c.capacity & (c.capacity - 1)) && c.capacity <= (1ULL << 20) &&
        c.offset + sizeof(shm::CrossingRingHeader) + c.capacity * sizeof(shm::CrossingRecord) <=
            h.segment_size;
    if (!pow2 || !fits || !ring_ok)
      return make_error("segment " + name + " has an inconsistent region for worker " +
                        std::to_string(w));
  }
  return Ok{};
}

struct KeyHash {
  size_t operator()(const shm::IpKey& k) const noexcept {
    uint64_t a, b;
    std::memcpy(&a, k.bytes, 8);
    std::memcpy(&b, k.bytes + 8, 8);
    return static_cast<size_t>((a * 0x9E3779B97F4A7C15ULL) ^ (b * 0xC2B2AE3D27D4EB4FULL));
  }
};
struct KeyEq {
  bool operator()(const shm::IpKey& x, const shm::IpKey& y) const noexcept {
    return std::memcmp(x.bytes, y.bytes, 16) == 0;
  }
};

}  // namespace

Result<ShmReader> ShmReader::open(const std::string& name, bool writable_control) {
  const std::string path = "/" + name;
  Fd fd{shm_open(path.c_str(), writable_control ? O_RDWR : O_RDONLY, 0)};
  if (!fd) {
    const int e = errno;
    return make_error(
        "cannot open /dev/shm/" + name + ": " + std::strerror(e) +
            (e == ENOENT ? " (is securenet-dataplane running with this --instance?)" : ""),
        e);
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0)
    return make_error("cannot stat /dev/shm/" + name + ": " + std::strerror(errno), errno);
  const size_t file_size = static_cast<size_t>(st.st_size);
  if (file_size < sizeof(shm::Header))
    return make_error("segment " + name + " is too small to be a SecureNet segment");
  void* base = mmap(nullptr, file_size, PROT_READ, MAP_SHARED, fd.get(), 0);
  if (base == MAP_FAILED)
    return make_error("cannot map /dev/shm/" + name + ": " + std::strerror(errno), errno);

  ShmReader r;
  r.base_ = base;
  r.size_ = file_size;
  r.header_ = static_cast<const shm::Header*>(base);
  if (auto ok = check_header(name, *r.header_, file_size); !ok) return ok.error();
  if (writable_control) {
    // Remap only the control block's pages read-write, in place.
    const uint64_t off = r.header_->control_offset;
    const uint64_t len = (sizeof(shm::ControlBlock) + 4095) / 4096 * 4096;
    void* want = static_cast<char*>(base) + off;
    void* p = mmap(want, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd.get(),
                   static_cast<off_t>(off));
    if (p == MAP_FAILED)
      return make_error(
          "cannot map the control block of " + name + " read-write: " + std::strerror(errno),
          errno);
    r.control_ = static_cast<shm::ControlBlock*>(p);
  }
  return r;
}

ShmReader::ShmReader(ShmReader&& o) noexcept
    : base_(std::exchange(o.base_, nullptr)),
      size_(o.size_),
      header_(std::exchange(o.header_, nullptr)),
      control_(std::exchange(o.control_, nullptr)) {}

ShmReader& ShmReader::operator=(ShmReader&& o) noexcept {
  if (this != &o) {
    reset();
    base_ = std::exchange(o.base_, nullptr);
    size_ = o.size_;
    header_ = std::exchange(o.header_, nullptr);
    control_ = std::exchange(o.control_, nullptr);
  }
  return *this;
}

ShmReader::~ShmReader() { reset(); }

void ShmReader::reset() noexcept {
  if (base_) munmap(base_, size_);
  base_ = nullptr;
  header_ = nullptr;
  control_ = nullptr;
}

// Adds one worker's counters to g (the heartbeat: the oldest).
static void add_worker(GlobalCounters& g, const shm::WorkerCounters& c) noexcept {
#define SECURENET_X(member, type, api_metrics, api_status, help) g.member += read(c.member);
  SECURENET_WORKER_COUNTERS(SECURENET_X)
#undef SECURENET_X
#define SECURENET_X(member, length) \
  for (size_t i = 0; i < (length); ++i) g.member[i] += read(c.member[i]);
  SECURENET_WORKER_ARRAYS(SECURENET_X)
#undef SECURENET_X
  const uint64_t hb = read(c.heartbeat_ns);
  if (hb < g.oldest_heartbeat_ns) g.oldest_heartbeat_ns = hb;
}

GlobalCounters ShmReader::totals() const {
  GlobalCounters g;
  g.oldest_heartbeat_ns = UINT64_MAX;
  for (uint32_t w = 0; w < header_->num_workers; ++w) {
    add_worker(g, *at<shm::WorkerCounters>(base_, header_->workers[w].counters_offset));
  }
  if (g.oldest_heartbeat_ns == UINT64_MAX) g.oldest_heartbeat_ns = 0;
  return g;
}

GlobalCounters ShmReader::worker_totals(unsigned w) const {
  GlobalCounters g;
  if (w >= header_->num_workers) return g;
  g.oldest_heartbeat_ns = UINT64_MAX;
  add_worker(g, *at<shm::WorkerCounters>(base_, header_->workers[w].counters_offset));
  return g;
}

std::string ShmReader::worker_source(unsigned w) const {
  const char* own = w < header_->num_workers ? header_->workers[w].source_name : "";
  const size_t n = strnlen(own, sizeof(shm::WorkerRegion::source_name));
  if (n) return std::string(own, n);
  return std::string(header_->source_name,
                     strnlen(header_->source_name, sizeof header_->source_name));
}

std::vector<InterfaceTotals> ShmReader::interfaces() const {
  std::vector<InterfaceTotals> out;
  for (uint32_t w = 0; w < header_->num_workers; ++w) {
    const std::string name = worker_source(w);
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const InterfaceTotals& i) { return i.name == name; });
    if (it == out.end()) {
      it = out.insert(out.end(), InterfaceTotals{name, 0, {}});
      it->totals.oldest_heartbeat_ns = UINT64_MAX;
    }
    ++it->workers;
    add_worker(it->totals, *at<shm::WorkerCounters>(base_, header_->workers[w].counters_offset));
  }
  return out;
}

void ShmReader::for_each_host(const std::function<void(const HostCounters&)>& fn) const {
  scan_hosts([&](unsigned, uint64_t, const HostCounters& h) { fn(h); });
}

std::vector<HostCounters> ShmReader::merge_hosts() const {
  std::unordered_map<shm::IpKey, HostCounters, KeyHash, KeyEq> merged;
  for_each_host([&](const HostCounters& h) {
    auto [it, fresh] = merged.try_emplace(h.key, h);
    if (fresh) return;
    merge_host(it->second, h);
  });
  std::vector<HostCounters> out;
  out.reserve(merged.size());
  for (auto& [k, v] : merged) out.push_back(v);
  return out;
}

// SampleRecord holds atomics, so it can be neither copied nor moved: records are copied
// field by field, and `out` grows by building a fresh vector of the final size.
static void copy_record(const shm::SampleRecord& from, shm::SampleRecord& to) noexcept {
  to.seq_plus_one.store(read(from.seq_plus_one), std::memory_order_relaxed);
  to.ts_ns.store(read(from.ts_ns), std::memory_order_relaxed);
  constexpr size_t kPlain = offsetof(shm::SampleRecord, src);
  std::memcpy(reinterpret_cast<char*>(&to) + kPlain, reinterpret_cast<const char*>(&from) + kPlain,
              sizeof(shm::SampleRecord) - kPlain);
}

uint64_t ShmReader::read_samples(std::vector<uint64_t>& cursors,
                                 std::vector<shm::SampleRecord>& out) const {
  uint64_t lost = 0;
  if (cursors.size() < header_->num_workers) cursors.resize(header_->num_workers, 0);
  for (uint32_t w = 0; w < header_->num_workers; ++w) {
    const shm::WorkerRegion& r = header_->workers[w];
    const auto& ring = *at<shm::SampleRingHeader>(base_, r.ring_offset);
    const auto* recs = at<shm::SampleRecord>(base_, r.ring_offset + sizeof(shm::SampleRingHeader));
    const uint64_t cap = r.ring_capacity;
    const uint64_t head = ring.head.load(std::memory_order_acquire);
    uint64_t seq = cursors[w];
    if (seq > head) seq = head;  // the dataplane restarted its ring
    if (head - seq > cap) {
      lost += head - seq - cap;
      seq = head - cap;
    }
    std::vector<shm::SampleRecord> fresh(out.size() + (head - seq));
    size_t n = 0;
    for (const auto& rec : out) copy_record(rec, fresh[n++]);
    for (; seq < head; ++seq) {
      const shm::SampleRecord& slot = recs[seq & (cap - 1)];
      const uint64_t before = slot.seq_plus_one.load(std::memory_order_acquire);
      copy_record(slot, fresh[n]);
      std::atomic_thread_fence(std::memory_order_acquire);
      const uint64_t after = slot.seq_plus_one.load(std::memory_order_relaxed);
      if (before != seq + 1 || after != seq + 1) {
        ++lost;  // overwritten while we read it
        continue;
      }
      ++n;
    }
    cursors[w] = seq;
    std::vector<shm::SampleRecord> exact(n);
    for (size_t i = 0; i < n; ++i) copy_record(fresh[i], exact[i]);
    out.swap(exact);
  }
  return lost;
}

// Issue 17: the crossings rings, read like the sample rings (seqlock per slot).
uint64_t ShmReader::read_crossings(std::vector<uint64_t>& cursors,
                                   std::vector<Crossing>& out) const {
  uint64_t lost = 0;
  if (cursors.size() < header_->num_workers) cursors.resize(header_->num_workers, 0);
  for (uint32_t w = 0; w < header_->num_workers; ++w) {
    const shm::CrossingRegion& r = header_->crossings[w];
    const auto& ring = *at<shm::CrossingRingHeader>(base_, r.offset);
    const auto* recs = at<shm::CrossingRecord>(base_, r.offset + sizeof(shm::CrossingRingHeader));
    const uint64_t head = ring.head.load(std::memory_order_acquire);
    uint64_t seq = std::min(cursors[w], head);  // above head: the dataplane restarted
    if (head - seq > r.capacity) {
      lost += head - seq - r.capacity;
      seq = head - r.capacity;
    }
    for (; seq < head; ++seq) {
      const shm::CrossingRecord& slot = recs[seq & (r.capacity - 1)];
      const uint64_t before = slot.seq_plus_one.load(std::memory_order_acquire);
      Crossing c{w, read(slot.ts_ns), slot.key, slot.slot, slot.value, slot.rule, slot.ip_proto};
      std::atomic_thread_fence(std::memory_order_acquire);
      if (before != seq + 1 || slot.seq_plus_one.load(std::memory_order_relaxed) != seq + 1) {
        ++lost;  // overwritten while we read it
        continue;
      }
      out.push_back(c);
    }
    cursors[w] = seq;
  }
  return lost;
}

}  // namespace securenet
