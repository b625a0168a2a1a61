#include "app/report.h"

#include <algorithm>
#include <cinttypes>
#include <string>

#include "securenet/common/json_writer.h"
#include "securenet/parser.h"

namespace securenet {
namespace {

using Hosts = std::vector<HostCounters>;

Hosts top_hosts(const ShmReader& r, unsigned n, size_t& total) {
  Hosts h = r.merge_hosts();
  total = h.size();
  auto busier = [](const HostCounters& a, const HostCounters& b) {
    const uint64_t x = a.packets_sent + a.packets_recv, y = b.packets_sent + b.packets_recv;
    return x != y ? x > y
                  : std::lexicographical_compare(a.key.bytes, a.key.bytes + 16, b.key.bytes,
                                                 b.key.bytes + 16);
  };
  std::sort(h.begin(), h.end(), busier);
  if (h.size() > n) h.resize(n);
  return h;
}

void json_value(JsonWriter& j, uint64_t v) { j.value(v); }
template <size_t N>
void json_value(JsonWriter& j, const std::array<uint64_t, N>& v) {  // by protocol class
  if constexpr (N != shm::kProtoClassCount) {                       // a sketch: its words
    j.begin_array();
    for (uint64_t w : v) j.value(w);
    j.end_array();
    return;
  }
  j.begin_object();
  for (size_t c = 0; c < N; ++c) j.field(shm::kProtoClassNames[c], v[c]);
  j.end_object();
}

// A worker array keyed by its name table (SECURENET_NAMED_ARRAYS), from index `first`.
template <size_t N, size_t M>
void named_json(JsonWriter& j, const char* key, const char* const (&names)[M], size_t first,
                const std::array<uint64_t, N>& v) {
  static_assert(N == M, "one name per element");
  j.key(key).begin_object();
  for (size_t i = first; i < N; ++i) j.field(names[i], v[i]);
  j.end_object();
}

// The worker counters (SECURENET_WORKER_COUNTERS) as fields of the open object.
void counters_json(JsonWriter& j, const GlobalCounters& g) {
#define SECURENET_X(member, type, api_metrics, api_status, help) j.field(#member, g.member);
  SECURENET_WORKER_COUNTERS(SECURENET_X)
#undef SECURENET_X
}

// One host with the segment's field names and units (SECURENET_HOST_FIELDS).
void host_json(JsonWriter& j, const HostCounters& h) {
  j.begin_object().field("ip", ip_text(h.key));
#define SECURENET_X(member, width, kind, api_name) \
  j.key(#member);                                  \
  json_value(j, h.member);
  SECURENET_HOST_FIELDS(SECURENET_X)
#undef SECURENET_X
  j.end_object();
}

}  // namespace

void print_report(const ShmReader& r, const ReportOptions& o, std::FILE* out) {
  const GlobalCounters g = r.totals();
  const auto& hd = r.header();
  std::fprintf(out, "securenet-dataplane: %s %s, %u worker(s)\n",
               shm::source_kind_name(hd.source_kind), hd.source_name, hd.num_workers);
  std::fprintf(out, "packets %" PRIu64 "  bytes %" PRIu64, g.packets, g.bytes);
  if (o.elapsed_s > 0) {
    std::fprintf(out, "  in %.3f s (%.3f Mpps)", o.elapsed_s,
                 static_cast<double>(g.packets) / o.elapsed_s / 1e6);
  }
  std::fprintf(out, "\ncounters:");
  int column = 0;
#define SECURENET_X(member, type, api_metrics, api_status, help) \
  std::fprintf(out, "%s%s %" PRIu64, ++column % 6 == 0 ? "\n " : " ", #member, g.member);
  SECURENET_WORKER_COUNTERS(SECURENET_X)
#undef SECURENET_X
  if (const auto ifaces = r.interfaces(); ifaces.size() > 1) {
    for (const auto& i : ifaces) {
      std::fprintf(out,
                   "\ninterface %s (%u worker(s)): packets %" PRIu64 " bytes %" PRIu64
                   " source_drops %" PRIu64 " duplicates %" PRIu64,
                   i.name.c_str(), i.workers, i.totals.packets, i.totals.bytes,
                   i.totals.source_drops, i.totals.duplicates);
    }
  }
  std::fprintf(out, "\nprotocol classes:");
  for (size_t c = 0; c < shm::kProtoClassCount; ++c) {
    std::fprintf(out, "  %s %" PRIu64, proto_class_name(static_cast<shm::ProtoClass>(c)),
                 g.proto_class_packets[c]);
  }
  std::fprintf(out, "\nencapsulations:");
  for (size_t e = 0; e < shm::kEncapCount; ++e) {
    std::fprintf(out, "  %s %" PRIu64, shm::encap_name(static_cast<shm::Encap>(e)),
                 g.encap_packets[e]);
  }
  std::fprintf(out, "\nparse errors:");
  bool any = false;
  for (size_t e = 1; e < shm::kParseErrorCount; ++e) {
    if (!g.parse_errors[e]) continue;
    any = true;
    std::fprintf(out, "  %s %" PRIu64, parse_error_name(static_cast<shm::ParseError>(e)),
                 g.parse_errors[e]);
  }
  std::fprintf(out, "%s\n", any ? "" : "  none");
  size_t total = 0;
  const Hosts top = top_hosts(r, o.top, total);
  std::fprintf(out, "hosts %zu; top %zu by packets:\n", total, top.size());
  std::fprintf(out, "  %-39s %12s %14s %12s %14s %8s\n", "host", "pkts-sent", "bytes-sent",
               "pkts-recv", "bytes-recv", "syn-sent");
  for (const auto& h : top) {
    std::fprintf(out,
                 "  %-39s %12" PRIu64 " %14" PRIu64 " %12" PRIu64 " %14" PRIu64 " %8" PRIu64 "\n",
                 ip_text(h.key).c_str(), h.packets_sent, h.bytes_sent, h.packets_recv, h.bytes_recv,
                 h.syn_sent);
  }
}

std::string report_json(const ShmReader& r, const ReportOptions& o) {
  const GlobalCounters g = r.totals();
  const auto& hd = r.header();
  JsonWriter j;
  j.begin_object().key("source").begin_object();
  j.field("kind", shm::source_kind_name(hd.source_kind)).field("name", hd.source_name);
  j.end_object().field("workers", hd.num_workers).field("elapsed_s", o.elapsed_s);
  counters_json(j, g);
#define SECURENET_X(member, names, first, api_key, api_status, prom, label, help) \
  named_json(j, #member, names, first, g.member);
  SECURENET_NAMED_ARRAYS(SECURENET_X)  // proto_class_packets, parse_errors, encap_packets
#undef SECURENET_X
  j.key("ip_proto_packets").begin_object();
  for (size_t p = 0; p < 256; ++p)
    if (g.ip_proto_packets[p]) j.field(std::to_string(p), g.ip_proto_packets[p]);
  j.end_object().key("interfaces").begin_array();  // the workers of each interface
  for (const auto& i : r.interfaces()) {
    j.begin_object().field("name", i.name).field("workers", i.workers);
    counters_json(j, i.totals);
    j.end_object();
  }
  size_t total = 0;
  const Hosts top = top_hosts(r, o.top, total);
  j.end_array().field("hosts", uint64_t{total}).key("top_hosts").begin_array();
  for (const auto& h : top) host_json(j, h);
  j.end_array().end_object();
  return j.take() + "\n";
}

}  // namespace securenet
