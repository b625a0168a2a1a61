// Command-line options of securenet-control and its `token` subcommand, parsed and
// validated here into the structures the parts take (main.cpp only wires them).
#pragma once

#include <string>
#include <vector>

#include "analyze/capture_analysis.h"
#include "app/app.h"
#include "auth/jwt.h"
#include "auth/token_tool.h"
#include "http/dispatch.h"
#include "http/server.h"
#include "persist/persistence.h"
#include "securenet/result.h"

namespace securenet::control {

struct CliOptions {
  bool help = false;
  bool token = false;  // the `token` subcommand
  auth::TokenRequest
      token_request;  // its options; secret: --jwt-secret-file, env, <state-dir>/jwt-secret

  std::string listen = "127.0.0.1:8080";  // as given (messages); parsed into server
  std::string state_dir;                  // default: <source>/.state
  std::string web_root;                   // default: <source>/web/dist when it exists
  std::string port_file;                  // write the bound port here (tests, scripts)
  std::string jwt_secret_file;            // see resolve_secret
  AppOptions app;                         // segment securenet-<instance>, config file, tick
  auth::AuthConfig auth;          // JWKS file/URL, issuer (the HS256 secret: resolve_secret)
  ServerOptions server;           // address, port, connection caps, access log
  HttpPolicy http;                // server names, allowed origins, tls
  std::string tls_cert, tls_key;  // --tls-cert / --tls-key (PEM files; both or neither)
  PersistOptions persist;      // database (disabled when neither --db nor SECURENET_DATABASE_URL)
  int64_t access_ttl_s = 900;  // access tokens minted by login/refresh (--access-ttl)
  std::string block_config;    // --block-config: BGP blocking (block/block_config.h)
  // Notification channels (--notify-config; default <state-dir>/notify.json when it exists).
  std::string notify_config;
  bool notify_config_given = false;
  // POST /api/analyze: --analyze-bin (empty: find_analyze_tool), --max-upload-mb,
  // --analyze-timeout-s; temporary files in the state dir.
  AnalysisOptions analysis;
};

Result<CliOptions> parse_cli(const std::vector<std::string>& args);
const char* usage_text();
// The HS256 secret: --jwt-secret-file, else SECURENET_JWT_SECRET, else <state-dir>/jwt-secret
// (created with 32 random bytes, mode 0600, when missing and create is true). Empty when
// none applies (JWKS-only set-ups).
Result<std::string> resolve_secret(const CliOptions& o, bool create);

}  // namespace securenet::control
