#include "persist/persistence.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "app/app.h"
#include "auth_store.h"
#include "config/config_file.h"
#include "db_config.h"
#include "migrate.h"
#include "recovery.h"
#include "rows.h"
#include "securenet/common/clock.h"

namespace securenet::control {

namespace {

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "sensor";
  return buf;
}

Status run_migrations(store::Session& s) {
  auto r =
      s.run([](pqxx::connection& c) { return store::migrate(c, store::embedded_migrations()); });
  if (!r) return make_error(r.error().message);
  if (!*r) return make_error("migrations: " + r->error().message);
  for (const auto& name : (*r)->applied)
    std::fprintf(stderr, "securenet-control: applied %s\n", name.c_str());
  return Ok{};
}

// Without --migrate: a warning when the database lacks some of the embedded migrations
// (the writer's rows would be refused); unreachable = nothing to say yet.
void check_migrations(store::Session& s) {
  auto n = s.run([](pqxx::connection& c) {
    pqxx::work tx(c);
    auto r = tx.exec("select count(*) from public.securenet_schema_migrations");
    return r[0][0].as<long>();
  });
  const long want = static_cast<long>(store::embedded_migrations().size());
  if (n && *n < want) {
    std::fprintf(stderr,
                 "securenet-control: warning: the database has %ld of %ld migrations; run "
                 "securenet-db migrate (or start with --migrate)\n",
                 *n, want);
  } else if (!n && n.error().message.find("securenet_schema_migrations") != std::string::npos) {
    std::fprintf(stderr,
                 "securenet-control: warning: the database is not migrated; run securenet-db "
                 "migrate (or start with --migrate)\n");
  }
}

// --owner-email's user, else the oldest user. Remembered in <state>/owner-user-id so a
// sensor that starts while the database is down keeps writing (to the spool) as its owner.
Result<std::string> owner_id(store::Session& s, const PersistOptions& o) {
  const std::string file = o.state_dir + "/owner-user-id";
  std::string id;
  std::string why;
  if (!o.owner_email.empty()) {
    auto u = store::find_user(s, o.owner_email);
    if (u && *u)
      id = (**u).id;
    else if (u)
      return make_error("--owner-email: no user " + o.owner_email + " in auth.users");
    else
      why = u.error().message;
  } else {
    auto first = store::find_user(s, "");  // the oldest user
    if (first && *first)
      id = (**first).id;
    else if (first)
      why = "no user in auth.users yet (create one: securenet-db user add)";
    else
      why = first.error().message;
  }
  if (id.empty()) {
    id = read_line(file);
    if (id.empty()) return make_error("cannot choose the sensor's owner: " + why);
    std::fprintf(stderr, "securenet-control: owner %s from %s (%s)\n", id.c_str(), file.c_str(),
                 why.c_str());
    return id;
  }
  if (read_line(file) != id) std::ofstream(file) << id << '\n';
  return id;
}

}  // namespace

Result<StartConfig> load_start_config(const std::string& path, Persistence* p) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  auto file = load_config_file(path);
  if (file && exists) return StartConfig{*file, ""};
  if (!p) {
    if (file) return StartConfig{*file, ""};  // first start: the defaults
    return make_error(file.error().message +
                      " (fix or remove it; with a database the sensor would recover "
                      "its newest stored config)");
  }
  const std::string why = exists ? "corrupt (" + file.error().message + ")" : "missing";
  auto stored = store::latest_config_of_sensor(*p->session, p->sensor_id);
  if (!stored) {
    if (!exists) {
      std::fprintf(stderr,
                   "securenet-control: warning: no %s and the database cannot be read (%s): "
                   "starting with the defaults\n",
                   path.c_str(), stored.error().message.c_str());
      return StartConfig{*file, ""};
    }
    return make_error("config file " + path + " is " + why +
                      " and the stored config cannot be read: " + stored.error().message);
  }
  if (!*stored) {
    if (!exists) return StartConfig{*file, ""};  // a new sensor: the defaults
    return make_error("config file " + path + " is " + why +
                      " and the database holds no config of sensor " + p->sensor_id);
  }
  auto parsed = apply_config_json(SecurityConfig::defaults(), **stored);
  if (!parsed.ok)
    return make_error("the stored config of sensor " + p->sensor_id +
                      " does not validate: " + parsed.error.detail);
  std::string kept;
  if (exists) {
    kept = path + ".corrupt-" + std::to_string(wall_ms() / 1000);
    fs::rename(path, kept, ec);
    if (ec) return make_error("cannot rename " + path + " aside: " + ec.message());
  }
  if (auto s = save_config_file(path, config_to_json(parsed.config)); !s)
    std::fprintf(stderr, "securenet-control: %s\n", s.error().message.c_str());
  std::string note = "sensor: " + path + " was " + (exists ? "corrupt" : "missing") +
                     "; recovered the newest config stored in network_configs" +
                     (kept.empty() ? std::string() : " (the bad file is kept as " + kept + ")");
  std::fprintf(stderr, "securenet-control: %s\n", note.c_str());
  return StartConfig{parsed.config, note};
}

namespace {
std::optional<Alert> to_alert(const store::AlertRow& r) {
  Alert a;
  bool kind_ok = false;
  for (auto k : kAllAlertKinds) {
    if (r.kind == to_string(k)) {
      a.kind = k;
      kind_ok = true;
    }
  }
  auto sev = parse_severity(r.severity);
  if (!kind_ok || !sev) return std::nullopt;
  a.id = r.id;
  a.severity = *sev;
  a.host = r.host;
  a.protocol = r.protocol;
  a.condition = r.condition;
  a.description = r.description;
  // The table holds "condition: description" for sensor_health (see StoreSink).
  if (!a.condition.empty() && a.description.rfind(a.condition + ": ", 0) == 0)
    a.description.erase(0, a.condition.size() + 2);
  a.value = r.value;
  a.threshold = r.threshold;
  a.peak = r.peak;
  a.count = static_cast<uint64_t>(r.count);
  a.first_seen_ms = r.first_seen_ms;
  a.last_seen_ms = r.last_seen_ms;
  a.attack_type = r.attack_type;  // issue 13 item 2: the victim's last profile
  a.profile_samples = r.profile_samples;
  for (const auto& s : r.top_sources) a.top_sources.push_back({s.ip, s.packets});
  for (const auto& b : r.breakdown)
    a.breakdown.push_back({b.protocol, b.src_port, b.dst_port, b.packets});
  return a;
}
}  // namespace

void adopt_open_alerts(Persistence& p, App& app) {
  auto rows = store::open_alerts_of_sensor(*p.session, p.sensor_id);
  if (!rows) {
    std::fprintf(stderr,
                 "securenet-control: cannot read this sensor's open alerts (%s); stale rows are "
                 "closed as superseded when their conditions return\n",
                 rows.error().message.c_str());
    return;
  }
  std::vector<Alert> open;
  for (const auto& r : *rows)
    if (auto a = to_alert(r)) open.push_back(std::move(*a));
  if (!open.empty())
    std::fprintf(stderr, "securenet-control: adopting %zu open alert(s) of sensor %s\n",
                 open.size(), p.sensor_id.c_str());
  app.adopt_alerts(std::move(open));
}

namespace {
// <state>/sensor-id, or (a fleet) the id the database role is bound to: adopted when the
// state dir has none yet, a clear refusal when it holds another one. When the database
// cannot be asked, the file's id (rows the role may not write are then refused and logged).
Result<std::string> sensor_id_for(store::Session& s, const std::string& state_dir) {
  namespace fs = std::filesystem;
  const std::string file = state_dir + "/sensor-id";
  auto bound = store::bound_sensor_id(s);
  if (bound && *bound) {
    const std::string have = read_line(file);
    if (!have.empty() && have != **bound)
      return make_error("the database role is bound to sensor " + **bound + " but " + file +
                        " holds " + have +
                        " (bind the role to that id with securenet-db sensor-role --sensor-id, "
                        "or remove the file)");
    if (have.empty()) {
      std::error_code ec;
      fs::create_directories(state_dir, ec);
      std::ofstream(file + ".tmp", std::ios::trunc) << **bound << '\n';
      fs::rename(file + ".tmp", file, ec);
      if (ec) return make_error("cannot write " + file + ": " + ec.message());
      std::fprintf(stderr, "securenet-control: sensor id %s from the database role's binding\n",
                   bound->value().c_str());
    }
  }
  const std::string id = store::load_or_create_sensor_id(state_dir);
  if (id.empty()) return make_error("cannot create " + file);
  return id;
}
}  // namespace

Result<std::unique_ptr<Persistence>> open_persistence(const PersistOptions& o,
                                                      const std::string& interface) {
  store::DbConfig db = store::db_config_from(o.db_url);
  if (db.url.empty()) return std::unique_ptr<Persistence>();
  auto p = std::make_unique<Persistence>();
  p->session = std::make_unique<store::Session>(db);
  if (o.migrate) {
    if (auto m = run_migrations(*p->session); !m) return make_error(m.error().message);
  } else {
    check_migrations(*p->session);
  }
  auto owner = owner_id(*p->session, o);
  if (!owner) return make_error(owner.error().message);
  p->owner_user_id = *owner;
  auto sensor = sensor_id_for(*p->session, o.state_dir);
  if (!sensor) return make_error(sensor.error().message);
  p->sensor_id = *sensor;

  store::WriterOptions w;
  w.db = db;
  w.owner_user_id = p->owner_user_id;
  w.sensor_id = p->sensor_id;
  w.sensor.name = o.sensor_name.empty() ? hostname() : o.sensor_name;
  w.sensor.interface = interface;
  w.sensor.version = kVersion;
  w.spool.dir = o.state_dir + "/spool";
  w.heartbeat_every = std::chrono::seconds(o.heartbeat_every_s);
  auto writer = store::Writer::start(std::move(w));
  if (!writer) return make_error("database writer: " + writer.error().message);
  p->writer = std::move(*writer);
  store::StoreSink::Options so;
  so.metrics_every_ms = static_cast<int64_t>(o.metrics_every_s) * 1000;
  p->sink = std::make_unique<store::StoreSink>(*p->writer, so);
  std::fprintf(stderr, "securenet-control: database %s, owner %s, sensor %s\n",
               store::redact_url(db.url).c_str(), p->owner_user_id.c_str(), p->sensor_id.c_str());
  return p;
}

}  // namespace securenet::control
