// Parser throughput per packet kind. items_per_second is packets/s (Mpps = /1e6); the
// time column is ns per packet. BM_Reference_LoadEthertype (load one 16-bit field of the
// same 64-byte frame) is the in-run reference: compare the kinds to it as ratios.
//
//   ./parser_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "parser_fixtures.h"
#include "securenet/parser.h"
#include "tools/packet_builder_encap.h"

namespace {

using securenet::parse_packet;
using securenet::ParsedPacket;
using securenet::testing::Fixture;

// {benchmark label, fixture name}
const std::pair<const char*, const char*> kKinds[] = {
    {"ipv4_tcp_64B", "ipv4_tcp_syn_64B"},
    {"ipv4_tcp_options", "ipv4_tcp_options_both"},
    {"ipv4_udp", "ipv4_udp_dns"},
    {"ipv6_tcp", "ipv6_tcp_syn"},
    {"ipv6_udp_2ext", "ipv6_hbh_dstopts_udp"},
    {"ipv6_tcp_4ext", "ipv6_ext_chain_all_kinds_tcp"},
    {"vlan_ipv4_udp", "vlan_ipv4_udp"},
    {"qinq_ipv4_tcp", "qinq_ipv4_tcp"},
    {"ipv4_icmp", "ipv4_icmp_echo"},
    {"ipv6_icmpv6", "ipv6_icmpv6_echo"},
    {"ipv4_igmp", "ipv4_igmp_report"},
    {"arp", "arp_request"},
    {"ipv4_later_fragment", "ipv4_later_fragment_tcp"},
    {"ipv6_first_fragment", "ipv6_first_fragment_udp"},
    {"malformed_ipv4_ihl", "err_bad_ipv4_ihl_4"},
    {"malformed_truncated_tcp", "err_truncated_tcp_snap"},
    {"malformed_too_many_vlans", "err_too_many_vlan_tags"},
};

const Fixture* find(const std::vector<Fixture>& all, const char* name) {
  for (const auto& f : all)
    if (f.name == name) return &f;
  return nullptr;
}

void parse_one(benchmark::State& state, const Fixture* f) {
  const uint8_t* d = f->frame.data.data();
  const uint32_t cap = f->frame.caplen(), wire = f->frame.wire_len;
  ParsedPacket p;
  for (auto _ : state) {
    benchmark::DoNotOptimize(d);
    parse_packet(d, cap, wire, p);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// A mix of every kind above, 1024 frames in a row (branch predictors see a real mix).
void parse_mix(benchmark::State& state, std::vector<const Fixture*> mix) {
  std::vector<const Fixture*> ring;
  for (size_t i = 0; ring.size() < 1024; i = (i * 7 + 3) % mix.size()) ring.push_back(mix[i]);
  ParsedPacket p;
  size_t i = 0;
  for (auto _ : state) {
    const Fixture* f = ring[i++ & 1023];
    parse_packet(f->frame.data.data(), f->frame.caplen(), f->frame.wire_len, p);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// Reference: one 16-bit load from the same frame, the floor of any per-packet work.
void reference(benchmark::State& state, const Fixture* f) {
  const uint8_t* d = f->frame.data.data();
  for (auto _ : state) {
    benchmark::DoNotOptimize(d);
    uint16_t et;
    std::memcpy(&et, d + 12, 2);
    benchmark::DoNotOptimize(et);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// Decapsulation: the same 64-byte IPv4/TCP SYN inside each encapsulation. The cost of a
// layer is its time minus BM_Parse/ipv4_tcp_64B's (bench/README.md).
std::vector<std::pair<std::string, securenet::pkt::Frame>> encapsulated() {
  using namespace securenet::pkt;
  using namespace securenet::pkt::encap;
  const Mac a = mac("02:00:00:00:00:0a"), b = mac("02:00:00:00:00:0b");
  const Frame inner = Builder()
                          .eth(a, b)
                          .ipv4(ip4("192.0.2.1"), ip4("198.51.100.2"))
                          .tcp(40000, 443, kSyn)
                          .pad_to(60)
                          .build();
  const Bytes ip = ip_of(inner);
  auto outer = [&](std::optional<uint8_t> proto) {
    return Builder().eth(a, b).ipv4(ip4("10.0.0.1"), ip4("10.0.0.2"), {.proto = proto});
  };
  std::vector<std::pair<std::string, Frame>> v;
  v.emplace_back("vxlan_ipv4_tcp",
                 outer({}).udp(50000, 4789).payload(cat({vxlan(42), inner.data})).build());
  v.emplace_back(
      "erspan2_ipv4_tcp",
      outer(47).payload(cat({gre(0x88BE, false, {}, 7), erspan2(), inner.data})).build());
  v.emplace_back("mpls2_ipv4_tcp",
                 Builder().eth(a, b, 0x8847).payload(cat({mpls({16, 17}), ip})).build());
  v.emplace_back("gre_ipv4_tcp", outer(47).payload(cat({gre(0x0800), ip})).build());
  v.emplace_back("gtpu_ipv4_tcp",
                 outer({}).udp(2152, 2152).payload(cat({gtpu(ip.size()), ip})).build());
  v.emplace_back("pppoe_ipv4_tcp",
                 Builder().eth(a, b, 0x8864).payload(cat({pppoe(0x0021, ip.size()), ip})).build());
  return v;
}

void parse_frame(benchmark::State& state, const securenet::pkt::Frame* f) {
  const uint8_t* d = f->data.data();
  const uint32_t cap = f->caplen(), wire = f->wire_len;
  ParsedPacket p;
  for (auto _ : state) {
    benchmark::DoNotOptimize(d);
    parse_packet(d, cap, wire, p);
    benchmark::DoNotOptimize(p);
  }
  if (p.encaps == 0 || !p.has_addrs) state.SkipWithError("frame was not decapsulated");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

}  // namespace

int main(int argc, char** argv) {
  static const std::vector<Fixture> all = securenet::testing::all_fixtures();
  std::vector<const Fixture*> mix;
  for (const auto& [label, name] : kKinds) {
    const Fixture* f = find(all, name);
    if (!f) {
      std::fprintf(stderr, "missing fixture %s\n", name);
      return 1;
    }
    mix.push_back(f);
    benchmark::RegisterBenchmark((std::string("BM_Parse/") + label).c_str(), parse_one, f);
  }
  benchmark::RegisterBenchmark("BM_Parse/mix_1024", parse_mix, mix);
  static const auto encap = encapsulated();
  for (const auto& [label, frame] : encap)
    benchmark::RegisterBenchmark((std::string("BM_Decap/") + label).c_str(), parse_frame, &frame);
  benchmark::RegisterBenchmark("BM_Reference_LoadEthertype", reference, mix[0]);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
