// securenet-pcapgen's labelled attack and edge scenarios (bench/detection): the frame of
// attack packet k from --src to --dst (the victim or target, default 10.200.0.1). Each
// scenario's intent (what an operator wants to see) is in bench/detection/expected.tsv.
#pragma once

#include <cstring>
#include <string>

#include "tools/packet_builder.h"

namespace securenet::pkt {

inline constexpr const char* kLabelledScenarios[] = {
    "syn-flood-spoofed",  // SYNs to --dst:80 from 65,536 spoofed sources (198.18.0.0/16)
    "reflection",         // UDP from ports 53/123/161/1900/11211 of 200 reflectors to --dst
    "udp-scan",           // --src: UDP to distinct ports of --dst
    "xmas-scan",          // --src: FIN+PSH+URG to distinct ports of --dst
    "fin-scan",           // --src: FIN to distinct ports of --dst
    "null-scan",          // --src: no flags to distinct ports of --dst
    "ping-sweep",         // --src: ICMP echo to 10.1.0.1-254 in turn
    "download",           // 4 CDN servers (198.51.100.1-4) send 1,400-byte TCP segments to --src
    "multicast",          // --src: IGMP reports and SSDP (UDP 1900) to multicast groups
    "exchange",           // --src and --dst send UDP to each other, half the rate each way
    "syn-served",         // 4,000 clients (172.16.0.0/16) send SYNs to --dst:443, which
                          // answers every other one with a SYN+ACK (the rest: retransmissions)
};

inline bool is_labelled_scenario(const std::string& s) {
  for (const char* n : kLabelledScenarios) {
    if (s == n) return true;
  }
  return false;
}

// Fills `b` (Ethernet already added) with attack packet k of `scenario`.
inline void labelled_frame(Builder& b, const std::string& scenario, uint64_t k, const Ip4& src,
                           const Ip4& dst) {
  const uint16_t port = static_cast<uint16_t>(1 + k % 65535);
  if (scenario == "syn-flood-spoofed") {
    const Ip4 spoofed{198, 18, uint8_t(k >> 8), uint8_t(k)};
    b.ipv4(spoofed, dst).tcp(static_cast<uint16_t>(1024 + k % 60000), 80, kSyn);
  } else if (scenario == "reflection") {
    static constexpr uint16_t kPorts[] = {53, 123, 161, 1900, 11211};
    const Ip4 reflector{203, 0, 113, uint8_t(1 + k % 200)};
    b.ipv4(reflector, dst)
        .udp(kPorts[(k / 200) % 5], static_cast<uint16_t>(1024 + k % 60000))
        .payload(400);
  } else if (scenario == "udp-scan") {
    b.ipv4(src, dst).udp(40000, port);
  } else if (scenario == "xmas-scan" || scenario == "fin-scan" || scenario == "null-scan") {
    const uint8_t flags = scenario == "xmas-scan"  ? (kFin | kPsh | kUrg)
                          : scenario == "fin-scan" ? kFin
                                                   : 0;
    b.ipv4(src, dst).tcp(40000, port, flags);
  } else if (scenario == "ping-sweep") {
    b.ipv4(src, Ip4{10, 1, 0, uint8_t(1 + k % 254)})
        .icmp_echo(0x5151, static_cast<uint16_t>(k))
        .payload(56);
  } else if (scenario == "download") {
    const Ip4 cdn{198, 51, 100, uint8_t(1 + k % 4)};
    b.ipv4(cdn, src).tcp(443, static_cast<uint16_t>(50000 + k % 4), kAck).payload(1400);
  } else if (scenario == "multicast") {
    if (k % 2 == 0) {
      const Ip4 group = k % 4 == 0 ? Ip4{224, 0, 0, 251} : Ip4{239, 255, 255, 250};
      b.ipv4(src, group).igmp(0x16, group);
    } else {
      b.ipv4(src, Ip4{239, 255, 255, 250}).udp(1900, 1900).payload(120);
    }
  } else if (scenario == "syn-served") {
    // Of every 3 packets, 2 SYNs of clients and the server's SYN+ACK to the first of them.
    const uint64_t n = k / 3 * 2;
    const uint64_t c = (k % 3 == 1 ? n + 1 : n) % 4000;
    const Ip4 client{172, 16, uint8_t(c >> 8), uint8_t(c)};
    const auto cport = static_cast<uint16_t>(1024 + (k / 3) % 60000);
    if (k % 3 == 2)
      b.ipv4(dst, client).tcp(443, cport, kSyn | kAck);
    else
      b.ipv4(client, dst).tcp(cport, 443, kSyn);
  } else {  // exchange
    if (k % 2 == 0)
      b.ipv4(src, dst).udp(5000, 5001).payload(100);
    else
      b.ipv4(dst, src).udp(5001, 5000).payload(100);
  }
}

}  // namespace securenet::pkt
