// securenet-control's persistence set-up: the request-time Session, the Writer with its
// spool, the StoreSink the App reports to, and the login limiter. The one place where the
// control plane meets control/store (with event_sink.h and store_sink.h beside it).
#pragma once

#include <memory>
#include <string>

#include "app/app.h"
#include "login_limiter.h"
#include "persist/store_sink.h"
#include "securenet/result.h"
#include "session.h"
#include "writer.h"

namespace securenet::control {

struct PersistOptions {
  std::string db_url;               // --db; else env SECURENET_DATABASE_URL; neither = no database
  std::string state_dir;            // owner-user-id, sensor-id, spool/
  std::string owner_email;          // rows belong to this user (default: the oldest user)
  std::string sensor_name;          // default: the host name
  bool migrate = false;             // apply the embedded migrations at start
  unsigned metrics_every_s = 10;    // one stored metrics snapshot per N seconds
  unsigned heartbeat_every_s = 15;  // sensors.last_heartbeat refreshed every N seconds
};

struct Persistence {
  std::unique_ptr<store::Session> session;  // login and RLS reads
  std::unique_ptr<store::Writer> writer;    // rows, spool, reconnects
  std::unique_ptr<store::StoreSink> sink;   // the App's EventSink
  store::LoginRateLimiter limiter;
  std::string owner_user_id, sensor_id;
};

// The start-up config: config.json; when it is missing or does not validate and a database
// is configured, the newest network_configs row of this sensor (the bad file renamed to
// config.json.corrupt-<epoch s>, the recovered config saved in its place, and `recovered`
// saying so for a HIGH config_recovered alert). Without a database (or without a stored
// row) a corrupt file stays a clear error and a missing one means the defaults.
struct StartConfig {
  SecurityConfig config;
  std::string recovered;  // non-empty: the alert's description
};
Result<StartConfig> load_start_config(const std::string& config_path, Persistence* p);

// The sensor's open alerts from an earlier run, handed to App::adopt_alerts (nothing when
// the database cannot be read: the writer then closes stale rows as superseded).
void adopt_open_alerts(Persistence& p, App& app);

// nullptr (no error) when no database is configured. Fails when the owner cannot be
// determined (no users yet and no remembered owner) or the migrations fail.
Result<std::unique_ptr<Persistence>> open_persistence(const PersistOptions& o,
                                                      const std::string& interface);

}  // namespace securenet::control
