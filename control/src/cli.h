// Command-line options of securenet-control and its `token` subcommand.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "securenet/result.h"

namespace securenet::control {

struct CliOptions {
  std::string instance = "default";
  std::string listen = "127.0.0.1:8080";
  std::string web_root;       // default: <source>/web/dist when it exists
  std::string state_dir;      // default: <source>/.state
  std::string config_file;    // default: <state-dir>/config.json
  unsigned tick_ms = 1000;
  std::string jwt_secret_file, jwks_file, jwks_url, issuer;
  size_t max_connections = 1024;
  std::string port_file;      // write the bound port here (tests, scripts)
  // persistence (database disabled when neither --db nor SECURENET_DATABASE_URL is set)
  std::string db_url;         // --db; the env var is read where the database is opened
  std::string owner_email;    // rows belong to this user (default: the oldest user)
  std::string sensor_name;    // default: the host name
  bool migrate = false;       // apply the embedded migrations at start
  unsigned metrics_every_s = 10;  // one stored metrics snapshot per N seconds
  int64_t access_ttl_s = 900;     // access tokens minted by login/refresh (--access-ttl)
  bool help = false;
  // token subcommand
  bool token = false;
  std::string user, email, role = "authenticated";
  int64_t ttl_s = 3600;
};

Result<CliOptions> parse_cli(const std::vector<std::string>& args);
const char* usage_text();
// The HS256 secret: --jwt-secret-file, else SECURENET_JWT_SECRET, else <state-dir>/jwt-secret
// (created with 32 random bytes, mode 0600, when missing and create is true). Empty when
// none applies (JWKS-only set-ups).
Result<std::string> resolve_secret(const CliOptions& o, bool create);

}  // namespace securenet::control
