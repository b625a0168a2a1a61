// The bounded store of attack captures (issue 16): <dir>/<alert id>.pcap and its summary
// <alert id>.json, at most `cap_bytes` in all; the oldest captures (by modification time)
// are evicted first to make room. Alert ids are UUIDs; anything else is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace securenet::control {

class CaptureStore {
 public:
  CaptureStore(std::string dir, uint64_t cap_bytes) : dir_(std::move(dir)), cap_(cap_bytes) {}
  bool enabled() const { return !dir_.empty(); }
  const std::string& dir() const { return dir_; }
  // Writes both files (each through a temporary file and a rename) after evicting the
  // oldest captures until the new one fits. False when it cannot (too big, I/O error).
  bool put(const std::string& alert_id, const std::string& pcap, const std::string& summary);
  // The file's contents, or nullopt (no such capture, not a UUID).
  std::optional<std::string> pcap(const std::string& alert_id) const;
  std::optional<std::string> summary(const std::string& alert_id) const;
  bool has(const std::string& alert_id) const;
  uint64_t bytes_used() const;  // the sizes of the store's files now

 private:
  void evict_for(uint64_t need);
  std::string dir_;
  uint64_t cap_;
};

}  // namespace securenet::control
