#include "segment/writer.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "securenet/common/clock.h"
#include "securenet/common/fd.h"

namespace securenet {
namespace {

constexpr uint64_t kPage = 4096;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

bool pid_alive(uint64_t pid) {
  if (pid == 0 || pid > 0x7fffffff) return false;
  return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// An existing segment may be replaced only when the dataplane that made it has gone.
Status check_existing(const std::string& name) {
  Fd fd(shm_open(("/" + name).c_str(), O_RDONLY, 0));
  if (!fd) return Ok{};
  struct stat st {};
  if (fstat(fd.get(), &st) != 0 || static_cast<size_t>(st.st_size) < sizeof(shm::Header))
    return Ok{};
  void* p = mmap(nullptr, sizeof(shm::Header), PROT_READ, MAP_SHARED, fd.get(), 0);
  if (p == MAP_FAILED) return Ok{};
  const auto* h = static_cast<const shm::Header*>(p);
  const bool live =
      h->magic == shm::kMagic && shm::read(h->stopped) == 0 && pid_alive(h->dataplane_pid);
  const uint64_t pid = h->dataplane_pid;
  munmap(p, sizeof(shm::Header));
  if (live) {
    return make_error("segment " + name + " is in use by running dataplane pid " +
                      std::to_string(pid) + "; stop it or choose another --instance");
  }
  return Ok{};
}

// Faults every page in now, so the workers never take a page fault on a fresh host slot.
void prefault(void* base, size_t size) {
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif
  if (madvise(base, size, MADV_POPULATE_WRITE) == 0) return;
  auto* p = static_cast<volatile char*>(base);
  for (size_t off = 0; off < size; off += kPage) p[off] = 0;  // the file is zero already
}

}  // namespace

Result<std::string> segment_name(const std::string& instance) {
  if (instance.empty() || instance.size() > 200)
    return make_error("instance name must be 1..200 characters");
  for (char c : instance) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok)
      return make_error("instance name '" + instance +
                        "' may only hold letters, digits, '-', '_' and '.'");
  }
  return "securenet-" + instance;
}

uint64_t round_capacity(uint64_t n, uint64_t lo, uint64_t hi) noexcept {
  if (n < lo) n = lo;
  if (n > hi) n = hi;
  uint64_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

uint64_t compute_layout(const SegmentOptions& opts, shm::Header& h) noexcept {
  const uint64_t hosts = round_capacity(opts.host_capacity, kMinHostCapacity, kMaxHostCapacity);
  const uint64_t ring = round_capacity(opts.ring_capacity, kMinRingCapacity, kMaxRingCapacity);
  h.header_size = sizeof(shm::Header);
  h.num_workers = opts.workers;
  h.control_offset = align_up(sizeof(shm::Header), kPage);
  uint64_t off = align_up(h.control_offset + sizeof(shm::ControlBlock), kPage);
  for (unsigned w = 0; w < opts.workers; ++w) {
    shm::WorkerRegion& r = h.workers[w];
    r.counters_offset = off;
    r.hosts_offset = align_up(off + sizeof(shm::WorkerCounters), kPage);
    r.host_capacity = hosts;
    r.host_idle_ns = opts.host_idle_s * 1'000'000'000ULL;
    r.ring_offset = align_up(r.hosts_offset + hosts * sizeof(shm::HostEntry), kPage);
    r.ring_capacity = ring;
    off = align_up(r.ring_offset + sizeof(shm::SampleRingHeader) + ring * sizeof(shm::SampleRecord),
                   kPage);
  }
  for (unsigned w = 0; w < opts.workers; ++w) {  // issue 17: the crossings rings, after all
    h.crossings[w] = {off, shm::kCrossingRingCapacity};
    off = align_up(off + sizeof(shm::CrossingRingHeader) +
                       shm::kCrossingRingCapacity * sizeof(shm::CrossingRecord),
                   kPage);
  }
  // Attack capture rings (issue 16), after the worker regions.
  const uint64_t cap = round_capacity(opts.capture_bytes, kMinCaptureBytes, kMaxCaptureBytes);
  h.capture_offset = off;
  h.capture_bytes = cap;
  h.capture_stride = align_up(sizeof(shm::CaptureRingHeader) + cap, kPage);
  off += opts.workers * h.capture_stride;
  h.segment_size = off;
  return off;
}

Result<Segment> Segment::create(const SegmentOptions& opts) {
  auto name = segment_name(opts.instance);
  if (!name) return name.error();
  if (opts.workers == 0 || opts.workers > shm::kMaxWorkers) {
    return make_error("workers must be 1.." + std::to_string(shm::kMaxWorkers));
  }
  if (auto st = check_existing(*name); !st) return st.error();
  const std::string path = "/" + *name;
  shm_unlink(path.c_str());  // a stale segment of a dataplane that is gone
  Fd fd(shm_open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, opts.mode));
  if (!fd)
    return make_error("cannot create /dev/shm/" + *name + ": " + std::strerror(errno), errno);
  fchmod(fd.get(), opts.mode);  // not subject to the umask

  shm::Header layout{};
  const uint64_t size = compute_layout(opts, layout);
  if (ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    const int e = errno;
    shm_unlink(path.c_str());
    return make_error("cannot size /dev/shm/" + *name + " to " + std::to_string(size) +
                          " bytes: " + std::strerror(e),
                      e);
  }
  void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (base == MAP_FAILED) {
    const int e = errno;
    shm_unlink(path.c_str());
    return make_error("cannot map /dev/shm/" + *name + ": " + std::strerror(e), e);
  }

  // Fewer TLB misses on the host tables where shared memory may use huge pages
  // (/sys/kernel/mm/transparent_hugepage/shmem_enabled = advise); ignored elsewhere.
  madvise(base, size, MADV_HUGEPAGE);
  if (opts.populate) prefault(base, size);

  Segment seg;
  seg.name_ = *name;
  seg.base_ = base;
  seg.size_ = size;
  seg.keep_ = opts.keep;

  // The file is zero-filled by ftruncate: counters, tables and the control block start at 0.
  auto* h = new (base) shm::Header{};
  std::memcpy(h->workers, layout.workers, sizeof(layout.workers));
  std::memcpy(h->crossings, layout.crossings, sizeof(layout.crossings));
  h->magic = shm::kMagic;
  h->layout_version = shm::kLayoutVersion;
  h->header_size = layout.header_size;
  h->segment_size = size;
  h->num_workers = opts.workers;
  h->source_kind = opts.source_kind;
  h->control_offset = layout.control_offset;
  h->dataplane_pid = static_cast<uint64_t>(getpid());
  h->start_time_ns = wall_ns();
  std::strncpy(h->source_name, opts.source_name.c_str(), sizeof(h->source_name) - 1);
  h->sizeof_worker_counters = sizeof(shm::WorkerCounters);
  h->sizeof_host_entry = sizeof(shm::HostEntry);
  h->sizeof_sample_record = sizeof(shm::SampleRecord);
  h->sizeof_control_block = sizeof(shm::ControlBlock);
  for (unsigned w = 0; w < opts.workers && w < opts.worker_sources.size(); ++w) {
    std::strncpy(h->workers[w].source_name, opts.worker_sources[w].c_str(),
                 sizeof(h->workers[w].source_name) - 1);
  }
  h->capture_offset = layout.capture_offset;
  h->capture_stride = layout.capture_stride;
  h->capture_bytes = layout.capture_bytes;
  h->sizeof_capture_header = sizeof(shm::CaptureRecordHeader);
  h->drop_filter = opts.drop_filter ? 1 : 0;  // issue 16 item 4b
  std::strncpy(h->inline_out_if, opts.inline_out_if.c_str(), sizeof(h->inline_out_if) - 1);
  for (unsigned w = 0; w < opts.workers; ++w) {
    seg.capture_ring(w).capacity.store(layout.capture_bytes, std::memory_order_relaxed);
  }
  for (unsigned w = 0; w < opts.workers; ++w) {
    seg.ring(w).capacity.store(layout.workers[w].ring_capacity, std::memory_order_relaxed);
    seg.crossing_ring(w).capacity.store(layout.crossings[w].capacity, std::memory_order_relaxed);
  }
  h->ready.store(1, std::memory_order_release);
  return seg;
}

Segment::Segment(Segment&& o) noexcept
    : name_(std::move(o.name_)), base_(o.base_), size_(o.size_), keep_(o.keep_) {
  o.base_ = nullptr;
}

Segment& Segment::operator=(Segment&& o) noexcept {
  if (this != &o) {
    release();
    name_ = std::move(o.name_);
    base_ = o.base_;
    size_ = o.size_;
    keep_ = o.keep_;
    o.base_ = nullptr;
  }
  return *this;
}

Segment::~Segment() { release(); }

void Segment::release() noexcept {
  if (!base_) return;
  header().stopped.store(1, std::memory_order_release);
  munmap(base_, size_);
  base_ = nullptr;
  if (!keep_) shm_unlink(("/" + name_).c_str());
}

shm::ControlBlock& Segment::control() const {
  return *at<shm::ControlBlock>(header().control_offset);
}

shm::WorkerCounters& Segment::counters(unsigned w) const {
  return *at<shm::WorkerCounters>(header().workers[w].counters_offset);
}

shm::HostEntry* Segment::hosts(unsigned w) const {
  return at<shm::HostEntry>(header().workers[w].hosts_offset);
}

shm::SampleRingHeader& Segment::ring(unsigned w) const {
  return *at<shm::SampleRingHeader>(header().workers[w].ring_offset);
}

shm::SampleRecord* Segment::ring_records(unsigned w) const {
  return at<shm::SampleRecord>(header().workers[w].ring_offset + sizeof(shm::SampleRingHeader));
}

shm::CrossingRingHeader& Segment::crossing_ring(unsigned w) const {
  return *at<shm::CrossingRingHeader>(header().crossings[w].offset);
}

shm::CrossingRecord* Segment::crossing_records(unsigned w) const {
  return at<shm::CrossingRecord>(header().crossings[w].offset + sizeof(shm::CrossingRingHeader));
}

shm::CaptureRingHeader& Segment::capture_ring(unsigned w) const {
  return *at<shm::CaptureRingHeader>(header().capture_offset + w * header().capture_stride);
}

uint8_t* Segment::capture_data(unsigned w) const {
  return at<uint8_t>(header().capture_offset + w * header().capture_stride +
                     sizeof(shm::CaptureRingHeader));
}

}  // namespace securenet
