// Writes the seed corpus of fuzz_parse_packet into the directory argv[1]: every frame of
// the parser's fixture table and one frame per encapsulation and link type from the
// packet builders (packet_builder_encap.h), so the fuzzer starts inside every layer.
// The first byte of a seed selects the link kind when its top bit is set (see
// fuzz_parse_packet.cpp); Ethernet seeds start with a locally administered MAC (0x02).
#include <cstdio>
#include <string>
#include <vector>

#include "parser_fixtures.h"
#include "tools/packet_builder_encap.h"

using namespace securenet::pkt;
using namespace securenet::pkt::encap;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  std::vector<std::pair<std::string, Bytes>> seeds;
  for (const auto& f : securenet::testing::all_fixtures()) seeds.emplace_back(f.name, f.frame.data);
  const Mac a = mac("02:00:00:00:00:0a"), b = mac("02:00:00:00:00:0b");
  const Frame in =
      Builder().eth(a, b).ipv4(ip4("192.0.2.1"), ip4("198.51.100.2")).tcp(1, 443, kSyn).build();
  const Bytes ip = ip_of(in);
  const Bytes in6 =
      ip_of(Builder()
                .eth(a, b)
                .ipv6(securenet::pkt::ip6("2001:db8::1"), securenet::pkt::ip6("2001:db8::2"))
                .udp(1, 53)
                .payload(4)
                .build());
  auto o4 = [&](std::optional<uint8_t> p) {
    return Builder().eth(a, b).ipv4(ip4("10.0.0.1"), ip4("10.0.0.2"), {.proto = p});
  };
  seeds.emplace_back("vxlan", o4({}).udp(9, 4789).payload(cat({vxlan(1), in.data})).build().data);
  seeds.emplace_back("geneve",
                     o4({}).udp(9, 6081).payload(cat({geneve(0x6558, 2), in.data})).build().data);
  seeds.emplace_back("gtpu",
                     o4({}).udp(2152, 2152).payload(cat({gtpu(ip.size(), true), ip})).build().data);
  seeds.emplace_back("teredo",
                     o4({}).udp(9, 3544).payload(cat({teredo_origin(), in6})).build().data);
  seeds.emplace_back("gre_flags", o4(47).payload(cat({gre(0x0800, true, 1, 2), ip})).build().data);
  seeds.emplace_back(
      "erspan2", o4(47).payload(cat({gre(0x88BE, false, {}, 3), erspan2(), in.data})).build().data);
  seeds.emplace_back(
      "erspan3",
      o4(47).payload(cat({gre(0x22EB, false, {}, 3), erspan3(true), in.data})).build().data);
  seeds.emplace_back("ipip", o4(4).payload(ip).build().data);
  seeds.emplace_back("6in4", o4(41).payload(in6).build().data);
  seeds.emplace_back("mpls",
                     Builder().eth(a, b, 0x8847).payload(cat({mpls({1, 2}), ip})).build().data);
  seeds.emplace_back("mpls_pw", Builder()
                                    .eth(a, b, 0x8847)
                                    .payload(cat({mpls({1}), pw_control_word(), in.data}))
                                    .build()
                                    .data);
  seeds.emplace_back(
      "pppoe",
      Builder().eth(a, b, 0x8864).payload(cat({pppoe(0x0021, ip.size()), ip})).build().data);
  // Link kinds: first byte 0x80 | (kind << 2), then the link header and packet.
  const Bytes sll = cat({Bytes{0, 0, 0, 1, 0, 6}, Bytes(8, 0xAA), Bytes{0x08, 0x00}});
  seeds.emplace_back("link_raw", cat({Bytes{0x80 | (1 << 2)}, ip}));
  seeds.emplace_back("link_null", cat({Bytes{0x80 | (4 << 2), 2, 0, 0, 0}, ip}));
  seeds.emplace_back("link_sll", cat({Bytes{0x80 | (5 << 2)}, sll, ip}));
  seeds.emplace_back("link_ppp", cat({Bytes{0x80 | (7 << 2), 0xFF, 0x03, 0x00, 0x21}, ip}));
  for (const auto& [name, bytes] : seeds) {
    const std::string path = std::string(argv[1]) + "/" + name;
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
      std::fprintf(stderr, "cannot write %s\n", path.c_str());
      return 1;
    }
    std::fclose(f);
  }
  return 0;
}
