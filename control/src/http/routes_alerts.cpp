#include "capture/capture_view.h"
#include "http/audit.h"
#include "http/routes.h"
#include "securenet/common/json_writer.h"
#include "securenet/common/uuid.h"

namespace securenet::control {

namespace {
Response list_alerts(const App& app, const Request& req) {
  Response err;
  auto limit = query_int(req, "limit", 50, 1, 1000, &err);
  if (!limit) return err;
  AlertFilter f;
  f.limit = static_cast<size_t>(*limit);
  if (auto s = req.q("severity")) {
    f.severity = parse_severity(*s);
    if (!f.severity)
      return json_error(400, "invalid_parameter", "severity: must be CRITICAL, HIGH, MEDIUM or LOW",
                        "severity");
  }
  if (auto s = req.q("status")) {
    if (*s == "open") {
      f.open = true;
    } else if (*s == "resolved") {
      f.open = false;
    } else {
      return json_error(400, "invalid_parameter", "status: must be open or resolved", "status");
    }
  }
  if (auto h = req.q("host")) {  // any spelling of an address; alerts name it canonically
    auto key = parse_ip_text(*h);
    if (!key)
      return json_error(400, "invalid_parameter", "host: not an IPv4 or IPv6 address", "host");
    f.host = ip_text(*key);
  }
  JsonWriter w;
  w.begin_object().key("alerts").begin_array();
  for (const Alert* a : app.alerts().list(f)) write_alert_json(w, *a);
  w.end_array().end_object();
  return json_response(w.take());
}

// Attack capture (issue 16): the pcap download and its decoded view.
Response capture_pcap(const App& app, const Request& req) {
  if (!is_uuid(req.params[0])) return json_error(400, "invalid_parameter", "id: not a UUID", "id");
  auto pcap = app.capture().store().pcap(req.params[0]);
  if (!pcap) return json_error(404, "not_found", "no capture for this alert");
  Response r;
  r.body = std::move(*pcap);
  r.content_type = "application/vnd.tcpdump.pcap";
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"alert-" + req.params[0] + ".pcap\"");
  return r;
}

Response capture_view(const App& app, const Request& req) {
  if (!is_uuid(req.params[0])) return json_error(400, "invalid_parameter", "id: not a UUID", "id");
  Response err;
  auto rows = query_int(req, "rows", 200, 1, 2000, &err);
  if (!rows) return err;
  auto pcap = app.capture().store().pcap(req.params[0]);
  if (!pcap) return json_error(404, "not_found", "no capture for this alert");
  auto view = capture_view_json(*pcap, app.capture().store().summary(req.params[0]).value_or(""),
                                static_cast<size_t>(*rows));
  if (!view) return json_error(500, "capture_unreadable", "the stored capture is malformed");
  return json_response(std::move(*view));
}
}  // namespace

void register_alerts_routes(Router& r, App& app) {
  using boost::beast::http::verb;
  r.add(verb::get, "/api/alerts", Access::kViewer,
        [&app](const Request& req) { return list_alerts(app, req); });
  r.add(verb::get, "/api/alerts/{id}", Access::kViewer, [&app](const Request& req) {
    if (!is_uuid(req.params[0]))
      return json_error(400, "invalid_parameter", "id: not a UUID", "id");
    for (const Alert* a : app.alerts().list({SIZE_MAX, {}, {}, {}})) {
      if (a->id == req.params[0]) return json_response(alert_to_json(*a));
    }
    return json_error(404, "not_found", "no alert with this id");
  });
  r.add(verb::get, "/api/alerts/{id}/pcap", Access::kOperator,
        [&app](const Request& req) { return capture_pcap(app, req); });
  r.add(verb::get, "/api/alerts/{id}/capture", Access::kViewer,
        [&app](const Request& req) { return capture_view(app, req); });
  r.add(verb::post, "/api/alerts/{id}/resolve", Access::kOperator, [&app](const Request& req) {
    if (!is_uuid(req.params[0]))
      return json_error(400, "invalid_parameter", "id: not a UUID", "id");
    auto a = app.resolve_alert(req.params[0]);
    if (!a) return json_error(404, "not_found", "no alert with this id");
    JsonWriter d;
    d.begin_object()
        .field("alert_id", a->id)
        .field("kind", to_string(a->kind))
        .field("severity", to_string(a->severity))
        .field("host", a->host)
        .end_object();
    app.audit(audit_event(req, "alert_resolve", d.take()));
    return json_response(alert_to_json(*a));
  });
}

}  // namespace securenet::control
