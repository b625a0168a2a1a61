#include "auth/token_tool.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

namespace securenet::auth {

namespace {
bool to_int(const std::string& s, int64_t& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}
}  // namespace

Result<bool> parse_token_option(std::string_view a, const std::string& v, TokenRequest& r) {
  MintOptions& m = r.mint;
  if (a == "--user")
    m.sub = v;
  else if (a == "--email")
    m.email = v;
  else if (a == "--role")
    m.role = v;
  else if (a == "--app-role")
    m.app_role = v;
  else if (a == "--issuer")
    m.issuer = v;
  else if (a == "--audience")
    m.audience = v;
  else if (a == "--session-id")
    m.session_id = v;
  else if (a == "--secret-file")
    r.secret_file = v;
  else if (a == "--ttl") {
    if (!to_int(v, m.ttl_s) || m.ttl_s <= 0)
      return make_error(std::string(a) + ": invalid value '" + v + "'");
  } else if (a == "--now") {
    int64_t now = 0;
    if (!to_int(v, now)) return make_error(std::string(a) + ": invalid value '" + v + "'");
    r.now = now;
  } else {
    return false;
  }
  return true;
}

Result<std::string> read_secret_file(const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0) {
    return make_error("cannot read " + path + ": " + std::strerror(errno), errno);
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

Result<std::string> token_secret(const TokenRequest& r) {
  if (!r.secret_file.empty()) {
    auto s = read_secret_file(r.secret_file);
    if (!s) return s.error();
    if (s->empty()) return make_error(r.secret_file + " is empty");
    return s;
  }
  if (const char* env = std::getenv("SECURENET_JWT_SECRET"); env && *env) return std::string(env);
  if (!r.default_secret_file.empty()) {
    if (auto s = read_secret_file(r.default_secret_file); s && !s->empty()) return s;
  }
  return make_error(
      "no secret (a secret file, env SECURENET_JWT_SECRET" +
      (r.default_secret_file.empty() ? std::string() : " or " + r.default_secret_file) + ")");
}

Result<std::string> mint_token(const TokenRequest& r) {
  if (r.mint.sub.empty()) return make_error("--user UUID is required");
  auto secret = token_secret(r);
  if (!secret) return secret.error();
  const int64_t now = r.now ? *r.now : static_cast<int64_t>(std::time(nullptr));
  return mint_hs256(*secret, r.mint, now);
}

}  // namespace securenet::auth
