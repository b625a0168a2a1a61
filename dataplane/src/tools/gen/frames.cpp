#include "tools/gen/frames.h"

#include <pcap/pcap.h>

namespace securenet::gen {
namespace {

using namespace securenet::pkt;

const Mac kSrc = mac("02:00:00:00:00:01"), kDst = mac("02:00:00:00:00:02");

FrameList mixed() {
  const Ip4 a = ip4("10.0.0.1"), b = ip4("10.0.0.2");
  const Ip6 a6 = ip6("2001:db8::1"), b6 = ip6("2001:db8::2");
  FrameList f;
  auto add = [&f](const Builder& bld) { f.push_back(bld.build().data); };
  add(Builder().eth(kSrc, kDst).ipv4(a, b).tcp(40000, 80, kSyn));
  add(Builder().eth(kSrc, kDst).ipv4(b, a).tcp(80, 40000, kSyn | kAck));
  add(Builder().eth(kSrc, kDst).ipv4(a, b).udp(5353, 53).payload(32));
  add(Builder().eth(kSrc, kDst).ipv4(a, b).icmp_echo(1, 1).payload(56));
  add(Builder().eth(kSrc, kDst).ipv6(a6, b6).tcp(40001, 443, kSyn));
  add(Builder().eth(kSrc, kDst).ipv6(b6, a6).udp(123, 123).payload(48));
  add(Builder().eth(kSrc, kDst).ipv6(a6, b6).icmpv6_echo(7, 1).payload(16));
  add(Builder().eth(kSrc, kDst).vlan(100).ipv4(a, b).udp(1000, 2000).payload(10));
  add(Builder().eth(kSrc, kDst).qinq(10, 20).ipv6(a6, b6).tcp(1, 2, kAck));
  Ipv4Opts frag;
  frag.more_fragments = true;
  add(Builder().eth(kSrc, kDst).ipv4(a, b, frag).udp(9, 9).payload(64));
  frag.more_fragments = false;
  frag.frag_offset = 9;
  frag.proto = kProtoUdp;
  add(Builder().eth(kSrc, kDst).ipv4(a, b, frag).payload(40));
  add(Builder().eth(kSrc, kDst).ipv6(a6, b6).ipv6_fragment(0, true).udp(9, 9).payload(64));
  add(Builder().eth(kSrc, kDst).arp(1, kSrc, a, Mac{}, b));
  Ipv4Opts bad;
  bad.ihl = 4;
  add(Builder().eth(kSrc, kDst).ipv4(a, b, bad).payload(30));
  add(Builder().eth(kSrc, kDst).ipv4(a, b).tcp(5, 6, kAck).truncate(14 + 20 + 10));
  return f;
}

FrameList udp(uint32_t hosts, uint32_t size) {
  FrameList f;
  const uint32_t payload = size > 14 + 20 + 8 ? size - (14 + 20 + 8) : 0;
  for (uint32_t h = 0; h < hosts; ++h) {
    Ip4 src{10, uint8_t(1 + (h >> 16)), uint8_t(h >> 8), uint8_t(h)};
    f.push_back(Builder()
                    .eth(kSrc, kDst)
                    .ipv4(src, ip4("192.168.0.1"))
                    .udp(uint16_t(1024 + h % 50000), 9)
                    .payload(payload)
                    .build()
                    .data);
  }
  return f;
}

}  // namespace

Result<FrameList> load_pcap(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (!p) return make_error("gen: cannot read capture '" + path + "': " + err);
  FrameList out;
  if (int link = pcap_datalink(p); link != DLT_EN10MB) {
    pcap_close(p);
    return make_error("gen: capture '" + path + "' is not Ethernet (link type " +
                      std::to_string(link) + ")");
  }
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &h, &data) == 1) out.emplace_back(data, data + h->caplen);
  pcap_close(p);
  if (out.empty()) return make_error("gen: capture '" + path + "' holds no packets");
  return out;
}

Result<FrameList> build_mix(const std::string& name, uint32_t hosts, uint32_t size) {
  if (name == "mixed") return mixed();
  if (name == "udp") {
    if (hosts == 0 || hosts > (1u << 22)) return make_error("gen: --hosts must be 1..4194304");
    if (size < 60 || size > 1514) return make_error("gen: --size must be 60..1514 bytes");
    return udp(hosts, size);
  }
  return make_error("gen: unknown mix '" + name + "' (mixed, udp)");
}

}  // namespace securenet::gen
