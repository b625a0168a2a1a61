// securenet-control: the unprivileged control plane (see control/API.md). One io_context,
// one thread: the sampler tick, the detector and every HTTP connection run on it; requests
// that wait on the database (login, stored history) run on a 2-thread pool.
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

#include "app/app.h"
#include "auth/jwt.h"
#include "auth/revocation.h"
#include "cli.h"
#include "config/config_file.h"
#include "http/routes.h"
#include "http/routes_db.h"
#include "main_store.h"
#include "http/server.h"

using namespace securenet;
using namespace securenet::control;

namespace {

int fail(const std::string& msg) {
  std::fprintf(stderr, "securenet-control: %s\n", msg.c_str());
  return 1;
}

int mint(const CliOptions& o) {
  if (o.user.empty()) return fail("token: --user UUID is required");
  auto secret = resolve_secret(o, false);
  if (!secret || secret->empty()) return fail("token: no secret (--jwt-secret-file, SECURENET_JWT_SECRET or <state-dir>/jwt-secret)");
  auth::MintOptions m;
  m.sub = o.user;
  m.email = o.email;
  m.role = o.role;
  m.issuer = o.issuer;
  m.ttl_s = o.ttl_s;
  std::cout << auth::mint_hs256(*secret, m, static_cast<int64_t>(std::time(nullptr))) << '\n';
  return 0;
}

bool split_listen(const std::string& s, std::string& addr, uint16_t& port) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  addr = s.substr(0, colon);
  if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
  try {
    int p = std::stoi(s.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    port = static_cast<uint16_t>(p);
  } catch (...) {
    return false;
  }
  return true;
}

int run(const CliOptions& o) {
  auto secret = resolve_secret(o, true);
  if (!secret) return fail(secret.error().message);
  auth::AuthConfig ac;
  ac.hs256_secret = *secret;
  ac.jwks_file = o.jwks_file;
  ac.jwks_url = o.jwks_url;
  ac.issuer = o.issuer;
  ac.jwks_background = true;  // requests never wait on the JWKS server (one event loop)
  // Logged-out access tokens: every verify() refuses them until their exp.
  auto revocations = std::make_shared<auth::RevocationList>();
  ac.revocations = revocations;
  auto verifier = auth::Verifier::create(ac);
  if (!verifier) return fail(verifier.error().message);
  if (auto w = verifier->warm_jwks(); !w)  // keys before the first request; retried later
    std::fprintf(stderr, "securenet-control: JWKS not loaded yet (%s); retrying in the background\n",
                 w.error().message.c_str());
  boost::asio::io_context ioc(1);
  AppOptions ao;
  ao.shm_name = "securenet-" + o.instance;
  ao.config_path = o.config_file;
  ao.tick = std::chrono::milliseconds(o.tick_ms);
  auto db = open_persistence(o, "segment " + ao.shm_name);
  if (!db) return fail(db.error().message);
  auto cfg = load_start_config(o, db->get());  // config.json, else the stored one
  if (!cfg) return fail(cfg.error().message);
  NullSink null_sink;
  EventSink& sink = *db ? static_cast<EventSink&>(*(*db)->sink) : null_sink;
  App app(ioc, ao, cfg->config, sink);
  if (*db) adopt_open_alerts(**db, app);  // continue the alerts of the previous run
  if (!cfg->recovered.empty()) app.raise_event("config_recovered", Severity::kHigh, cfg->recovered);
  Router router;
  DbRouteDeps dd;
  if (*db) {
    dd.session = (*db)->session.get();
    dd.limiter = &(*db)->limiter;
  }
  dd.revocations = revocations;
  dd.audit = &sink;
  dd.hs256_secret = *secret;
  dd.issuer = o.issuer;
  dd.access_ttl_s = o.access_ttl_s;
  register_db_routes(router, app, dd);  // before the rest: /api/alerts/history vs /{id}
  register_all_routes(router, app);
  StaticFiles files(o.web_root);
  auth::Verifier v = *verifier;
  Dispatcher dispatch(router, [v](std::string_view token) -> std::optional<auth::Claims> {
    auto c = v.verify(token, static_cast<int64_t>(std::time(nullptr)));
    if (!c) return std::nullopt;
    return c.value();
  }, files);
  ServerOptions so;
  if (!split_listen(o.listen, so.address, so.port)) return fail("--listen: expected ADDR:PORT");
  so.max_connections = o.max_connections;
  boost::asio::thread_pool pool(2);
  so.pool = &pool;
  so.offload = is_db_request;
  HttpServer server(ioc, so, dispatch, app.hub());
  if (auto s = server.listen(); !s) return fail(s.error().message);
  if (!o.port_file.empty()) std::ofstream(o.port_file) << server.port() << '\n';
  std::fprintf(stderr, "securenet-control: listening on http://%s:%u, segment /dev/shm/%s, web root %s\n",
               so.address.c_str(), server.port(), ao.shm_name.c_str(),
               files.enabled() ? o.web_root.c_str() : "(none)");

  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    std::fprintf(stderr, "securenet-control: shutting down\n");
    server.shutdown();
    app.stop();
  });
  app.start();
  ioc.run();
  pool.join();  // offloaded requests finish, and their answers are written (bounded wait)
  ioc.restart();  // before anything their handlers refer to is destroyed
  ioc.run_for(std::chrono::seconds(2));
  if (*db) (*db)->writer->stop();  // queued rows end in the database or the spool
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto o = parse_cli(args);
  if (!o) {
    std::fprintf(stderr, "securenet-control: %s\n%s", o.error().message.c_str(), usage_text());
    return 2;
  }
  if (o->help) {
    std::fputs(usage_text(), stdout);
    return 0;
  }
  return o->token ? mint(*o) : run(*o);
}
