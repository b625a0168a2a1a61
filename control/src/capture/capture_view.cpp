#include "capture/capture_view.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <vector>

#include "capture/pcap_format.h"
#include "securenet/common/json_writer.h"
#include "securenet/ip_text.h"
#include "securenet/parser.h"

namespace securenet::control {
namespace {

std::optional<LinkKind> link_of(uint32_t linktype) {
  LinkKind k;
  if (link_kind_of_linktype(linktype, k)) return k;
  return std::nullopt;
}

std::string flags_text(uint8_t f) {
  static constexpr const char* kNames[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
  std::string s;
  for (int i = 0; i < 8; ++i) {
    if (!(f & (1 << i))) continue;
    if (!s.empty()) s += ',';
    s += kNames[i];
  }
  return s;
}

std::string proto_text(uint8_t p) {
  switch (p) {
    case 6:
      return "TCP";
    case 17:
      return "UDP";
    case 1:
      return "ICMP";
    case 58:
      return "ICMPv6";
    case 2:
      return "IGMP";
    default:
      return std::to_string(p);
  }
}

struct Tally {
  uint64_t packets = 0, bytes = 0;
};

void write_top(JsonWriter& w, std::string_view name, const std::map<std::string, Tally>& m) {
  std::vector<std::pair<std::string, Tally>> v(m.begin(), m.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second.packets != b.second.packets ? a.second.packets > b.second.packets
                                                : a.first < b.first;
  });
  if (v.size() > 10) v.resize(10);
  w.key(name).begin_array();
  for (const auto& [k, t] : v) {
    w.begin_object()
        .field("key", k)
        .field("packets", t.packets)
        .field("bytes", t.bytes)
        .end_object();
  }
  w.end_array();
}

// The captured packets per bin (100 ms, or wider so that there are at most 100 bins):
// {"bin_ms", "points": [{"t_ms", "sent", "received"}]} (counts per bin).
void write_timeline(JsonWriter& w, const std::vector<std::pair<uint64_t, bool>>& pk) {
  uint64_t lo = UINT64_MAX, hi = 0;
  for (const auto& [t, out] : pk) {
    lo = std::min(lo, t);
    hi = std::max(hi, t);
  }
  uint64_t bin = 100'000'000ULL;
  if (!pk.empty()) bin = std::max(bin, (hi - lo) / 100 + 1);
  std::vector<std::pair<uint64_t, uint64_t>> bins(pk.empty() ? 0 : (hi - lo) / bin + 1);
  for (const auto& [t, out] : pk)
    (out ? bins[(t - lo) / bin].first : bins[(t - lo) / bin].second)++;
  w.key("timeline").begin_object().field("bin_ms", bin / 1'000'000).key("points").begin_array();
  for (size_t i = 0; i < bins.size(); ++i) {
    w.begin_object()
        .field("t_ms", (lo + i * bin) / 1'000'000)
        .field("sent", bins[i].first)
        .field("received", bins[i].second)
        .end_object();
  }
  w.end_array().end_object();
}

}  // namespace

std::optional<std::string> capture_view_json(const std::string& pcap, const std::string& summary,
                                             size_t max_rows) {
  std::vector<PcapRecord> recs;
  uint32_t linktype = 0;
  if (!for_each_pcap_record(pcap, linktype, [&](const PcapRecord& r) { recs.push_back(r); }))
    return std::nullopt;
  const auto link = link_of(linktype);
  JsonWriter w;
  w.begin_object().key("summary").raw(summary.empty() ? "null" : summary);
  std::map<std::string, Tally> peers, ports;
  Tally sent, recv;
  // The host is the summary's; rows and tallies skip records the parser cannot place.
  std::string host;
  if (auto p = summary.find("\"host\":\""); p != std::string::npos) {
    const auto e = summary.find('"', p + 8);
    if (e != std::string::npos) host = summary.substr(p + 8, e - p - 8);
  }
  size_t samples = 0;  // the rebuilt samples lead the file; the timeline is the captured part
  if (auto p = summary.find("\"samples\":"); p != std::string::npos)
    samples = std::min<size_t>(std::strtoull(summary.c_str() + p + 10, nullptr, 10), recs.size());
  uint64_t first_ns = recs.empty() ? 0 : recs.front().ts_ns, last_ns = first_ns;
  std::vector<std::pair<uint64_t, bool>> captured;  // (ts, sent by the host)
  w.key("packets").begin_array();
  size_t rows = 0;
  ParseConfig cfg;
  for (const auto& r : recs) {
    ParsedPacket p{};
    if (link) {
      parse_link(*link, reinterpret_cast<const uint8_t*>(r.data.data()),
                 static_cast<uint32_t>(r.data.size()), r.wire_len, p, cfg);
    }
    first_ns = std::min(first_ns, r.ts_ns);
    last_ns = std::max(last_ns, r.ts_ns);
    const std::string src = p.has_addrs ? ip_text(p.src) : "",
                      dst = p.has_addrs ? ip_text(p.dst) : "";
    if (p.has_addrs) {
      const bool out = src == host;
      if (static_cast<size_t>(&r - recs.data()) >= samples) captured.emplace_back(r.ts_ns, out);
      Tally& t = out ? sent : recv;
      ++t.packets;
      t.bytes += r.wire_len;
      Tally& peer = peers[out ? dst : src];
      ++peer.packets;
      peer.bytes += r.wire_len;
      if (p.l4_parsed && (p.ip_proto == 6 || p.ip_proto == 17)) {
        Tally& port = ports[proto_text(p.ip_proto) + "/" + std::to_string(out ? p.dport : p.sport)];
        ++port.packets;
        port.bytes += r.wire_len;
      }
    }
    if (rows++ >= max_rows) continue;
    w.begin_object()
        .field("ts_ns", r.ts_ns)
        .field("src", src)
        .field("dst", dst)
        .field("protocol", p.has_addrs ? proto_text(p.ip_proto) : std::string("?"))
        .field("sport", static_cast<uint64_t>(p.sport))
        .field("dport", static_cast<uint64_t>(p.dport))
        .field("flags", p.ip_proto == 6 && p.l4_parsed ? flags_text(p.tcp_flags) : std::string())
        .field("length", static_cast<uint64_t>(r.wire_len))
        .field("captured", static_cast<uint64_t>(r.data.size()))
        .end_object();
  }
  w.end_array();
  const double span_s = last_ns > first_ns ? static_cast<double>(last_ns - first_ns) / 1e9 : 0;
  w.field("total", static_cast<uint64_t>(recs.size())).field("span_s", span_s);
  auto rate = [&](const Tally& t) {
    w.begin_object()
        .field("packets", t.packets)
        .field("bytes", t.bytes)
        .field("pps", span_s > 0 ? static_cast<double>(t.packets) / span_s : 0.0)
        .field("bps", span_s > 0 ? static_cast<double>(t.bytes) * 8 / span_s : 0.0)
        .end_object();
  };
  w.key("sent");
  rate(sent);
  w.key("received");
  rate(recv);
  write_timeline(w, captured);
  write_top(w, "top_peers", peers);
  write_top(w, "top_ports", ports);
  w.end_object();
  return w.take();
}

}  // namespace securenet::control
