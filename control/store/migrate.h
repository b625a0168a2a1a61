// Ordered SQL migrations (control/migrations/NNNN_name.sql), each applied once inside its
// own transaction and recorded in public.securenet_schema_migrations with its md5.
// Re-running is a no-op; an applied migration whose text changed is an error.
#pragma once

#include <pqxx/connection>
#include <string>
#include <vector>

#include "securenet/result.h"

namespace securenet::store {

struct Migration {
  int version = 0;
  std::string name;  // file name, e.g. 0001_supabase_auth_shim.sql
  std::string sql;
};

struct MigrateReport {
  std::vector<std::string> applied;  // names applied by this run
  int already_applied = 0;
};

// The migrations compiled into the binary (from control/migrations at build time).
const std::vector<Migration>& embedded_migrations();

// Reads NNNN_*.sql files from a directory, sorted by version; duplicate versions are an error.
Result<std::vector<Migration>> load_migrations(const std::string& dir);

Result<MigrateReport> migrate(pqxx::connection& conn, const std::vector<Migration>& migrations);

}  // namespace securenet::store
