// Keeps the dataplane's segment open: opens it when it appears, reopens it when the
// dataplane restarts (a new file under the same name), and says whether the dataplane
// is up (fresh heartbeat), stale (old heartbeat, process alive) or down.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "sampler/snapshot.h"
#include "securenet/shm_reader.h"

namespace securenet::control {

class SegmentWatch {
 public:
  static constexpr uint64_t kStaleNs = 2'000'000'000ULL;  // heartbeats come every <=100 ms

  explicit SegmentWatch(std::string shm_name) : name_(std::move(shm_name)) {}
  // Call once per tick. Returns the reader to sample (possibly of a stopped dataplane, for
  // its last counters) or null. *reopened is set when a new segment replaced the old one;
  // then *old_totals holds the old segment's last counters, read just before it was let go.
  const ShmReader* poll(uint64_t mono_ns, DataplaneInfo& info, bool* reopened,
                        GlobalCounters* old_totals = nullptr);
  ShmReader* reader() { return reader_ ? &*reader_ : nullptr; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::optional<ShmReader> reader_;
  ino_t inode_ = 0;
  std::string last_error_;
};

}  // namespace securenet::control
