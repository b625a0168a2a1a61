#include "migrate.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <pqxx/transaction>
#include <sstream>

namespace securenet::store {

Result<std::vector<Migration>> load_migrations(const std::string& dir) {
  std::vector<Migration> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".sql" || name.empty() || !std::isdigit(name[0])) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    out.push_back({std::atoi(name.c_str()), name, text.str()});
  }
  if (ec) return make_error("cannot read migrations dir " + dir + ": " + ec.message());
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i].version == out[i - 1].version)
      return make_error("two migrations with version " + std::to_string(out[i].version) + ": " +
                        out[i - 1].name + ", " + out[i].name);
  }
  return out;
}

static const char* kTrackingTable = R"sql(
create table if not exists public.securenet_schema_migrations (
  version integer primary key,
  name text not null,
  checksum text not null,
  applied_at timestamptz not null default now()
);
alter table public.securenet_schema_migrations enable row level security;
)sql";

// Serialises concurrent `migrate` runs (several sensors may share one database).
static const char* kLock = "select pg_advisory_xact_lock(hashtext('securenet.migrate'))";

static void ensure_tracking_table(pqxx::connection& conn) {
  pqxx::work tx(conn);
  tx.exec(kLock);
  tx.exec("set local client_min_messages = warning");
  tx.exec(kTrackingTable);
  tx.commit();
}

// Applies one migration unless recorded. Returns true when applied now.
static Result<bool> apply_one(pqxx::connection& conn, const Migration& m) {
  pqxx::work tx(conn);
  tx.exec(kLock);
  tx.exec("set local client_min_messages = warning");
  const std::string sum = tx.exec_params("select md5($1)", m.sql)[0][0].as<std::string>();
  auto row = tx.exec_params(
      "select checksum from public.securenet_schema_migrations where version = $1", m.version);
  if (!row.empty()) {
    if (row[0][0].as<std::string>() != sum)
      return make_error("migration " + m.name +
                        " was applied with different contents "
                        "(checksum mismatch); never edit an applied migration, add a new one");
    return false;
  }
  tx.exec(m.sql);
  tx.exec_params(
      "insert into public.securenet_schema_migrations (version, name, checksum) "
      "values ($1, $2, $3)",
      m.version, m.name, sum);
  tx.commit();
  return true;
}

Result<MigrateReport> migrate(pqxx::connection& conn, const std::vector<Migration>& migrations) {
  MigrateReport report;
  try {
    ensure_tracking_table(conn);
  } catch (const std::exception& e) {
    return make_error(std::string("cannot create the migrations table: ") + e.what());
  }
  for (const auto& m : migrations) {
    try {
      auto r = apply_one(conn, m);
      if (!r) return r.error();
      if (*r)
        report.applied.push_back(m.name);
      else
        ++report.already_applied;
    } catch (const std::exception& e) {
      return make_error("migration " + m.name + " failed (rolled back): " + e.what());
    }
  }
  return report;
}

}  // namespace securenet::store
