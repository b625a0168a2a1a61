#include "http/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/router.h"
#include "util/url.h"

namespace securenet::control {

namespace fs = std::filesystem;

const char* content_type_for(std::string_view path) {
  struct Ext {
    const char* ext;
    const char* type;
  };
  static constexpr Ext kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
      {".wasm", "application/wasm"},
  };
  for (const auto& t : kTypes) {
    std::string_view e(t.ext);
    if (path.size() >= e.size() && path.substr(path.size() - e.size()) == e) return t.type;
  }
  return "application/octet-stream";
}

// `path` is already decoded and normalized (normalize_target); decoding it again would
// let "%252e%252e" become "..". The checks below are a second line of defence.
std::optional<std::string> safe_relative_path(std::string_view path) {
  std::optional<std::string> decoded{std::string(path)};
  if (decoded->empty() || (*decoded)[0] != '/') return std::nullopt;
  std::string rel;
  for (auto seg : split_path(*decoded)) {
    // The dispatcher decoded the path once: a '%' left in it was encoded twice (no asset
    // of the dashboard has one), so it is refused rather than served as a literal name.
    if (seg == "." || seg == ".." || seg.find('\0') != std::string_view::npos ||
        seg.find('\\') != std::string_view::npos || seg.find('%') != std::string_view::npos) {
      return std::nullopt;
    }
    if (!rel.empty()) rel.push_back('/');
    rel.append(seg);
  }
  if (decoded->find('\0') != std::string::npos) return std::nullopt;
  return rel;
}

StaticFiles::StaticFiles(std::string root) {
  std::error_code ec;
  if (root.empty() || !fs::is_directory(root, ec)) return;
  root_ = fs::canonical(root, ec).string();
  if (ec) root_.clear();
}

std::optional<Response> StaticFiles::file(const std::string& rel) const {
  std::error_code ec;
  fs::path p = fs::path(root_) / rel;
  fs::path canon = fs::canonical(p, ec);
  if (ec || !fs::is_regular_file(canon, ec)) return std::nullopt;
  std::string c = canon.string();
  if (c.compare(0, root_.size(), root_) != 0 ||
      (c.size() > root_.size() && c[root_.size()] != '/')) {
    return std::nullopt;  // a symlink out of the root
  }
  std::ifstream in(canon, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  Response r;
  r.body = ss.str();
  r.content_type = content_type_for(rel);
  bool hashed_asset = rel.rfind("assets/", 0) == 0;
  r.headers.emplace_back("Cache-Control",
                         hashed_asset ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

Response StaticFiles::serve(std::string_view raw_path) const {
  auto rel = safe_relative_path(raw_path);
  if (!rel) return json_error(400, "bad_path", "the path is not allowed");
  if (!enabled()) return json_error(404, "not_found", "no such resource");
  if (rel->empty()) *rel = "index.html";
  if (auto r = file(*rel)) return *r;
  auto last_slash = rel->rfind('/');
  std::string_view last = last_slash == std::string::npos
                              ? std::string_view(*rel)
                              : std::string_view(*rel).substr(last_slash + 1);
  if (last.find('.') == std::string_view::npos) {
    if (auto r = file("index.html")) return *r;  // a client-side route
  }
  return json_error(404, "not_found", "no such resource");
}

}  // namespace securenet::control
