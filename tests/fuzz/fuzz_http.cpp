// The HTTP request path: arbitrary bytes parsed by Beast's request parser with the
// server's limits (ServerOptions: header 16 KiB, body 64 KiB), each complete request
// mapped by http_in() (as server.cpp does) and handed to the real Dispatcher. The route
// table has a recording handler at every access level (public, viewer, operator, admin,
// with and without {captures}); a handler aborts when it runs for a protected route
// without claims, with claims of a role below its level, or with claims for a token other
// than the one the request carried. Up to 4 pipelined requests per input (keep-alive).
//
// Tokens: "viewer", "operator", "admin" and "none" (no role) are valid (see http.dict);
// any other token is refused, like a bad signature.
#include <unistd.h>

#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "auth/jwt.h"
#include "http/dispatch.h"
#include "http/request_in.h"
#include "http/server.h"

using namespace securenet::control;
using securenet::auth::AppRole;
using securenet::auth::Claims;
namespace http = boost::beast::http;

namespace {

std::string g_last_token;  // the token the checker last accepted

std::optional<Claims> check_token(std::string_view t) {
  static const std::map<std::string, AppRole, std::less<>> kRoles = {
      {"none", AppRole::kNone},
      {"viewer", AppRole::kViewer},
      {"operator", AppRole::kOperator},
      {"admin", AppRole::kAdmin}};
  auto it = kRoles.find(t);
  if (it == kRoles.end()) return std::nullopt;
  Claims c;
  c.sub = "user-" + std::string(t);
  c.app_role = it->second;
  g_last_token = std::string(t);
  return c;
}

Handler recorder(Access level) {
  return [level](const Request& req) {
    if (level != Access::kPublic) {
      if (req.claims == nullptr) std::abort();  // a protected handler without claims
      if (static_cast<uint8_t>(req.claims->app_role) < static_cast<uint8_t>(level))
        std::abort();                                               // role too low
      if (req.claims->sub != "user-" + g_last_token) std::abort();  // claims of another token
    }
    if (req.path.empty() || req.path[0] != '/') std::abort();  // handlers see normalized paths only
    return json_response("{}");
  };
}

struct World {
  std::string root = web_root();  // first: files is built from it
  Router router;
  StaticFiles files;
  Dispatcher dispatcher;
  World()
      : files(root),
        dispatcher(router, check_token, files, HttpPolicy{{"sensor.example"}, {}, false}) {
    using V = http::verb;
    const struct {
      V m;
      const char* pattern;
      Access a;
    } routes[] = {
        {V::get, "/health", Access::kPublic},
        {V::get, "/metrics", Access::kPublic},
        {V::post, "/api/auth/login", Access::kPublic},
        {V::post, "/api/auth/logout", Access::kViewer},
        {V::get, "/api/events", Access::kViewer},
        {V::get, "/api/hosts", Access::kViewer},
        {V::get, "/api/hosts/{ip}", Access::kViewer},
        {V::get, "/api/alerts/history", Access::kViewer},
        {V::get, "/api/alerts/{id}", Access::kViewer},
        {V::post, "/api/alerts/{id}/resolve", Access::kOperator},
        {V::get, "/api/config", Access::kViewer},
        {V::post, "/api/config", Access::kAdmin},
        {V::put, "/api/config", Access::kAdmin},
        {V::delete_, "/api/metrics", Access::kAdmin},
        {V::get, "/api/audit", Access::kAdmin},
        {V::get, "/api/{any}/x", Access::kOperator},
    };
    for (const auto& r : routes) router.add(r.m, r.pattern, r.a, recorder(r.a));
  }
  ~World() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  // A small dashboard folder so static-file serving is reached too.
  static std::string web_root() {
    auto dir = std::filesystem::temp_directory_path() /
               ("securenet-fuzz-web-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "assets");
    std::ofstream(dir / "index.html") << "<!doctype html>";
    std::ofstream(dir / "assets" / "app.js") << "1";
    return dir.string();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World w;
  static const ServerOptions limits;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  for (int n = 0; n < 4 && !rest.empty(); ++n) {
    http::request_parser<http::string_body> p;
    p.header_limit(static_cast<uint32_t>(limits.header_limit));
    p.body_limit(limits.body_limit);
    p.eager(true);
    boost::beast::error_code ec;
    const size_t used = p.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    if (ec == http::error::need_more && !p.is_done()) p.put_eof(ec);  // the connection ends here
    if (ec || !p.is_done()) return 0;
    g_last_token.clear();
    const auto& req = p.get();
    Response r = w.dispatcher.handle(http_in(req, "127.0.0.1"));
    if (r.status < 200 || r.status > 599) std::abort();
    rest.remove_prefix(std::min(used, rest.size()));
    if (used == 0) return 0;
  }
  return 0;
}
