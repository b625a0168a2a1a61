#include "app/views.h"

#include "securenet/common/clock.h"

namespace securenet::control {

namespace {
uint64_t parse_error_total(const GlobalCounters& t) {
  uint64_t n = 0;
  for (size_t i = 1; i < t.parse_errors.size(); ++i) n += t.parse_errors[i];
  return n;
}
int64_t ns_to_ms(uint64_t ns) { return static_cast<int64_t>(ns / 1000000); }

// One per-host field in the API's form (SECURENET_HOST_FIELDS): counters as they are,
// arrays as an object keyed by the protocol-class names, times in ms.
enum class Kind { counter, first_seen, last_seen, window, sketch };
template <Kind K>
void host_field(JsonWriter& w, const char* name, uint64_t v) {
  if constexpr (K == Kind::window || K == Kind::sketch) {
    return;  // internal to the scan rules (a one-word sketch is a scalar too)
  } else if constexpr (K == Kind::counter) {
    w.field(name, v);
  } else {
    w.field(name, ns_to_ms(v));
  }
}
template <Kind K, size_t N>
void host_field(JsonWriter& w, const char* name, const std::array<uint64_t, N>& v) {
  if constexpr (K != Kind::sketch) {  // sketches: internal to the scan and fan-in rules
    static_assert(N == shm::kProtoClassCount, "an array by protocol class");
    w.key(name).begin_object();
    for (size_t i = 0; i < v.size(); ++i) w.field(shm::kProtoClassNames[i], v[i]);
    w.end_object();
  }
}

// The worker arrays keyed by a name table (SECURENET_NAMED_ARRAYS) as JSON objects
// ({"tcp": n, ...}, {"truncated_tcp": n, ...}, {"mpls": n, ...}); in /api/status only
// those marked api_status.
template <size_t N, size_t M>
void named_array(JsonWriter& w, const char* key, const char* const (&names)[M], size_t first,
                 const std::array<uint64_t, N>& v) {
  static_assert(N == M, "one name per element");
  w.key(key).begin_object();
  for (size_t i = first; i < N; ++i) w.field(names[i], v[i]);
  w.end_object();
}
void named_arrays(JsonWriter& w, const GlobalCounters& t, bool status) {
#define SECURENET_X(member, names, first, api_key, api_status, prom, label, help) \
  if (!status || api_status) named_array(w, api_key, names, first, t.member);
  SECURENET_NAMED_ARRAYS(SECURENET_X)
#undef SECURENET_X
}
}  // namespace

void write_host_json(JsonWriter& w, const HostView& h, const SecurityConfig& cfg) {
  w.begin_object();
  w.field("ip", ip_text(h.ip)).field("direction", cfg.internal(h.ip) ? "internal" : "external");
#define SECURENET_X(member, width, kind, api_name) host_field<Kind::kind>(w, api_name, h.member);
  SECURENET_HOST_FIELDS(SECURENET_X)
#undef SECURENET_X
  w.field("pps", h.pps).field("bps", h.bps).field("syn_per_min", h.syn_per_min);
  w.end_object();
}

std::string App::build_metrics_json(size_t top) const {
  const Snapshot& s = *snapshot_;
  const auto& t = s.totals;
  JsonWriter w;
  w.begin_object();
  w.field("ts_ms", s.ts_ms);
  w.key("totals").begin_object();
#define SECURENET_X(member, type, api_metrics, api_status, help) \
  if (const char* k = api_metrics) w.field(k, t.member);
  SECURENET_WORKER_COUNTERS(SECURENET_X)
#undef SECURENET_X
  w.field("parse_errors", parse_error_total(t));
  w.end_object();
  w.key("rates").begin_object().field("pps", s.pps).field("bps", s.bps).end_object();
  w.field("active_hosts", s.active_hosts).field("hosts_tracked", s.hosts_tracked);
  w.field("connections_per_min", s.connections_per_min);
  auto open = alerts_.open_by_severity();
  w.key("anomalies").begin_object();
  for (int i = static_cast<int>(kSeverityCount) - 1; i >= 0; --i)
    w.field(to_string(static_cast<Severity>(i)), open[static_cast<size_t>(i)]);
  w.end_object();
  w.key("anomalies_raised").begin_object();
  for (int i = static_cast<int>(kSeverityCount) - 1; i >= 0; --i)
    w.field(to_string(static_cast<Severity>(i)), raised_[static_cast<size_t>(i)]);
  w.end_object();
  named_arrays(w, t, false);  // protocols, parse_errors, encapsulations
  w.key("top_talkers").begin_array();
  const auto& list = s.top[static_cast<size_t>(HostSort::kPps)];
  for (size_t i = 0; i < list.size() && i < top; ++i) {
    const auto& h = list[i];
    w.begin_object().field("ip", ip_text(h.ip)).field("pps", h.pps).field("bps", h.bps);
    w.field("packets", h.packets_sent + h.packets_recv)
        .field("bytes", h.bytes_sent + h.bytes_recv)
        .end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

std::string status_json(const App& app) {
  auto snap = app.snapshot();
  const auto& d = snap->dataplane;
  const auto& t = snap->raw_totals;
  JsonWriter w;
  w.begin_object();
  w.key("dataplane").begin_object();
  w.field("state", to_string(d.state)).field("pid", d.pid).field("source", d.source);
  w.field("source_name", d.source_name).field("workers", d.workers).field("uptime_s", d.uptime_s);
  w.field("heartbeat_age_ms", d.heartbeat_age_ms);
  w.key("interfaces").begin_array();  // the dataplane's own counters, per interface
  for (const auto& i : d.interfaces) {
    w.begin_object().field("name", i.name).field("workers", static_cast<uint64_t>(i.workers));
#define SECURENET_X(member, type, api_metrics, api_status, help) \
  if (api_status) w.field(#member, i.totals.member);
    SECURENET_WORKER_COUNTERS(SECURENET_X)
#undef SECURENET_X
    w.field("source_errors", i.totals.source_errors).end_object();
  }
  w.end_array();
  w.key("error");
  d.error.empty() ? w.null() : w.value(d.error);
  w.end_object();
  w.key("rates")
      .begin_object()
      .field("pps", snap->pps)
      .field("bps", snap->bps)
      .field("drops_per_s", snap->drops_per_s)
      .end_object();
  w.key("totals").begin_object();
#define SECURENET_X(member, type, api_metrics, api_status, help) \
  if (api_status) w.field(#member, t.member);
  SECURENET_WORKER_COUNTERS(SECURENET_X)
#undef SECURENET_X
  w.field("parse_errors", parse_error_total(t)).field("hosts_tracked", snap->hosts_tracked);
  named_arrays(w, t, true);  // encapsulations
  w.end_object();
  w.key("host_table")
      .begin_object()
      .field("hosts", t.hosts_in_table)
      .field("capacity", d.host_capacity);
  w.field("occupancy", d.host_capacity ? static_cast<double>(t.hosts_in_table) /
                                             static_cast<double>(d.host_capacity)
                                       : 0.0);
  w.field("evicted", t.hosts_evicted)
      .field("full", t.host_table_full)
      .field("idle_s", d.host_idle_s);
  w.field("bytes_per_host", static_cast<uint64_t>(sizeof(shm::HostEntry))).end_object();
  auto db = app.database();
  w.key("database")
      .begin_object()
      .field("state", db.state)
      .field("spool_backlog", db.spool_backlog);
  if (!db.detail.empty()) w.field("detail", db.detail);
  w.key("spool").begin_object().field("degraded", db.spool_degraded == 2 ? "high"
                                                  : db.spool_degraded    ? "medium"
                                                                         : "none");
  w.field("disk_free_bytes", db.spool_disk_free_bytes)
      .field("reserve_in_use", db.spool_reserve_in_use);
  w.key("dropped").begin_object();
  for (const auto& [table, n] : db.spool_dropped) w.field(table, n);
  w.end_object().end_object();
  w.end_object();
  w.key("control").begin_object();
  w.field("version", kVersion).field("uptime_s", app.uptime_s());
  w.field("tick_ms", static_cast<int64_t>(app.options().tick.count()));
  w.field("last_tick_duration_ms", snap->tick_duration_ms)
      .field("event_clients", static_cast<uint64_t>(const_cast<App&>(app).hub().clients()));
  w.end_object();
  for (const auto& [name, write] : app.status_sections()) write(w.key(name));
  w.end_object();
  return w.take();
}

std::string history_json(const App& app, int64_t seconds) {
  JsonWriter w;
  w.begin_object().key("points").begin_array();
  int64_t since = wall_ms() - seconds * 1000;
  for (const auto& p : app.sampler().history()) {
    if (p.ts_ms < since) continue;
    w.begin_object().field("ts_ms", p.ts_ms).field("pps", p.pps).field("bps", p.bps);
    w.field("active_hosts", p.active_hosts)
        .field("connections_per_min", p.connections_per_min)
        .end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace securenet::control
