// securenet-pcapgen: writes a synthetic Ethernet capture (classic pcap, ns timestamps).
//
//   --mix realistic   TCP/UDP/ICMP/IGMP over IPv4 and IPv6, VLAN and QinQ tags, ARP,
//                     IPv4 fragments, IPv6 extension headers and a few malformed frames
//   --mix udp         UDP over IPv4 only (with --size 64: the 64-byte benchmark frames)
//   --scenario S      icmp-flood | port-scan | heavy-sender: --src sends --pps packets/s
//                     (ICMP echo / SYNs to distinct ports / large UDP) amid benign traffic
//                     of --hosts hosts (as many background packets as attack packets);
//                     benign: only that background at --pps in total (no ICMP/IGMP, each
//                     host well under 1000 pkt/s and 100 new connections/min)
//   --scenario L      a labelled scenario of bench/detection (tools/pcapgen/scenarios.h:
//                     syn-flood-spoofed, reflection, udp-scan, xmas-scan, fin-scan,
//                     null-scan, ping-sweep, download, multicast, exchange, syn-served), --dst the
//                     victim or target (default 10.200.0.1), at --pps amid background
//   --size N          every frame captured as N bytes (padded, or cut like a snaplen)
//   --pps R           timestamps: the attacker's rate in scenarios, else the total rate
// Hosts are 10.0.0.0/8 (host i = 10.0.0.0 + i + 1) and 2001:db8::/64 (::i+1); servers
// 10.200.0.1-16 and 2001:db8:ffff::1-16.
#include <getopt.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "tools/packet_builder.h"
#include "tools/packet_builder_pcap.h"
#include "tools/pcapgen/scenarios.h"

namespace {

using namespace securenet::pkt;

struct Options {
  std::string out;
  uint64_t packets = 100000;
  uint32_t hosts = 256;
  uint32_t size = 0;  // 0 = sizes vary; else every frame padded/cut to this many bytes
  std::string mix = "realistic";
  std::string scenario;
  std::string src = "10.0.0.66";
  std::string dst = "10.200.0.1";
  double pps = 0;  // packet rate of the timestamps (0 = 1e6 for mixes, 2000 for scenarios)
  uint64_t seed = 1;
  uint64_t start_s = 1700000000;
};

const char* kUsage =
    "Usage: securenet-pcapgen --out FILE [--packets N] [--hosts N] [--size BYTES]\n"
    "                         [--mix realistic|udp] [--scenario "
    "icmp-flood|port-scan|heavy-sender|benign]\n"
    "                         [--src IP] [--dst IP] [--pps RATE] [--seed N] [--start "
    "UNIX_SECONDS]\n";

Ip4 host4(uint32_t i) {
  const uint32_t v = 0x0A000000u + i + 1;
  return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
}
Ip6 host6(uint32_t i, bool server = false) {
  Ip6 a = ip6(server ? "2001:db8:ffff::" : "2001:db8::");
  const uint32_t v = i + 1;
  a[12] = uint8_t(v >> 24);
  a[13] = uint8_t(v >> 16);
  a[14] = uint8_t(v >> 8);
  a[15] = uint8_t(v);
  return a;
}
Ip4 server4(uint32_t i) { return {10, 200, 0, uint8_t(1 + i % 16)}; }
Mac mac_of(uint32_t i) {
  return {0x02, 0, uint8_t(i >> 24), uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i)};
}

class Gen {
 public:
  explicit Gen(const Options& o) : o_(o), rng_(o.seed) {}
  uint32_t pick(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  size_t body(size_t lo, size_t hi) { return lo + pick(static_cast<uint32_t>(hi - lo + 1)); }

  // Benign: TCP (mostly established, an occasional SYN) and UDP/DNS, IPv4 and IPv6.
  Frame benign(uint32_t h) {
    const bool v6 = chance(0.1);
    const uint32_t s = pick(16);
    Builder b;
    b.eth(mac_of(h), mac_of(0xFFFF0000u + s));
    if (v6)
      b.ipv6(host6(h), host6(s, true));
    else
      b.ipv4(host4(h), server4(s));
    if (chance(0.75)) {
      b.tcp(static_cast<uint16_t>(32768 + pick(28000)), chance(0.7) ? 443 : 80,
            chance(0.02) ? kSyn : (kAck | (chance(0.5) ? kPsh : 0)));
      b.payload(body(0, 1200));
    } else {
      b.udp(static_cast<uint16_t>(32768 + pick(28000)), 53).payload(body(20, 200));
    }
    return finish(b);
  }

  // The realistic mix of every kind the parser knows, with a few malformed frames.
  Frame realistic(uint32_t h) {
    const uint32_t r = pick(1000);
    const uint32_t s = pick(16);
    Builder b;
    b.eth(mac_of(h), mac_of(0xFFFF0000u + s));
    if (r < 20) {  // ARP
      b.arp(1, mac_of(h), host4(h), Mac{}, server4(s));
      return finish(b);
    }
    if (r < 60)
      b.vlan(static_cast<uint16_t>(100 + s));  // 802.1Q
    else if (r < 70)
      b.qinq(static_cast<uint16_t>(10 + s), 200);  // QinQ
    if (r >= 850) return realistic_v6(b, h, s, r);
    if (r < 600) {
      b.ipv4(host4(h), server4(s))
          .tcp(static_cast<uint16_t>(1024 + pick(60000)), chance(0.5) ? 443 : 80,
               chance(0.05) ? kSyn : kAck);
      b.payload(body(0, 1400));
    } else if (r < 780) {
      b.ipv4(host4(h), server4(s))
          .udp(static_cast<uint16_t>(1024 + pick(60000)), chance(0.6) ? 53 : 123);
      b.payload(body(8, 500));
    } else if (r < 820) {
      b.ipv4(host4(h), server4(s))
          .icmp_echo(static_cast<uint16_t>(h), static_cast<uint16_t>(r))
          .payload(56);
    } else if (r < 825) {
      b.ipv4(host4(h), ip4("224.0.0.251")).igmp(0x16, ip4("224.0.0.251"));
    } else if (r < 835) {  // IPv4 fragments: first (with UDP) and a later one
      Ipv4Opts fo;
      fo.more_fragments = r < 830;
      fo.frag_offset = r < 830 ? 0 : 185;
      if (r >= 830) fo.proto = kProtoUdp;
      b.ipv4(host4(h), server4(s), fo);
      if (r < 830) b.udp(5000, 6000);
      b.payload(r < 830 ? 1472 : 200);
    } else if (r < 840) {  // GRE and other protocols by number
      Ipv4Opts go;
      go.proto = 47;
      b.ipv4(host4(h), server4(s), go).payload(40);
    } else {  // malformed
      return malformed(b, h, s, r);
    }
    return finish(b);
  }

  Frame realistic_v6(Builder& b, uint32_t h, uint32_t s, uint32_t r) {
    b.ipv6(host6(h), host6(s, true));
    if (r < 930) {
      if (r >= 920) b.ipv6_hop_by_hop();
      b.tcp(static_cast<uint16_t>(1024 + pick(60000)), 443, chance(0.05) ? kSyn : kAck)
          .payload(body(0, 1200));
    } else if (r < 970) {
      if (r >= 960) b.ipv6_dest_opts();
      b.udp(static_cast<uint16_t>(1024 + pick(60000)), 53).payload(body(8, 300));
    } else {
      b.icmpv6_echo(static_cast<uint16_t>(h), static_cast<uint16_t>(r)).payload(32);
    }
    return finish(b);
  }

  Frame malformed(Builder& b, uint32_t h, uint32_t s, uint32_t r) {
    switch (r % 4) {
      case 0:  // TCP header cut short by the capture (addresses still counted)
        b.ipv4(host4(h), server4(s)).tcp(1234, 80, kAck).payload(100).snap(14 + 20 + 10);
        break;
      case 1: {  // IHL below 5 (no usable addresses)
        Ipv4Opts bad;
        bad.ihl = 4;
        b.ipv4(host4(h), server4(s), bad).udp(1, 2).payload(10);
        break;
      }
      case 2:  // IPv6 header cut short
        b.ipv6(host6(h), host6(s, true)).udp(1, 2).payload(10).truncate(14 + 30);
        break;
      default: {  // UDP length beyond the IP payload
        UdpOpts u;
        u.length = 400;
        b.ipv4(host4(h), server4(s)).udp(1000, 2000, u).payload(20);
        break;
      }
    }
    return b.build();
  }

  Frame udp64(uint32_t h) {
    Builder b;
    b.eth(mac_of(h), mac_of(0xFFFF0000u)).ipv4(host4(h), server4(h)).udp(1024, 53).payload(0);
    return finish(b);
  }

  Frame attack(uint64_t k) {
    const Ip4 src = ip4(o_.src.c_str());
    Builder b;
    b.eth(mac_of(0xAAAA), mac_of(0xFFFF0000u));
    if (o_.scenario == "icmp-flood") {
      b.ipv4(src, server4(0)).icmp_echo(0x4242, static_cast<uint16_t>(k)).payload(56);
    } else if (is_labelled_scenario(o_.scenario)) {
      labelled_frame(b, o_.scenario, k, src, ip4(o_.dst.c_str()));
    } else if (o_.scenario == "port-scan") {
      b.ipv4(src, server4(1)).tcp(40000, static_cast<uint16_t>(1 + k % 65535), kSyn);
    } else {  // heavy-sender
      b.ipv4(src, server4(2)).udp(40000, 9000).payload(1400);
    }
    return finish(b);
  }

 private:
  Frame finish(Builder& b) {
    if (o_.size) b.pad_to(o_.size).snap(o_.size);  // captured like a snaplen: wire length kept
    return b.build();
  }
  const Options& o_;
  std::mt19937_64 rng_;
};

bool parse(int argc, char** argv, Options& o) {
  static const option kLong[] = {
      {"out", 1, nullptr, 'o'},   {"packets", 1, nullptr, 'n'}, {"hosts", 1, nullptr, 'H'},
      {"size", 1, nullptr, 's'},  {"mix", 1, nullptr, 'm'},     {"scenario", 1, nullptr, 'S'},
      {"src", 1, nullptr, 'a'},   {"pps", 1, nullptr, 'p'},     {"seed", 1, nullptr, 'r'},
      {"start", 1, nullptr, 't'}, {"help", 0, nullptr, 'h'},    {"dst", 1, nullptr, 'd'},
      {nullptr, 0, nullptr, 0}};
  opterr = 0;
  for (int c; (c = getopt_long(argc, argv, ":h", kLong, nullptr)) != -1;) {
    const char* a = optarg;
    switch (c) {
      case 'o':
        o.out = a;
        break;
      case 'n':
        o.packets = std::strtoull(a, nullptr, 10);
        break;
      case 'H':
        o.hosts = static_cast<uint32_t>(std::strtoul(a, nullptr, 10));
        break;
      case 's':
        o.size = static_cast<uint32_t>(std::strtoul(a, nullptr, 10));
        break;
      case 'm':
        o.mix = a;
        break;
      case 'S':
        o.scenario = a;
        break;
      case 'a':
        o.src = a;
        break;
      case 'd':
        o.dst = a;
        break;
      case 'p':
        o.pps = std::strtod(a, nullptr);
        break;
      case 'r':
        o.seed = std::strtoull(a, nullptr, 10);
        break;
      case 't':
        o.start_s = std::strtoull(a, nullptr, 10);
        break;
      case 'h':
        std::fputs(kUsage, stdout);
        std::exit(0);
      default:
        std::fprintf(stderr, "securenet-pcapgen: bad option %s\n%s", argv[optind - 1], kUsage);
        return false;
    }
  }
  auto bad = [](const char* m) {
    std::fprintf(stderr, "securenet-pcapgen: %s\n", m);
    return false;
  };
  if (o.out.empty()) return bad("--out FILE is required");
  if (o.hosts == 0 || o.hosts > (1u << 24)) return bad("--hosts must be 1..16777216");
  if (o.size && (o.size < 60 || o.size > 9000)) return bad("--size must be 60..9000");
  if (o.mix != "realistic" && o.mix != "udp") return bad("--mix must be realistic or udp");
  const auto& s = o.scenario;
  if (!s.empty() && s != "icmp-flood" && s != "port-scan" && s != "heavy-sender" && s != "benign" &&
      !is_labelled_scenario(s)) {
    return bad(
        "--scenario must be icmp-flood, port-scan, heavy-sender, benign or a labelled one (see the "
        "source)");
  }
  if (ip4(o.src.c_str()) == Ip4{}) return bad("--src must be an IPv4 address");
  if (ip4(o.dst.c_str()) == Ip4{}) return bad("--dst must be an IPv4 address");
  if (o.pps <= 0) o.pps = s.empty() ? 1e6 : 2000;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) return 2;
  PcapWriter w;
  if (!w.open(o.out.c_str(), TsResolution::kNano)) {
    std::fprintf(stderr, "securenet-pcapgen: cannot write %s\n", o.out.c_str());
    return 1;
  }
  Gen g(o);
  const bool attack = !o.scenario.empty() && o.scenario != "benign";
  // Attack scenarios interleave one attacker packet with one background packet.
  const uint64_t step = static_cast<uint64_t>(1e9 / (attack ? 2 * o.pps : o.pps));
  const Ip4 attacker = ip4(o.src.c_str());
  uint64_t ts = o.start_s * 1'000'000'000ULL, k = 0;
  for (uint64_t i = 0; i < o.packets; ++i, ts += step) {
    uint32_t h = g.pick(o.hosts);
    if (!o.scenario.empty() && host4(h) == attacker && o.hosts > 1)
      h = (h + 1) % o.hosts;  // background only
    Frame f;
    if (attack && (i % 2 == 0))
      f = g.attack(k++);  // half the packets are the attacker's
    else if (!o.scenario.empty())
      f = g.benign(h);
    else if (o.mix == "udp")
      f = g.udp64(h);
    else
      f = g.realistic(h);
    if (!w.write(f, ts)) {
      std::fprintf(stderr, "securenet-pcapgen: write to %s failed\n", o.out.c_str());
      return 1;
    }
  }
  if (!w.close()) {
    std::fprintf(stderr, "securenet-pcapgen: cannot finish %s\n", o.out.c_str());
    return 1;
  }
  return 0;
}
