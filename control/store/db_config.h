// Where the database is and how to talk to it. Everything libpq understands (sslmode,
// sslrootcert, target_session_attrs, ...) comes from the URL itself.
#pragma once

#include <string>

namespace securenet::store {

struct DbConfig {
  std::string url;                  // postgresql://user:pass@host:port/db?sslmode=...
  bool transaction_pooler = false;  // Supabase transaction mode (port 6543): no session state
  int connect_timeout_s = 5;
};

// `url` if non-empty, else $SECURENET_DATABASE_URL; empty url = persistence disabled.
DbConfig db_config_from(const std::string& url);

// The URL with connect_timeout (and application_name) added when it does not set them.
std::string effective_url(const DbConfig& cfg);

// True when the URL names port 6543 (Supabase's transaction-mode pooler).
bool url_is_transaction_pooler(const std::string& url);

// The URL with any password replaced by "***" (for logs).
std::string redact_url(const std::string& url);

}  // namespace securenet::store
