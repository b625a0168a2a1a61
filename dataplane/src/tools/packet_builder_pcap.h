// Tiny classic-libpcap file writer (no libpcap needed) for tests and tools.
//
//   securenet::pkt::PcapWriter w;
//   if (!w.open("out.pcap", securenet::pkt::TsResolution::kNano)) ...;
//   w.write(frame, ts_ns);
//
// Format: 24-byte global header (magic 0xa1b2c3d4 for microseconds, 0xa1b23c4d for
// nanoseconds, written in host byte order as readers expect), then per packet a 16-byte
// record header {ts_sec, ts_usec|ts_nsec, caplen, wire_len} and the captured bytes.
#pragma once

#include <cstdint>
#include <cstdio>

#include "tools/packet_builder.h"

namespace securenet::pkt {

enum class TsResolution : uint8_t { kMicro, kNano };

inline constexpr uint32_t kLinktypeEthernet = 1;

class PcapWriter {
 public:
  PcapWriter() = default;
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;
  PcapWriter(PcapWriter&& o) noexcept : f_(o.f_), res_(o.res_) { o.f_ = nullptr; }
  PcapWriter& operator=(PcapWriter&& o) noexcept {
    if (this != &o) {
      close();
      f_ = o.f_;
      res_ = o.res_;
      o.f_ = nullptr;
    }
    return *this;
  }
  ~PcapWriter() { close(); }

  // Creates/truncates `path` and writes the global header. False on any I/O error.
  bool open(const char* path, TsResolution res = TsResolution::kMicro, uint32_t snaplen = 262144,
            uint32_t linktype = kLinktypeEthernet) {
    close();
    f_ = std::fopen(path, "wb");
    if (!f_) return false;
    res_ = res;
    const uint32_t magic = res == TsResolution::kNano ? 0xA1B23C4Du : 0xA1B2C3D4u;
    const uint16_t major = 2, minor = 4;
    const int32_t thiszone = 0;
    const uint32_t sigfigs = 0;
    bool ok = put(&magic, 4) && put(&major, 2) && put(&minor, 2) && put(&thiszone, 4) &&
              put(&sigfigs, 4) && put(&snaplen, 4) && put(&linktype, 4);
    if (!ok) close();
    return ok;
  }

  // Appends one record; ts_ns is UNIX time in nanoseconds.
  bool write(const uint8_t* data, uint32_t caplen, uint32_t wire_len, uint64_t ts_ns) {
    if (!f_) return false;
    const uint32_t sec = static_cast<uint32_t>(ts_ns / 1000000000u);
    const uint32_t frac = static_cast<uint32_t>(
        res_ == TsResolution::kNano ? ts_ns % 1000000000u : (ts_ns % 1000000000u) / 1000u);
    return put(&sec, 4) && put(&frac, 4) && put(&caplen, 4) && put(&wire_len, 4) &&
           put(data, caplen);
  }
  bool write(const Frame& f, uint64_t ts_ns) {
    return write(f.data.data(), f.caplen(), f.wire_len, ts_ns);
  }

  // Flushes and closes; false if the final flush failed.
  bool close() {
    if (!f_) return true;
    bool ok = std::fclose(f_) == 0;
    f_ = nullptr;
    return ok;
  }
  bool is_open() const { return f_ != nullptr; }

 private:
  bool put(const void* p, size_t n) { return n == 0 || std::fwrite(p, n, 1, f_) == 1; }

  std::FILE* f_ = nullptr;
  TsResolution res_ = TsResolution::kMicro;
};

}  // namespace securenet::pkt
