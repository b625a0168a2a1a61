#include "pg_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/connection>
#include <pqxx/nontransaction>

#include "migrate.h"

namespace securenet::testing {

namespace {

std::string bindir() {
  if (const char* e = std::getenv("SECURENET_PG_BINDIR")) return e;
  return "/usr/lib/postgresql/15/bin";
}

}  // namespace

int PgCluster::run(const std::string& cmd) const {
  const std::string full = as_other_user_ ? "runuser -u " + user_ + " -- " + cmd : cmd;
  const int rc = std::system((full + " >>" + dir_ + "/cmd.log 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::unique_ptr<PgCluster> PgCluster::create(std::string& why) {
  std::unique_ptr<PgCluster> c(new PgCluster());
  c->bindir_ = bindir();
  if (!std::filesystem::exists(c->bindir_ + "/initdb")) {
    why = "PostgreSQL 15 binaries not found at " + c->bindir_ +
          " (install postgresql-15 or set SECURENET_PG_BINDIR)";
    return nullptr;
  }
  char tmpl[] = "/tmp/securenet-pgtest-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    why = "mkdtemp failed";
    return nullptr;
  }
  c->dir_ = tmpl;
  c->as_other_user_ = ::geteuid() == 0;
  c->user_ = c->as_other_user_ ? "postgres" : "";
  if (c->as_other_user_) {
    if (std::system("id postgres >/dev/null 2>&1") != 0) {
      why = "running as root and no `postgres` user to run initdb as";
      return nullptr;
    }
    std::system(("chown postgres: " + c->dir_).c_str());
  }
  const std::string data = c->dir_ + "/data";
  if (c->run(c->bindir_ + "/initdb -D " + data +
             " -U postgres --auth=trust -E UTF8 "
             "--locale=C.UTF-8 --no-sync") != 0) {
    why = "initdb failed; see " + c->dir_ + "/cmd.log";
    return nullptr;
  }
  std::ofstream(data + "/postgresql.conf", std::ios::app)
      << "listen_addresses = '127.0.0.1'\nunix_socket_directories = '" << c->dir_
      << "'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
      << "max_connections = 50\n";
  for (int attempt = 0; attempt < 5; ++attempt) {
    c->port_ = free_port();
    if (c->start()) return c;
  }
  why = "PostgreSQL did not start; see " + c->dir_ + "/data/server.log";
  return nullptr;
}

PgCluster* PgCluster::shared(std::string& why) {
  static std::string reason;
  static std::unique_ptr<PgCluster> cluster = create(reason);
  why = reason;
  return cluster.get();
}

PgCluster::~PgCluster() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

bool PgCluster::start() {
  return run(bindir_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/data/server.log -w -t 60 " +
             "-o '-p " + std::to_string(port_) + "' start") == 0;
}

bool PgCluster::stop() {
  return run(bindir_ + "/pg_ctl -D " + dir_ + "/data -m fast -w -t 60 stop") == 0;
}

// Clients connect through the Unix socket in the cluster's own directory: other tests on
// this machine may attach XDP programs to `lo` (their capture tests), which must not be
// able to break these. The server still listens on 127.0.0.1:<port> only.
std::string PgCluster::url(const std::string& db) const {
  return "postgresql:///" + db + "?host=" + dir_ + "&port=" + std::to_string(port_) +
         "&user=postgres";
}

std::string PgCluster::create_database(const std::string& hint) {
  std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++db_counter_);
  for (char ch : hint)
    if (std::isalnum(static_cast<unsigned char>(ch))) name += static_cast<char>(std::tolower(ch));
  pqxx::connection c(url("postgres"));
  pqxx::nontransaction tx(c);
  tx.exec("create database " + name);
  return url(name);
}

std::string migrate_url(const std::string& url) {
  try {
    pqxx::connection c(url);
    auto r = store::migrate(c, store::embedded_migrations());
    return r ? "" : r.error().message;
  } catch (const std::exception& e) {
    return e.what();
  }
}

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

}  // namespace securenet::testing
