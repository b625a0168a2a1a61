#include "app/views.h"
#include "http/routes.h"

namespace securenet::control {

namespace {
std::optional<HostSort> parse_sort(std::string_view s) {
  if (s == "pps") return HostSort::kPps;
  if (s == "bps") return HostSort::kBps;
  if (s == "packets") return HostSort::kPackets;
  if (s == "bytes") return HostSort::kBytes;
  if (s == "conn_per_min" || s == "syn_per_min") return HostSort::kConnPerMin;
  return std::nullopt;
}

// GET /api/hosts serves the same top lists to every request of a tick: each listed host's
// JSON is written once per snapshot and configuration (its "direction" depends on it), and a
// request joins the first `limit` of them. Holding the snapshot keeps its address unique.
class HostListCache {
 public:
  void append(JsonWriter& w, const App& app, const std::shared_ptr<const Snapshot>& snap,
              size_t sort, size_t limit) {
    if (snap != snap_ || app.config_generation() != generation_) {
      snap_ = snap;
      generation_ = app.config_generation();
      for (auto& r : rendered_) r.clear();
    }
    const auto& list = snap->top[sort];
    auto& done = rendered_[sort];
    for (size_t i = done.size(); i < list.size() && i < limit; ++i) {
      JsonWriter one;
      write_host_json(one, list[i], app.config());
      done.push_back(one.take());
    }
    for (size_t i = 0; i < done.size() && i < limit; ++i) w.raw(done[i]);
  }

 private:
  std::shared_ptr<const Snapshot> snap_;
  uint64_t generation_ = 0;
  std::array<std::vector<std::string>, kHostSortCount> rendered_;
};

Response list_hosts(const App& app, HostListCache& cache, const Request& req) {
  Response err;
  auto limit = query_int(req, "limit", 50, 1, static_cast<long long>(kTopHosts), &err);
  if (!limit) return err;
  auto sort = parse_sort(req.q("sort").value_or("pps"));
  if (!sort)
    return json_error(400, "invalid_parameter",
                      "sort: must be pps, bps, packets, bytes or conn_per_min", "sort");
  auto snap = app.snapshot();
  JsonWriter w;
  w.begin_object().key("hosts").begin_array();
  cache.append(w, app, snap, static_cast<size_t>(*sort), static_cast<size_t>(*limit));
  w.end_array();
  w.field("total", snap->hosts_tracked);
  w.end_object();
  return json_response(w.take());
}

Response one_host(const App& app, const Request& req) {
  auto ip = parse_ip_text(req.params[0]);
  if (!ip) return json_error(400, "invalid_parameter", "ip: not an IPv4 or IPv6 address", "ip");
  auto h = app.sampler().host(*ip);
  if (!h) return json_error(404, "not_found", "this host has not been seen");
  JsonWriter w;
  write_host_json(w, *h, app.config());
  std::string body = w.take();
  body.pop_back();  // reopen the object to append the host's alerts
  JsonWriter a;
  a.begin_array();
  AlertFilter f;
  f.limit = 100;
  f.host = ip_text(*ip);
  for (const Alert* al : app.alerts().list(f)) write_alert_json(a, *al);
  a.end_array();
  body += ",\"alerts\":" + a.take() + "}";
  return json_response(std::move(body));
}
}  // namespace

void register_hosts_routes(Router& r, App& app) {
  using boost::beast::http::verb;
  r.add(verb::get, "/api/hosts", Access::kViewer,
        [&app, cache = std::make_shared<HostListCache>()](const Request& req) {
          return list_hosts(app, *cache, req);
        });
  r.add(verb::get, "/api/hosts/{ip}", Access::kViewer,
        [&app](const Request& req) { return one_host(app, req); });
}

}  // namespace securenet::control
