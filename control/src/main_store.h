// securenet-control's persistence set-up (linked into the executable only, since the
// StoreSink library depends on the control library): the request-time Session, the
// Writer with its spool, the StoreSink the App reports to, and the login limiter.
#pragma once

#include <memory>
#include <string>

#include "cli.h"
#include "login_limiter.h"
#include "securenet/result.h"
#include "session.h"
#include "sink/store_sink.h"
#include "writer.h"

namespace securenet::control {

struct Persistence {
  std::unique_ptr<store::Session> session;      // login and RLS reads
  std::unique_ptr<store::Writer> writer;        // rows, spool, reconnects
  std::unique_ptr<store::StoreSink> sink;       // the App's EventSink
  store::LoginRateLimiter limiter;
  std::string owner_user_id, sensor_id;
};

// nullptr (no error) when no database is configured. Fails when the owner cannot be
// determined (no users yet and no remembered owner) or the migrations fail.
Result<std::unique_ptr<Persistence>> open_persistence(const CliOptions& o,
                                                      const std::string& interface);

}  // namespace securenet::control
