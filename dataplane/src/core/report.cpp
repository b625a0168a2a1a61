#include "core/report.h"

#include <algorithm>
#include <cinttypes>
#include <sstream>

#include "securenet/parser.h"

namespace securenet {
namespace {

using Hosts = std::vector<HostCounters>;

Hosts top_hosts(const ShmReader& r, unsigned n, size_t& total) {
  Hosts h = r.merge_hosts();
  total = h.size();
  auto busier = [](const HostCounters& a, const HostCounters& b) {
    const uint64_t x = a.packets_sent + a.packets_recv, y = b.packets_sent + b.packets_recv;
    return x != y ? x > y : std::lexicographical_compare(a.key.bytes, a.key.bytes + 16, b.key.bytes, b.key.bytes + 16);
  };
  std::sort(h.begin(), h.end(), busier);
  if (h.size() > n) h.resize(n);
  return h;
}

std::string json_escape(const char* s) {
  std::string o;
  for (; *s; ++s) {
    const unsigned char c = static_cast<unsigned char>(*s);
    if (c == '"' || c == '\\') {
      o += '\\';
      o += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      o += buf;
    } else {
      o += static_cast<char>(c);
    }
  }
  return o;
}

void host_json(std::ostringstream& j, const HostCounters& h) {
  j << "{\"ip\":\"" << format_ip(h.key) << "\",\"packets_sent\":" << h.packets_sent
    << ",\"bytes_sent\":" << h.bytes_sent << ",\"packets_recv\":" << h.packets_recv
    << ",\"bytes_recv\":" << h.bytes_recv << ",\"syn_sent\":" << h.syn_sent
    << ",\"blacklisted_packets\":" << h.blacklisted_packets << ",\"proto_class_packets\":{";
  for (size_t c = 0; c < shm::kProtoClassCount; ++c) {
    j << (c ? "," : "") << '"' << proto_class_name(static_cast<shm::ProtoClass>(c)) << "\":" << h.proto_class_packets[c];
  }
  j << "},\"first_seen_ns\":" << h.first_seen_ns << ",\"last_seen_ns\":" << h.last_seen_ns << "}";
}

}  // namespace

void print_report(const ShmReader& r, const ReportOptions& o, std::FILE* out) {
  const GlobalCounters g = r.totals();
  const auto& hd = r.header();
  std::fprintf(out, "securenet-dataplane: %s %s, %u worker(s)\n", shm::source_kind_name(hd.source_kind), hd.source_name,
               hd.num_workers);
  std::fprintf(out, "packets %" PRIu64 "  bytes %" PRIu64, g.packets, g.bytes);
  if (o.elapsed_s > 0) {
    std::fprintf(out, "  in %.3f s (%.3f Mpps)", o.elapsed_s, static_cast<double>(g.packets) / o.elapsed_s / 1e6);
  }
  std::fprintf(out, "\nipv4 %" PRIu64 "  ipv6 %" PRIu64 "  arp %" PRIu64 "  other-l2 %" PRIu64 "  vlan %" PRIu64
               "  fragments %" PRIu64 "  tcp-syn %" PRIu64 "  blacklisted %" PRIu64 "\n",
               g.ipv4_packets, g.ipv6_packets, g.arp_packets, g.other_l2_packets, g.vlan_packets, g.fragments,
               g.tcp_syn, g.blacklisted_packets);
  std::fprintf(out, "protocol classes:");
  for (size_t c = 0; c < shm::kProtoClassCount; ++c) {
    std::fprintf(out, "  %s %" PRIu64, proto_class_name(static_cast<shm::ProtoClass>(c)), g.proto_class_packets[c]);
  }
  std::fprintf(out, "\nencapsulations:");
  for (size_t e = 0; e < shm::kEncapCount; ++e) {
    std::fprintf(out, "  %s %" PRIu64, shm::encap_name(static_cast<shm::Encap>(e)), g.encap_packets[e]);
  }
  std::fprintf(out, "\nparse errors:");
  bool any = false;
  for (size_t e = 1; e < shm::kParseErrorCount; ++e) {
    if (!g.parse_errors[e]) continue;
    any = true;
    std::fprintf(out, "  %s %" PRIu64, parse_error_name(static_cast<shm::ParseError>(e)), g.parse_errors[e]);
  }
  std::fprintf(out, "%s\n", any ? "" : "  none");
  std::fprintf(out, "source drops %" PRIu64 "  source errors %" PRIu64 "  host table full %" PRIu64 "\n",
               g.source_drops, g.source_errors, g.host_table_full);
  size_t total = 0;
  const Hosts top = top_hosts(r, o.top, total);
  std::fprintf(out, "hosts %zu; top %zu by packets:\n", total, top.size());
  std::fprintf(out, "  %-39s %12s %14s %12s %14s %8s\n", "host", "pkts-sent", "bytes-sent", "pkts-recv", "bytes-recv",
               "syn-sent");
  for (const auto& h : top) {
    std::fprintf(out, "  %-39s %12" PRIu64 " %14" PRIu64 " %12" PRIu64 " %14" PRIu64 " %8" PRIu64 "\n",
                 format_ip(h.key).c_str(), h.packets_sent, h.bytes_sent, h.packets_recv, h.bytes_recv, h.syn_sent);
  }
}

std::string report_json(const ShmReader& r, const ReportOptions& o) {
  const GlobalCounters g = r.totals();
  const auto& hd = r.header();
  std::ostringstream j;
  j << "{\"source\":{\"kind\":\"" << shm::source_kind_name(hd.source_kind) << "\",\"name\":\"" << json_escape(hd.source_name)
    << "\"},\"workers\":" << hd.num_workers << ",\"elapsed_s\":" << o.elapsed_s << ",\"packets\":" << g.packets
    << ",\"bytes\":" << g.bytes << ",\"ipv4_packets\":" << g.ipv4_packets << ",\"ipv6_packets\":" << g.ipv6_packets
    << ",\"arp_packets\":" << g.arp_packets << ",\"other_l2_packets\":" << g.other_l2_packets
    << ",\"vlan_packets\":" << g.vlan_packets << ",\"fragments\":" << g.fragments << ",\"tcp_syn\":" << g.tcp_syn
    << ",\"blacklisted_packets\":" << g.blacklisted_packets << ",\"source_drops\":" << g.source_drops
    << ",\"source_errors\":" << g.source_errors << ",\"host_table_full\":" << g.host_table_full
    << ",\"sampled_packets\":" << g.sampled_packets << ",\"proto_class_packets\":{";
  for (size_t c = 0; c < shm::kProtoClassCount; ++c) {
    j << (c ? "," : "") << '"' << proto_class_name(static_cast<shm::ProtoClass>(c)) << "\":" << g.proto_class_packets[c];
  }
  j << "},\"encap_packets\":{";
  for (size_t e = 0; e < shm::kEncapCount; ++e) {
    j << (e ? "," : "") << '"' << shm::encap_name(static_cast<shm::Encap>(e)) << "\":" << g.encap_packets[e];
  }
  j << "},\"parse_errors\":{";
  for (size_t e = 1; e < shm::kParseErrorCount; ++e) {
    j << (e > 1 ? "," : "") << '"' << parse_error_name(static_cast<shm::ParseError>(e)) << "\":" << g.parse_errors[e];
  }
  j << "},\"ip_proto_packets\":{";
  bool first = true;
  for (size_t p = 0; p < 256; ++p) {
    if (!g.ip_proto_packets[p]) continue;
    j << (first ? "" : ",") << '"' << p << "\":" << g.ip_proto_packets[p];
    first = false;
  }
  size_t total = 0;
  const Hosts top = top_hosts(r, o.top, total);
  j << "},\"hosts\":" << total << ",\"top_hosts\":[";
  for (size_t i = 0; i < top.size(); ++i) {
    if (i) j << ",";
    host_json(j, top[i]);
  }
  j << "]}\n";
  return j.str();
}

}  // namespace securenet
