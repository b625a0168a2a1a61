// One lazily opened connection for request-time queries (login, RLS reads), shared by the
// HTTP threads under a mutex. A connection error drops it; a call that finds its kept
// connection dead retries once on a new one.
// Uses only unnamed statements (exec/exec_params), so it also works through Supabase's
// transaction pooler.
#pragma once

#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction>
#include <string>
#include <utility>

#include "db_config.h"
#include "pg_errors.h"
#include "securenet/result.h"

namespace securenet::store {

class Session {
 public:
  explicit Session(DbConfig cfg) : cfg_(std::move(cfg)) {}

  // Runs fn(pqxx::connection&) -> T and returns Result<T>; exceptions become Errors.
  template <class F>
  auto run(F&& fn) -> Result<decltype(fn(std::declval<pqxx::connection&>()))> {
    std::lock_guard lk(mu_);
    // A kept connection may have died with a database restart: then one retry on a fresh
    // connection (the failed attempt's transaction never committed).
    for (int attempt = 0;; ++attempt) {
      const bool reused = conn_ && conn_->is_open();
      try {
        if (!reused) conn_ = std::make_unique<pqxx::connection>(effective_url(cfg_));
        return fn(*conn_);
      } catch (const std::exception& e) {
        const bool lost = classify(e) == PgErrorKind::connection;
        if (lost) conn_.reset();
        if (!(lost && reused && attempt == 0))
          return make_error(std::string("database: ") + e.what());
      }
    }
  }

  const DbConfig& config() const { return cfg_; }

 private:
  DbConfig cfg_;
  std::mutex mu_;
  std::unique_ptr<pqxx::connection> conn_;
};

// Runs fn(pqxx::work&) in a transaction as role `authenticated` with the caller's JWT
// claims (the JSON payload), exactly as PostgREST does: PostgreSQL's row-level security
// then limits every statement to the caller's rows. Commits when fn returns.
template <class F>
auto with_user_tx(pqxx::connection& conn, const std::string& claims_json, F&& fn) {
  pqxx::work tx(conn);
  tx.exec("set local role authenticated");
  tx.exec_params("select set_config('request.jwt.claims', $1, true)", claims_json);
  auto out = fn(tx);
  tx.commit();
  return out;
}

}  // namespace securenet::store
