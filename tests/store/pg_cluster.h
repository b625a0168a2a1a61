// A real, throwaway PostgreSQL 15 cluster for the db-labelled tests: initdb into a temp
// dir (as the `postgres` user when the tests run as root, since initdb refuses root),
// listening on 127.0.0.1 at a free port (clients use its Unix socket, see url()); stopped
// and removed by the destructor.
// One cluster per test binary (see shared()).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace securenet::testing {

class PgCluster {
 public:
  // Nullptr with `why` set when PostgreSQL binaries are missing or start fails.
  static std::unique_ptr<PgCluster> create(std::string& why);
  // The binary-wide cluster (created on first use); nullptr + reason when unavailable.
  static PgCluster* shared(std::string& why);
  ~PgCluster();

  bool start();  // pg_ctl start -w (same port)
  bool stop();   // pg_ctl stop -m fast
  int port() const { return port_; }
  // URL of database `db` (created by create_database()).
  std::string url(const std::string& db) const;
  // Creates a fresh database with a unique name derived from `hint`; returns its URL.
  std::string create_database(const std::string& hint);

 private:
  PgCluster() = default;
  int run(const std::string& cmd) const;  // as the cluster's OS user; returns exit status

  std::string bindir_, dir_, user_;
  int port_ = 0;
  bool as_other_user_ = false;
  int db_counter_ = 0;
};

// A fresh database on the shared cluster with all migrations applied; GTEST_SKIPs when no
// cluster is available. Use inside a TEST body: `auto url = migrated_db_or_skip("x");`
#define SN_MIGRATED_DB_OR_SKIP(var, hint)                           \
  std::string var;                                                  \
  {                                                                 \
    std::string why_;                                               \
    auto* cluster_ = ::securenet::testing::PgCluster::shared(why_); \
    if (!cluster_) GTEST_SKIP() << why_;                            \
    var = cluster_->create_database(hint);                          \
    auto st_ = ::securenet::testing::migrate_url(var);              \
    ASSERT_TRUE(st_.empty()) << st_;                                \
  }

// Runs all embedded migrations against `url`; returns "" or the error.
std::string migrate_url(const std::string& url);

// A loopback TCP port that was free a moment ago (0 if none could be bound).
uint16_t free_port();

}  // namespace securenet::testing
