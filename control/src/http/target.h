// The one normalization of a request target, done before routing and before any access
// decision (API.md "Request targets"). Every later step (route match, access check,
// static files, access log) sees only the normalized path.
//
//   1. origin-form only: the target starts with '/'; no '#', no control characters, no
//      backslash (raw or percent-encoded);
//   2. the path is percent-decoded once; a malformed escape, an encoded '/' (%2F) and an
//      encoded NUL (%00) are refused;
//   3. empty segments collapse ("//" = "/"), "." segments go, ".." removes the segment
//      before it; a ".." above the root is refused;
//   4. a trailing slash is dropped ("/api/alerts/" = "/api/alerts"; "/" stays "/");
//   5. case is kept: paths are case-sensitive. The API's first segment is "api" in lower
//      case only; another spelling ("/API/...") is answered 404 by the dispatcher.
// The query string is split at '&' and '=' and decoded ('+' = space); last value wins.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace securenet::control {

struct NormalTarget {
  std::string path;                                       // decoded and normalized, starts with '/'
  std::vector<std::string> segments;                      // the path's segments, decoded
  std::map<std::string, std::string, std::less<>> query;  // decoded; last value wins
};

struct TargetError {
  std::string detail;  // for the 400 JSON error
};

// Either a normalized target or why it was refused (400).
struct TargetResult {
  std::optional<NormalTarget> target;
  TargetError error;
};
TargetResult normalize_target(std::string_view raw);

}  // namespace securenet::control
