#include "http/target.h"

#include "util/url.h"

namespace securenet::control {

namespace {

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

TargetResult refuse(std::string detail) {
  return TargetResult{std::nullopt, TargetError{std::move(detail)}};
}

// Decodes one raw segment; nullopt (with *why) when refused.
std::optional<std::string> decode_segment(std::string_view raw, std::string* why) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      int hi = i + 2 < raw.size() ? hex_digit(raw[i + 1]) : -1;
      int lo = hi >= 0 ? hex_digit(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        *why = "malformed percent-escape in the path";
        return std::nullopt;
      }
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
      if (c == '/') {
        *why = "an encoded '/' (%2F) is not allowed in the path";
        return std::nullopt;
      }
    }
    if (c == '\0' || c == '\\' || is_control(static_cast<unsigned char>(c))) {
      *why = "NUL, control characters and '\\' are not allowed in the path";
      return std::nullopt;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

TargetResult normalize_target(std::string_view raw) {
  if (raw.empty() || raw[0] != '/') return refuse("the request target must start with '/'");
  if (raw.find('#') != std::string_view::npos)
    return refuse("a fragment ('#') is not allowed in the target");
  const size_t q = raw.find('?');
  std::string_view path = raw.substr(0, q);
  NormalTarget t;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string why;
    auto seg = decode_segment(path.substr(i, j - i), &why);
    if (!seg) return refuse(why);
    i = j + 1;
    if (seg->empty() || *seg == ".") continue;
    if (*seg == "..") {
      if (t.segments.empty()) return refuse("the path climbs above the root ('..')");
      t.segments.pop_back();
      continue;
    }
    t.segments.push_back(std::move(*seg));
  }
  t.path = "/";
  for (size_t k = 0; k < t.segments.size(); ++k) {
    if (k) t.path.push_back('/');
    t.path += t.segments[k];
  }
  if (q == std::string_view::npos) return TargetResult{std::move(t), {}};
  if (!parse_query(raw.substr(q + 1), t.query))
    return refuse("malformed percent-escape in the query");
  return TargetResult{std::move(t), {}};
}

}  // namespace securenet::control
