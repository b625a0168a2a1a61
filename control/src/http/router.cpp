#include "http/router.h"

#include "util/url.h"

namespace securenet::control {

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

void Router::add(boost::beast::http::verb method, std::string pattern, Handler handler) {
  Route r{method, {}, std::move(handler)};
  for (auto s : split_path(pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

Router::Match Router::match(boost::beast::http::verb method, std::string_view path) const {
  Match m;
  auto segs = split_path(path);
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    std::vector<std::string> params;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      const auto& p = r.segments[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        auto d = percent_decode(segs[i], false);
        if (!d) {
          m.bad_escape = true;
          ok = false;
        } else {
          params.push_back(std::move(*d));
        }
      } else {
        ok = p == segs[i];
      }
    }
    if (!ok) continue;
    m.path_known = true;
    if (r.method == method) {
      m.handler = &r.handler;
      m.params = std::move(params);
      return m;
    }
  }
  return m;
}

}  // namespace securenet::control
