#include "capture/pcap_format.h"

#include <algorithm>
#include <cstring>
#include <iterator>

namespace securenet::control {
namespace {

void put32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void put16(std::string& out, uint16_t v) { out.append(reinterpret_cast<const char*>(&v), 2); }
void be16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}
bool is_v4(const shm::IpKey& k) {
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(k.bytes, kMapped, 12) == 0;
}

// The L4 header of a sample: TCP 20 bytes, UDP 8, else none.
std::string l4_of(const SampleFields& s) {
  std::string l4;
  if (s.ip_proto == 6) {
    be16(l4, s.sport);
    be16(l4, s.dport);
    l4.append(8, '\0');  // seq, ack
    l4.push_back(0x50);  // data offset 5
    l4.push_back(static_cast<char>(s.tcp_flags));
    be16(l4, 65535);
    l4.append(4, '\0');  // checksum, urgent
  } else if (s.ip_proto == 17) {
    be16(l4, s.sport);
    be16(l4, s.dport);
    be16(l4, 8);
    be16(l4, 0);
  }  // other protocols (ICMP: the sample has no type): the IP header only
  return l4;
}

}  // namespace

uint32_t pcap_linktype(uint8_t link_kind) noexcept {
  static constexpr uint32_t kTypes[] = {1, 101, 228, 229, 0, 113, 276, 9, 104};
  return link_kind < std::size(kTypes) ? kTypes[link_kind] : 1;
}

std::string pcap_file_header(uint32_t linktype, uint32_t snaplen) {
  std::string h;
  put32(h, kPcapMagicNs);
  put16(h, 2);
  put16(h, 4);
  put32(h, 0);  // thiszone
  put32(h, 0);  // sigfigs
  put32(h, snaplen);
  put32(h, linktype);
  return h;
}

void append_pcap_record(std::string& out, uint64_t ts_ns, std::string_view data,
                        uint32_t wire_len) {
  put32(out, static_cast<uint32_t>(ts_ns / 1'000'000'000ULL));
  put32(out, static_cast<uint32_t>(ts_ns % 1'000'000'000ULL));
  put32(out, static_cast<uint32_t>(data.size()));
  put32(out, wire_len < data.size() ? static_cast<uint32_t>(data.size()) : wire_len);
  out.append(data);
}

SampleFields sample_fields(const shm::SampleRecord& r) {
  SampleFields s;
  s.ts_ns = shm::read(r.ts_ns);
  s.src = r.src;
  s.dst = r.dst;
  s.sport = r.sport;
  s.dport = r.dport;
  s.ip_proto = r.ip_proto;
  s.tcp_flags = r.tcp_flags;
  s.wire_len = r.wire_len;
  return s;
}

std::string frame_of_sample(const SampleFields& s) {
  const bool v4 = is_v4(s.src) && is_v4(s.dst);
  const std::string l4 = l4_of(s);
  std::string f("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
  be16(f, v4 ? 0x0800 : 0x86dd);
  if (v4) {
    f.push_back(0x45);
    f.push_back(0);
    be16(f,
         static_cast<uint16_t>(s.wire_len > 14 ? std::min<uint32_t>(s.wire_len - 14, 65535) : 20));
    f.append(4, '\0');  // id, fragment
    f.push_back(64);
    f.push_back(static_cast<char>(s.ip_proto));
    be16(f, 0);  // checksum
    f.append(reinterpret_cast<const char*>(s.src.bytes + 12), 4);
    f.append(reinterpret_cast<const char*>(s.dst.bytes + 12), 4);
  } else {
    f.append("\x60\x00\x00\x00", 4);
    be16(f,
         static_cast<uint16_t>(s.wire_len > 54 ? std::min<uint32_t>(s.wire_len - 54, 65535) : 0));
    f.push_back(static_cast<char>(s.ip_proto));
    f.push_back(64);
    f.append(reinterpret_cast<const char*>(s.src.bytes), 16);
    f.append(reinterpret_cast<const char*>(s.dst.bytes), 16);
  }
  return f + l4;
}

}  // namespace securenet::control
