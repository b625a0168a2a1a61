// Serves the dashboard's built files from one folder: content types by extension,
// Cache-Control (immutable for hashed files under /assets/, no-cache for index.html),
// index.html for client routes (no dot in the last segment), and no path escapes
// (.., %2e%2e, NUL, backslashes and symlinks out of the root are refused).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/request.h"

namespace securenet::control {

class StaticFiles {
 public:
  explicit StaticFiles(std::string root);  // empty or missing root: serves nothing
  bool enabled() const { return !root_.empty(); }
  // A response for a GET of `raw_path` (still percent-encoded).
  Response serve(std::string_view raw_path) const;

 private:
  std::optional<Response> file(const std::string& rel) const;
  std::string root_;  // canonical, no trailing slash
};

const char* content_type_for(std::string_view path);
// The decoded relative path, or nullopt when it is not safe to join to the root.
std::optional<std::string> safe_relative_path(std::string_view raw_path);

}  // namespace securenet::control
