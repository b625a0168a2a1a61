#include "http/routes_blocks.h"

#include <simdjson.h>

#include <cmath>

#include "auth/jwt.h"
#include "http/audit.h"

namespace securenet::control {

namespace {

Response bad(std::string_view detail, std::string_view field) {
  return json_error(400, "invalid_parameter", detail, field);
}

// The body of POST /api/blocks into m; a 400 when something is wrong.
std::optional<Response> parse_manual(std::string_view body, ManualBlock& m) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::object obj;
  if (parser.parse(padded).get_object().get(obj) != simdjson::SUCCESS)
    return json_error(400, "invalid_json", "the body must be a JSON object");
  bool have_ip = false, have_prefix = false;
  for (auto [k, v] : obj) {
    std::string_view s;
    int64_t n = 0;
    if (k == "ip") {
      if (v.get_string().get(s) != simdjson::SUCCESS || s.size() > 45)
        return bad("ip: must be an IPv4 or IPv6 address", "ip");
      m.ip = std::string(s);
      have_ip = true;
    } else if (k == "prefix") {
      if (v.get_string().get(s) != simdjson::SUCCESS || s.empty() || s.size() > kMaxPrefixText)
        return bad("prefix: must be an IPv4 or IPv6 prefix (a.b.c.d/n, x:y::/n)", "prefix");
      m.prefix = std::string(s);
      have_prefix = true;
    } else if (k == "mode") {
      BlockMode mode{};
      if (v.get_string().get(s) != simdjson::SUCCESS || !parse_block_mode(s, mode))
        return bad("mode: must be \"blackhole\", \"flowspec\" or \"xdp\"", "mode");
      m.mode = mode;
    } else if (k == "ban_s") {
      if (v.get_int64().get(n) != simdjson::SUCCESS || n < 0 || n > kMaxBanTimeS)
        return bad("ban_s: must be 0 (until unblocked) .. 604800", "ban_s");
      m.ban_s = n;
    } else if (k == "protocol") {
      if (v.get_string().get(s) != simdjson::SUCCESS || !(s == "tcp" || s == "udp" || s == "icmp"))
        return bad("protocol: must be tcp, udp or icmp", "protocol");
      m.protocol = std::string(s);
    } else if (k == "source_port") {
      if (v.get_int64().get(n) != simdjson::SUCCESS || n < 0 || n > 65535)
        return bad("source_port: must be 0..65535", "source_port");
      m.source_port = static_cast<int>(n);
    } else if (k == "rate_bytes") {
      double d = -1;
      if (v.get_double().get(d) != simdjson::SUCCESS || !std::isfinite(d) || d < 0 || d > 1e12)
        return bad("rate_bytes: must be 0 (discard) .. 1e12 bytes/s", "rate_bytes");
      m.rate_bytes = d;
    } else {
      return bad("unknown field '" + std::string(k).substr(0, 64) + "'", k.substr(0, 64));
    }
  }
  if (have_ip && have_prefix) return bad("give ip or prefix, not both", "prefix");
  if (!have_ip && !have_prefix) return bad("ip: missing (or prefix)", "ip");
  const bool fs_fields = !m.protocol.empty() || m.source_port >= 0 || m.rate_bytes > 0;
  if (fs_fields && m.mode != BlockMode::kFlowspec)
    return bad("protocol, source_port and rate_bytes need \"mode\": \"flowspec\"", "mode");
  return std::nullopt;
}

Response answer(const BlockAnswer& a, const Blocker& b) {
  if (a.status) return json_error(a.status, a.error, a.detail);
  return json_response(b.to_json());
}

}  // namespace

void register_block_routes(Router& r, Blocker& blocker) {
  using boost::beast::http::verb;
  r.add(verb::get, "/api/blocks", Access::kViewer, [&blocker](const Request& req) {
    const bool admin = req.claims && req.claims->app_role == auth::AppRole::kAdmin;
    return json_response(blocker.to_json(admin));
  });
  r.add(verb::post, "/api/blocks", Access::kAdmin, [&blocker](const Request& req) {
    ManualBlock m;
    if (auto err = parse_manual(req.body, m)) return *err;
    return answer(blocker.block(m, audit_event(req, "block")), blocker);
  });
  r.add(verb::delete_, "/api/blocks/{ip}", Access::kAdmin, [&blocker](const Request& req) {
    return answer(blocker.unblock(req.params[0], audit_event(req, "unblock")), blocker);
  });
  // A prefix block: DELETE /api/blocks/203.0.113.0/24 (its "ip" in GET /api/blocks).
  r.add(verb::delete_, "/api/blocks/{ip}/{len}", Access::kAdmin, [&blocker](const Request& req) {
    const std::string text = req.params[0] + "/" + req.params[1];
    return answer(blocker.unblock(text, audit_event(req, "unblock")), blocker);
  });
}

}  // namespace securenet::control
