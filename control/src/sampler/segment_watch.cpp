#include "sampler/segment_watch.h"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "securenet/common/clock.h"

namespace securenet::control {

const char* to_string(DataplaneState s) {
  switch (s) {
    case DataplaneState::kUp:
      return "up";
    case DataplaneState::kStale:
      return "stale";
    default:
      return "down";
  }
}

namespace {
bool pid_alive(uint64_t pid) {
  if (pid == 0 || pid > static_cast<uint64_t>(INT32_MAX)) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}
}  // namespace

const ShmReader* SegmentWatch::poll(uint64_t mono_ns, DataplaneInfo& info, bool* reopened,
                                    GlobalCounters* old_totals) {
  *reopened = false;
  struct stat st {};
  std::string path = "/dev/shm/" + name_;
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists && (!reader_ || st.st_ino != inode_)) {
    auto r = ShmReader::open(name_, true);
    if (r) {
      *reopened = reader_.has_value();
      if (reader_ && old_totals) *old_totals = reader_->totals();  // still mapped: final counts
      reader_.emplace(std::move(r.value()));
      inode_ = st.st_ino;
      last_error_.clear();
    } else {
      last_error_ = r.error().message;
    }
  } else if (!exists && !reader_) {
    last_error_ = "no segment " + path + " (is securenet-dataplane running with this --instance?)";
  }
  info = DataplaneInfo{};
  info.error = last_error_;
  if (!reader_) return nullptr;
  const auto& h = reader_->header();
  info.pid = h.dataplane_pid;
  info.source = shm::source_kind_name(h.source_kind);
  info.source_name = std::string(h.source_name, strnlen(h.source_name, sizeof h.source_name));
  info.workers = h.num_workers;
  info.interfaces = reader_->interfaces();
  for (uint32_t w = 0; w < h.num_workers && w < shm::kMaxWorkers; ++w)
    info.host_capacity += h.workers[w].host_capacity;
  info.host_idle_s = h.workers[0].host_idle_ns / 1'000'000'000ULL;
  info.uptime_s =
      static_cast<double>(wall_ms() * 1000000LL - static_cast<int64_t>(h.start_time_ns)) / 1e9;
  bool stopped =
      shm::read(h.stopped) != 0 || !pid_alive(h.dataplane_pid) || !exists || st.st_ino != inode_;
  uint64_t hb = reader_->totals().oldest_heartbeat_ns;
  info.heartbeat_age_ms = hb && mono_ns > hb ? static_cast<double>(mono_ns - hb) / 1e6 : 0;
  if (stopped) {
    info.state = DataplaneState::kDown;
    if (info.error.empty()) info.error = "the dataplane has stopped";
  } else if (hb == 0 || (mono_ns > hb && mono_ns - hb > kStaleNs)) {
    info.state = DataplaneState::kStale;
  } else {
    info.state = DataplaneState::kUp;
  }
  return &*reader_;
}

}  // namespace securenet::control
