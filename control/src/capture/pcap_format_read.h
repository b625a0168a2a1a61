// for_each_pcap_record (pcap_format.h): bounds-checked walk of a pcap file written here.
#pragma once

#include <cstring>

namespace securenet::control {

template <typename Fn>
bool for_each_pcap_record(std::string_view file, uint32_t& linktype, Fn&& fn) {
  auto u32 = [&](size_t off) {
    uint32_t v;
    std::memcpy(&v, file.data() + off, 4);
    return v;
  };
  if (file.size() < 24) return false;
  const uint32_t magic = u32(0);
  if (magic != kPcapMagicNs && magic != 0xa1b2c3d4) return false;
  const uint64_t unit = magic == kPcapMagicNs ? 1 : 1000;
  linktype = u32(20);
  size_t off = 24;
  while (off + 16 <= file.size()) {
    PcapRecord r;
    r.ts_ns = uint64_t{u32(off)} * 1'000'000'000ULL + uint64_t{u32(off + 4)} * unit;
    const uint32_t caplen = u32(off + 8);
    r.wire_len = u32(off + 12);
    off += 16;
    if (caplen > file.size() - off) return false;
    r.data = file.substr(off, caplen);
    off += caplen;
    fn(r);
  }
  return off == file.size();
}

}  // namespace securenet::control
