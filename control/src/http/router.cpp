#include "http/router.h"

#include <stdexcept>

namespace securenet::control {

const char* access_name(Access a) {
  switch (a) {
    case Access::kPublic:
      return "public";
    case Access::kViewer:
      return "viewer";
    case Access::kOperator:
      return "operator";
    case Access::kAdmin:
      return "admin";
  }
  return "admin";
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

void Router::add(boost::beast::http::verb method, std::string pattern, Access access,
                 Handler handler, BodyType body) {
  for (const auto& r : routes_) {
    // The first registration wins (register_db_routes shadows the in-memory history on
    // purpose); a shadow with another access level would be a trap, so it is refused.
    if (r.method == method && r.pattern == pattern && r.access != access) {
      throw std::logic_error("route registered twice with different access levels: " + pattern);
    }
  }
  if (access > Access::kAdmin)
    throw std::logic_error("route without a valid access level: " + pattern);
  Route r{method, pattern, {}, access, std::move(handler), body};
  for (auto s : split_path(pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

Router::Match Router::match(boost::beast::http::verb method,
                            const std::vector<std::string>& segs) const {
  Match m;
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    std::vector<std::string> params;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      const auto& p = r.segments[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        params.push_back(segs[i]);
      } else {
        ok = p == segs[i];
      }
    }
    if (!ok) continue;
    if (!m.path_known || r.access < m.path_access) m.path_access = r.access;
    m.path_known = true;
    if (r.method == method && !m.handler) {
      m.handler = &r.handler;
      m.access = r.access;
      m.body = r.body;
      m.params = std::move(params);
    }
  }
  return m;
}

Router::Match Router::match(boost::beast::http::verb method, std::string_view path) const {
  std::vector<std::string> segs;
  for (auto s : split_path(path)) segs.emplace_back(s);
  return match(method, segs);
}

std::vector<Router::Entry> Router::entries() const {
  std::vector<Entry> out;
  for (const auto& r : routes_) out.push_back({r.method, r.pattern, r.access});
  return out;
}

}  // namespace securenet::control
