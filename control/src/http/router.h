// The route table: (method, path pattern, access level, handler). Patterns are literal
// segments and {name} captures ("/api/hosts/{ip}"). Each resource group registers its own
// routes from its own file (routes_*.cpp), so a new group never edits another's file.
//
// Every route declares who may call it (API.md "Access levels"); there is no add()
// without an Access, so an undeclared route does not compile. The first registration of
// a (method, pattern) wins; a second one with another access level is refused at
// registration (std::logic_error at start-up).
// The Dispatcher enforces the level before any handler runs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/request.h"

namespace securenet::control {

// Ordered: each level includes the ones below it (admin > operator > viewer).
enum class Access : uint8_t {
  kPublic = 0,    // no token (health, Prometheus, login)
  kViewer = 1,    // read live and stored data
  kOperator = 2,  // also resolve alerts
  kAdmin = 3,     // also change the config, reset metrics, users, audit
};
const char* access_name(Access a);

using Handler = std::function<Response(const Request&)>;

// What a route's body is: JSON (the default: Content-Type application/json, no duplicate
// keys) or a capture file (POST /api/analyze: application/vnd.tcpdump.pcap or
// application/octet-stream, passed to the handler as bytes).
enum class BodyType : uint8_t { kJson, kCapture };

class Router {
 public:
  void add(boost::beast::http::verb method, std::string pattern, Access access, Handler handler,
           BodyType body = BodyType::kJson);

  struct Match {
    const Handler* handler = nullptr;     // null: no route
    Access access = Access::kAdmin;       // the matched route's level
    BodyType body = BodyType::kJson;      // the matched route's body
    bool path_known = false;              // some route has this path (405 vs 404)
    Access path_access = Access::kAdmin;  // lowest level among the routes of this path
    std::vector<std::string> params;      // the {captures}, decoded
  };
  // `segments` are the normalized path's decoded segments (normalize_target).
  Match match(boost::beast::http::verb method, const std::vector<std::string>& segments) const;
  // For tests of a route group: `path` is taken as already normalized.
  Match match(boost::beast::http::verb method, std::string_view path) const;

  struct Entry {
    boost::beast::http::verb method;
    std::string pattern;
    Access access;
  };
  std::vector<Entry> entries() const;  // the table, for docs and tests

 private:
  struct Route {
    boost::beast::http::verb method;
    std::string pattern;
    std::vector<std::string> segments;
    Access access;
    Handler handler;
    BodyType body;
  };
  std::vector<Route> routes_;
};

std::vector<std::string_view> split_path(std::string_view path);

}  // namespace securenet::control
