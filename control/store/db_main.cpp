// securenet-db: database administration for SecureNet Sensor.
//   securenet-db migrate   [--db URL] [--dir DIR]
//   securenet-db user add  [--db URL] --email E [--password P|-] [--role R]
//                          (- = one line from stdin; none = generated and printed once;
//                          R = viewer (default) | operator | admin)
//   securenet-db user role [--db URL] --email E --role R
//   securenet-db user list [--db URL]
//   securenet-db partitions [--db URL]      (create upcoming / drop expired packet partitions)
//   securenet-db sensor-role [--db URL] --password-file FILE|-
//                          (LOGIN + password for the sensor's own role, securenet_sensor;
//                          - = one line from stdin; only a SCRAM verifier is sent)
//   securenet-db sensor-role [--db URL] --name NAME [--sensor-id UUID] --password-file FILE|-
//                          (a fleet: one login role per sensor, a member of securenet_sensor
//                          bound to its sensor id (migration 0012); the id is generated and
//                          printed when not given)
// The URL defaults to $SECURENET_DATABASE_URL.
#include <libpq-fe.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <pqxx/connection>
#include <pqxx/transaction>
#include <regex>
#include <string>
#include <vector>

#include "auth_store.h"
#include "db_config.h"
#include "migrate.h"

using namespace securenet::store;

namespace {

int usage() {
  std::fprintf(
      stderr,
      "usage: securenet-db migrate [--db URL] [--dir DIR]\n"
      "       securenet-db user add [--db URL] --email E [--password P|-] [--role R]\n"
      "                 (- = read stdin; R = viewer (default), operator or admin)\n"
      "       securenet-db user role [--db URL] --email E --role R\n"
      "       securenet-db user list [--db URL]\n"
      "       securenet-db partitions [--db URL]\n"
      "       securenet-db sensor-role [--db URL] --password-file FILE|-   (- = read stdin)\n"
      "       securenet-db sensor-role [--db URL] --name NAME [--sensor-id UUID] "
      "--password-file FILE|-\n"
      "The URL defaults to $SECURENET_DATABASE_URL.\n");
  return 2;
}

// --key value pairs after the subcommand words.
bool parse_flags(int argc, char** argv, int from, std::map<std::string, std::string>& out) {
  for (int i = from; i < argc; ++i) {
    if (std::strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc) return false;
    out[argv[i] + 2] = argv[i + 1];
    ++i;
  }
  return true;
}

int fail(const std::string& msg) {
  std::fprintf(stderr, "securenet-db: %s\n", msg.c_str());
  return 1;
}

int cmd_migrate(const DbConfig& db, const std::map<std::string, std::string>& flags) {
  std::vector<Migration> from_dir;
  if (flags.count("dir")) {
    auto loaded = load_migrations(flags.at("dir"));
    if (!loaded) return fail(loaded.error().message);
    from_dir = std::move(*loaded);
  }
  try {
    pqxx::connection conn(effective_url(db));
    auto r = migrate(conn, flags.count("dir") ? from_dir : embedded_migrations());
    if (!r) return fail(r.error().message);
    for (const auto& name : r->applied) std::printf("applied %s\n", name.c_str());
    std::printf("migrations: %zu applied now, %d already applied\n", r->applied.size(),
                r->already_applied);
    return 0;
  } catch (const std::exception& e) {
    return fail(std::string("cannot connect to ") + redact_url(db.url) + ": " + e.what());
  }
}

int cmd_user_add(const DbConfig& db, const std::map<std::string, std::string>& flags) {
  if (!flags.count("email")) return usage();
  const bool generated = !flags.count("password");
  std::string password = generated ? generate_password() : flags.at("password");
  if (password == "-" && !std::getline(std::cin, password)) return fail("no password on stdin");
  const std::string role = flags.count("role") ? flags.at("role") : "viewer";
  if (!valid_role(role)) return fail("--role: viewer, operator or admin");
  Session s(db);
  auto u = create_user(s, flags.at("email"), password, role);
  if (!u) return fail(u.error().message);
  std::printf("user %s id %s role %s\n", u->email.c_str(), u->id.c_str(), u->role.c_str());
  if (generated) std::printf("password %s   (shown once; store it now)\n", password.c_str());
  return 0;
}

int cmd_user_role(const DbConfig& db, const std::map<std::string, std::string>& flags) {
  if (!flags.count("email") || !flags.count("role")) return usage();
  if (!valid_role(flags.at("role"))) return fail("--role: viewer, operator or admin");
  Session s(db);
  auto u = set_user_role(s, flags.at("email"), flags.at("role"));
  if (!u) return fail(u.error().message);
  std::printf("user %s id %s role %s\n", u->email.c_str(), u->id.c_str(), u->role.c_str());
  return 0;
}

int cmd_user_list(const DbConfig& db) {
  Session s(db);
  auto users = list_users(s);
  if (!users) return fail(users.error().message);
  for (const auto& u : *users)
    std::printf("%s %s %s\n", u.id.c_str(), u.email.c_str(), u.role.c_str());
  return 0;
}

int cmd_partitions(const DbConfig& db) {
  Session s(db);
  auto r = s.run([](pqxx::connection& c) {
    pqxx::work tx(c);
    auto row = tx.exec("select * from securenet.maintain_packet_partitions()")[0];
    tx.commit();
    return std::to_string(row[0].as<int>()) + " created, " + std::to_string(row[1].as<int>()) +
           " dropped";
  });
  if (!r) return fail(r.error().message);
  std::printf("packet partitions: %s\n", r->c_str());
  return 0;
}

// The SCRAM-SHA-256 verifier of `password` for `role`, computed here (libpq) so the
// plain password never reaches the server or its logs.
std::string scram_verifier(const DbConfig& db, const std::string& role, const std::string& password,
                           std::string& err) {
  PGconn* c = PQconnectdb(effective_url(db).c_str());
  std::string out;
  if (PQstatus(c) != CONNECTION_OK) {
    err = PQerrorMessage(c);
  } else if (char* v = PQencryptPasswordConn(c, password.c_str(), role.c_str(), "scram-sha-256")) {
    out = v;
    PQfreemem(v);
  } else {
    err = PQerrorMessage(c);
  }
  PQfinish(c);
  return out;
}

// A per-sensor role's name: a plain lower-case identifier, never one of the project's or
// PostgreSQL's own roles.
bool valid_sensor_role_name(const std::string& n) {
  static const std::regex re("^[a-z_][a-z0-9_]{0,62}$");
  if (!std::regex_match(n, re) || n.rfind("pg_", 0) == 0) return false;
  for (const char* reserved : {"securenet_sensor", "postgres", "anon", "authenticated",
                               "service_role", "supabase_admin", "authenticator"})
    if (n == reserved) return false;
  return true;
}

int cmd_sensor_role(const DbConfig& db, const std::map<std::string, std::string>& flags) {
  if (!flags.count("password-file")) return usage();
  const std::string role = flags.count("name") ? flags.at("name") : "securenet_sensor";
  const bool per_sensor = flags.count("name") > 0;
  if (per_sensor && !valid_sensor_role_name(role))
    return fail("--name: a lower-case identifier ([a-z_][a-z0-9_]*), not a reserved role");
  if (!per_sensor && flags.count("sensor-id")) return fail("--sensor-id needs --name");
  std::string sensor_id = flags.count("sensor-id") ? flags.at("sensor-id") : "";
  static const std::regex uuid_re("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  if (!sensor_id.empty() && !std::regex_match(sensor_id, uuid_re))
    return fail("--sensor-id: a lower-case UUID (the sensor's <state>/sensor-id)");
  const std::string& file = flags.at("password-file");
  std::string password;
  if (file == "-") {
    if (!std::getline(std::cin, password)) return fail("no password on stdin");
  } else {
    std::ifstream in(file);
    if (!in || !std::getline(in, password)) return fail("cannot read " + file);
  }
  while (!password.empty() && (password.back() == '\r' || password.back() == ' '))
    password.pop_back();
  if (password.size() < 16) return fail("the sensor role's password needs at least 16 characters");
  std::string err;
  const std::string verifier = scram_verifier(db, role, password, err);
  if (verifier.empty()) return fail("cannot hash the password: " + err);
  Session s(db);
  auto r = s.run([&](pqxx::connection& c) -> std::string {
    pqxx::work tx(c);
    if (!per_sensor) {
      tx.exec("alter role securenet_sensor with login password " + tx.quote(verifier));
      tx.commit();
      return "";
    }
    // Never take over a role that is not already one of ours.
    auto existing = tx.exec_params(
        "select pg_has_role($1, 'securenet_sensor', 'member'), "
        "exists (select 1 from securenet.sensor_roles where role_name = $1) "
        "from pg_roles where rolname = $1",
        role);
    if (!existing.empty() && !existing[0][0].as<bool>() && !existing[0][1].as<bool>())
      return "role " + role + " exists and is not a sensor role; choose another --name";
    if (sensor_id.empty()) {
      auto bound = tx.exec_params(
          "select sensor_id::text from securenet.sensor_roles where role_name = $1", role);
      sensor_id = bound.empty() ? tx.exec("select gen_random_uuid()::text")[0][0].as<std::string>()
                                : bound[0][0].as<std::string>();
    }
    const std::string q = tx.quote_name(role);
    if (existing.empty()) tx.exec("create role " + q + " login inherit in role securenet_sensor");
    tx.exec("alter role " + q + " with login inherit password " + tx.quote(verifier));
    tx.exec("grant securenet_sensor to " + q);
    tx.exec_params(
        "insert into securenet.sensor_roles (role_name, sensor_id) values ($1, $2::uuid) "
        "on conflict (role_name) do update set sensor_id = excluded.sensor_id",
        role, sensor_id);
    tx.commit();
    return "";
  });
  if (!r) return fail(r.error().message + " (run securenet-db migrate first, as an administrator)");
  if (!r->empty()) return fail(*r);
  if (!per_sensor) {
    std::printf("securenet_sensor: login enabled (password set)\n");
  } else {
    std::printf("%s: login enabled, bound to sensor %s\n", role.c_str(), sensor_id.c_str());
    std::printf("sensor-id %s   (the sensor's <state>/sensor-id; it adopts it when absent)\n",
                sensor_id.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string cmd = argv[1];
  const bool user_cmd = cmd == "user";
  if (user_cmd && argc < 3) return usage();
  std::map<std::string, std::string> flags;
  if (!parse_flags(argc, argv, user_cmd ? 3 : 2, flags)) return usage();
  const DbConfig db = db_config_from(flags.count("db") ? flags["db"] : "");
  if (db.url.empty()) return fail("no database: pass --db URL or set SECURENET_DATABASE_URL");
  if (cmd == "migrate") return cmd_migrate(db, flags);
  if (cmd == "partitions") return cmd_partitions(db);
  if (cmd == "sensor-role") return cmd_sensor_role(db, flags);
  if (user_cmd && std::string(argv[2]) == "add") return cmd_user_add(db, flags);
  if (user_cmd && std::string(argv[2]) == "list") return cmd_user_list(db);
  if (user_cmd && std::string(argv[2]) == "role") return cmd_user_role(db, flags);
  return usage();
}
