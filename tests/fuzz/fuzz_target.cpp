// The target normalizer and the router: the first byte picks the method, the rest is the
// request target. For every target normalize_target accepts:
//   - the path starts with '/', is never empty, has no "//", no "/./", no "/../", does not
//     end in "/." or "/..", and has no trailing '/' (but "/" itself);
//   - its segments are the path's segments, none empty, "." or "..";
//   - normalizing is idempotent: the path as a target again (percent-encoded where a
//     character would otherwise mean something: '%', '?', '#', ...) gives the same path and
//     segments; a path without such characters gives itself when taken verbatim;
//   - the router matches the same route (handler, access level, captures) from the
//     segments and from the path, and a match has as many captures as its pattern.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "http/router.h"
#include "http/target.h"

using namespace securenet::control;
namespace http = boost::beast::http;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

std::string encode(std::string_view path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    const bool plain = c == '/' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

bool needs_encoding(std::string_view path) { return encode(path) != path; }

const Router& router() {
  static const Router r = [] {
    Router x;
    auto h = [](const Request&) { return json_response("{}"); };
    x.add(http::verb::get, "/health", Access::kPublic, h);
    x.add(http::verb::post, "/api/auth/login", Access::kPublic, h);
    x.add(http::verb::get, "/api/hosts/{ip}", Access::kViewer, h);
    x.add(http::verb::get, "/api/alerts/history", Access::kViewer, h);
    x.add(http::verb::get, "/api/alerts/{id}", Access::kViewer, h);
    x.add(http::verb::post, "/api/alerts/{id}/resolve", Access::kOperator, h);
    x.add(http::verb::post, "/api/config", Access::kAdmin, h);
    x.add(http::verb::get, "/api/config", Access::kViewer, h);
    x.add(http::verb::delete_, "/api/metrics", Access::kAdmin, h);
    return x;
  }();
  return r;
}

size_t captures(std::string_view pattern) {
  size_t n = 0;
  for (auto s : split_path(pattern)) n += !s.empty() && s.front() == '{';
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto method =
      static_cast<http::verb>(data[0] % (static_cast<unsigned>(http::verb::unlink) + 1));
  std::string_view raw(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto r = normalize_target(raw);
  if (!r.target) {
    check(!r.error.detail.empty());  // a refusal says why
    return 0;
  }
  const std::string& p = r.target->path;
  check(!p.empty() && p[0] == '/');
  check(p.find("//") == std::string::npos && p.find("/./") == std::string::npos &&
        p.find("/../") == std::string::npos);
  check(!p.ends_with("/.") && !p.ends_with("/..") && (p == "/" || !p.ends_with("/")));
  const auto& segs = r.target->segments;
  std::string joined;
  for (const auto& s : segs) {
    check(!s.empty() && s != "." && s != ".." && s.find('/') == std::string::npos);
    joined += "/" + s;
  }
  check(joined.empty() ? p == "/" : joined == p);

  auto again = normalize_target(encode(p));
  check(again.target && again.target->path == p && again.target->segments == segs);
  if (!needs_encoding(p)) {
    auto verbatim = normalize_target(p);
    check(verbatim.target && verbatim.target->path == p);
  }

  auto a = router().match(method, segs);
  auto b = router().match(method, std::string_view(p));
  check(a.handler == b.handler && a.access == b.access && a.params == b.params &&
        a.path_known == b.path_known && a.path_access == b.path_access);
  if (a.handler) {
    check(a.path_known);
    bool found = false;
    for (const auto& e : router().entries()) {
      if (e.method != method || e.access != a.access) continue;
      auto m = router().match(method, std::string_view(e.pattern));
      found = found || (m.handler == a.handler && captures(e.pattern) == a.params.size());
    }
    check(found);
  }
  return 0;
}
