// Helpers shared by the core tests: unique names, temporary files, packets.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "securenet/shm_reader.h"
#include "securenet/source.h"
#include "segment/writer.h"
#include "tools/packet_builder.h"
#include "tools/packet_builder_pcap.h"

namespace securenet::test {

// A segment instance name unique to this process and call.
inline std::string unique_instance(const std::string& what) {
  static std::atomic<int> n{0};
  return "test-" + what + "-" + std::to_string(getpid()) + "-" + std::to_string(n++);
}

// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "securenet-core-XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline shm::IpKey key(const char* text) { return parse_ip_text(text).value_or(shm::IpKey{}); }

inline PacketView view(const pkt::Frame& f, uint64_t ts = 1) {
  return PacketView{f.data.data(), f.caplen(), f.wire_len, ts};
}

inline pkt::Frame tcp4(const char* src, const char* dst, uint16_t sport, uint16_t dport,
                       uint8_t flags, size_t payload = 0) {
  using namespace pkt;
  return Builder()
      .eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"))
      .ipv4(ip4(src), ip4(dst))
      .tcp(sport, dport, flags)
      .payload(payload)
      .build();
}
inline pkt::Frame udp4(const char* src, const char* dst, uint16_t sport, uint16_t dport,
                       size_t payload = 0) {
  using namespace pkt;
  return Builder()
      .eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"))
      .ipv4(ip4(src), ip4(dst))
      .udp(sport, dport)
      .payload(payload)
      .build();
}
inline pkt::Frame icmp4(const char* src, const char* dst) {
  using namespace pkt;
  return Builder()
      .eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"))
      .ipv4(ip4(src), ip4(dst))
      .icmp_echo(1, 1)
      .payload(32)
      .build();
}
inline pkt::Frame tcp6(const char* src, const char* dst, uint16_t sport, uint16_t dport,
                       uint8_t flags) {
  using namespace pkt;
  return Builder()
      .eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"))
      .ipv6(ip6(src), ip6(dst))
      .tcp(sport, dport, flags)
      .build();
}

inline bool write_pcap(const std::string& path, const std::vector<pkt::Frame>& frames,
                       uint64_t ts0 = 1'700'000'000'000'000'000ULL) {
  pkt::PcapWriter w;
  if (!w.open(path.c_str(), pkt::TsResolution::kNano)) return false;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (!w.write(frames[i], ts0 + i * 1000)) return false;
  }
  return w.close();
}

// A fresh segment with a unique name (unlinked when it goes out of scope).
inline Result<Segment> make_segment(const std::string& what, unsigned workers = 1,
                                    uint64_t hosts = 1024, uint64_t ring = 64) {
  SegmentOptions o;
  o.instance = unique_instance(what);
  o.workers = workers;
  o.host_capacity = hosts;
  o.ring_capacity = ring;
  o.source_kind = shm::SourceKind::kPcap;
  o.source_name = "test";
  return Segment::create(o);
}

}  // namespace securenet::test
