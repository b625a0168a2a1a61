// The dataplane's side of the shared-memory segment (/dev/shm/securenet-<instance>):
// computes the layout, creates and maps the segment, fills the Header and sets `ready`
// last. RAII: the destructor marks the segment stopped, unmaps it and unlinks it (unless
// asked to keep it for post-mortem reads).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "securenet/result.h"
#include "securenet/shm_layout.h"

namespace securenet {

inline constexpr uint64_t kMinHostCapacity = 64;
inline constexpr uint64_t kMaxHostCapacity = 1ULL << 24;  // 16M entries per worker
inline constexpr uint64_t kMinRingCapacity = 16;
inline constexpr uint64_t kMaxRingCapacity = 1ULL << 20;
inline constexpr uint64_t kMinCaptureBytes = shm::kCaptureBlock;  // one block (64 KiB)
inline constexpr uint64_t kMaxCaptureBytes = 1ULL << 27;          // 128 MiB

struct SegmentOptions {
  std::string instance = "default";  // segment name is securenet-<instance>
  unsigned workers = 1;
  uint64_t host_capacity = 65536;  // per worker; rounded up to a power of two
  uint64_t host_idle_s = 0;        // hosts idle this long (packet time) age out; 0 = never
  uint64_t ring_capacity = 4096;   // sample records per worker; rounded up likewise
  // Bytes of each worker's attack-capture ring (issue 16); rounded up likewise. 4 MiB: 2,000
  // records of the snap length, ~43,000 of 64-byte frames (96 bytes each).
  uint64_t capture_bytes = 4ULL << 20;
  shm::SourceKind source_kind = shm::SourceKind::kNone;
  std::string source_name;                  // interface, file or device (truncated to 63 bytes)
  std::vector<std::string> worker_sources;  // worker w reads worker_sources[w] (truncated to 15
                                            // bytes; empty or missing: source_name)
  bool drop_filter = false;                 // the source drops the drop list's prefixes (AF_XDP)
  std::string inline_out_if;                // --inline OUT_IF (truncated to 15 bytes)
  bool keep = false;                        // do not unlink on destruction
  bool populate = true;                     // pre-fault the pages (no page faults in the hot path)
  unsigned mode = 0660;                     // file mode of /dev/shm/securenet-<instance>
};

// "securenet-" + instance, or an error when the instance name is not a plain word.
Result<std::string> segment_name(const std::string& instance);

// Rounds up to a power of two and clamps to [lo, hi].
uint64_t round_capacity(uint64_t n, uint64_t lo, uint64_t hi) noexcept;

// Fills header.workers[], control_offset and segment_size for these options (no I/O).
// Exposed for tests; create() uses it.
uint64_t compute_layout(const SegmentOptions& opts, shm::Header& header) noexcept;

class Segment {
 public:
  // Creates the segment; refuses to replace one whose dataplane is still running.
  static Result<Segment> create(const SegmentOptions& opts);
  Segment(Segment&&) noexcept;
  Segment& operator=(Segment&&) noexcept;
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;
  ~Segment();

  const std::string& name() const { return name_; }
  shm::Header& header() const { return *reinterpret_cast<shm::Header*>(base_); }
  shm::ControlBlock& control() const;
  shm::WorkerCounters& counters(unsigned worker) const;
  shm::HostEntry* hosts(unsigned worker) const;
  uint64_t host_capacity(unsigned worker) const { return header().workers[worker].host_capacity; }
  uint64_t host_idle_ns(unsigned worker) const { return header().workers[worker].host_idle_ns; }
  shm::SampleRingHeader& ring(unsigned worker) const;
  shm::SampleRecord* ring_records(unsigned worker) const;
  shm::CrossingRingHeader& crossing_ring(unsigned worker) const;  // issue 17
  shm::CrossingRecord* crossing_records(unsigned worker) const;
  shm::CaptureRingHeader& capture_ring(unsigned worker) const;  // issue 16
  uint8_t* capture_data(unsigned worker) const;                 // its byte ring
  unsigned num_workers() const { return header().num_workers; }
  size_t size() const { return size_; }
  void set_keep(bool keep) { keep_ = keep; }

 private:
  Segment() = default;
  void release() noexcept;
  template <typename T>
  T* at(uint64_t offset) const {
    return reinterpret_cast<T*>(static_cast<char*>(base_) + offset);
  }

  std::string name_;
  void* base_ = nullptr;
  size_t size_ = 0;
  bool keep_ = false;
};

}  // namespace securenet
