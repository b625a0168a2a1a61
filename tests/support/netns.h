// The one network-namespace harness of the tests: a veth pair whose capture end stays in the
// test's namespace while its generator end lives in a namespace of its own. Both ends up,
// IPv6 off (no DAD, router solicitations or MLD) and no IPv4 address (no ARP), so the kernel
// itself sends nothing on the pair. Names carry a tag and the pid; the destructor removes
// both. Needs root.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace securenet::test {

// Why netns tests cannot run here ("" when they can).
std::string netns_skip_reason();

class VethNetns {
 public:
  explicit VethNetns(const std::string& tag, unsigned queues = 1);
  ~VethNetns();
  VethNetns(const VethNetns&) = delete;
  VethNetns& operator=(const VethNetns&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& ns() const { return ns_; }
  const std::string& capture_if() const { return capture_; }  // here: the sensor listens
  const std::string& gen_if() const { return gen_; }          // in ns(): the test sends
  // "ip netns exec <ns> ": the prefix of a command run inside the namespace.
  std::string exec_prefix() const { return "ip netns exec " + ns_ + " "; }

  // Sends every frame (anything with a `data` byte vector) out of gen_if() from a thread
  // that joins the namespace; returns how many were sent.
  template <class Frames>
  size_t send(const Frames& frames) const {
    std::vector<std::span<const uint8_t>> raw;
    for (const auto& f : frames) raw.emplace_back(f.data.data(), f.data.size());
    return send_raw(raw);
  }
  size_t send_raw(const std::vector<std::span<const uint8_t>>& frames) const;

 private:
  std::string ns_, capture_, gen_, error_;
};

}  // namespace securenet::test
