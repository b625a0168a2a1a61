// securenet-control: the unprivileged control plane (see control/API.md). One io_context,
// one thread: the sampler tick, the detector and every HTTP connection run on it; requests
// that wait on the database (login, stored history) or on a capture analysis run on a
// 3-thread pool.
#include <sys/resource.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

#include "app/app.h"
#include "auth/jwt.h"
#include "auth/revocation.h"
#include "auth/token_tool.h"
#include "block/blocker.h"
#include "cli.h"
#include "config/config_file.h"
#include "http/routes.h"
#include "http/routes_analyze.h"
#include "http/routes_blocks.h"
#include "http/routes_db.h"
#include "http/routes_notify.h"
#include "http/server.h"
#include "http/tls.h"
#include "notify/notifier.h"
#include "persist/persistence.h"

using namespace securenet;
using namespace securenet::control;

namespace {

int fail(const std::string& msg) {
  std::fprintf(stderr, "securenet-control: %s\n", msg.c_str());
  return 1;
}

int mint(const CliOptions& o) {
  auto token = auth::mint_token(o.token_request);
  if (!token) return fail("token: " + token.error().message);
  std::cout << *token << '\n';
  return 0;
}

// Every connection is a descriptor: raise the soft RLIMIT_NOFILE to cover the caps plus
// the process's own (segment, database, log, pool). Short of it, accept() backs off.
void raise_fd_limit(size_t connections) {
  const rlim_t want = static_cast<rlim_t>(connections) + 256;
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want) return;
  rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : std::min(want, rl.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < want) {
    std::fprintf(
        stderr,
        "securenet-control: warning: open-file limit %llu is below --max-connections + 256 (%llu); "
        "connections beyond it get 503\n",
        static_cast<unsigned long long>(rl.rlim_cur), static_cast<unsigned long long>(want));
  }
}

int run(const CliOptions& o) {
  auto secret = resolve_secret(o, true);
  if (!secret) return fail(secret.error().message);
  auth::AuthConfig ac = o.auth;
  ac.hs256_secret = *secret;
  // Logged-out access tokens: every verify() refuses them until their exp.
  auto revocations = std::make_shared<auth::RevocationList>();
  ac.revocations = revocations;
  auto verifier = auth::Verifier::create(ac);
  if (!verifier) return fail(verifier.error().message);
  if (auto w = verifier->warm_jwks(); !w)  // keys before the first request; retried later
    std::fprintf(stderr,
                 "securenet-control: JWKS not loaded yet (%s); retrying in the background\n",
                 w.error().message.c_str());
  boost::asio::io_context ioc(1);
  auto db = open_persistence(o.persist, "segment " + o.app.shm_name);
  if (!db) return fail(db.error().message);
  auto cfg = load_start_config(o.app.config_path, db->get());  // config.json, else the stored one
  if (!cfg) return fail(cfg.error().message);
  auto notify_cfg = load_notify_config(o.notify_config, o.notify_config_given);
  if (!notify_cfg) return fail(notify_cfg.error().message);
  Notifier notifier(std::move(*notify_cfg));  // outlives app (declared before it)
  NullSink null_sink;
  EventSink& sink = *db ? static_cast<EventSink&>(*(*db)->sink) : null_sink;
  App app(ioc, o.app, cfg->config, sink);
  BlockConfig block_cfg;  // off unless --block-config enables it
  if (!o.block_config.empty()) {
    auto bc = load_block_config(o.block_config);
    if (!bc) return fail(bc.error().message);
    block_cfg = *bc;
  }
  Blocker blocker(ioc, block_cfg, app);
  app.subscribe(blocker);                 // before adopt: adopted open alerts are blocked again
  if (*db) adopt_open_alerts(**db, app);  // continue the alerts of the previous run
  app.subscribe(notifier);  // after the adopted alerts: those were announced by the last run
  {
    std::vector<Alert> open;
    for (const Alert* a : app.alerts().list({SIZE_MAX, {}, true, {}})) open.push_back(*a);
    notifier.seed(open);
  }
  app.add_status_section(
      {"notifications", [&notifier](JsonWriter& w) { notifier.write_status(w); }});
  app.add_status_section({"inline", [&app](JsonWriter& w) { app.write_inline_status(w); }});
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
  dd.issuer = o.auth.issuer;
  dd.access_ttl_s = o.access_ttl_s;
  register_db_routes(router, app, dd);  // before the rest: /api/alerts/history vs /{id}
  register_all_routes(router, app);
  register_block_routes(router, blocker);
  register_notify_routes(router, notifier.log());
  ConfigSnapshot config_now(app.config_json());  // the config for analyses off this thread
  app.subscribe(config_now);
  AnalysisOptions ao = o.analysis;
  if (ao.tool.empty()) ao.tool = find_analyze_tool(SECURENET_ANALYZE_BUILD_BIN);
  CaptureAnalysis analysis(ao);
  register_analyze_routes(router, analysis, config_now, sink);
  StaticFiles files(o.web_root);
  auth::Verifier v = *verifier;
  Dispatcher dispatch(
      router,
      [v](std::string_view token) -> std::optional<auth::Claims> {
        auto c = v.verify(token, static_cast<int64_t>(std::time(nullptr)));
        if (!c) return std::nullopt;
        return c.value();
      },
      files, o.http);
  const bool tls = o.http.tls;
  std::shared_ptr<boost::asio::ssl::context> tls_ctx;
  if (tls) {
    auto c = make_tls_context(o.tls_cert, o.tls_key);
    if (!c) return fail(c.error().message);
    tls_ctx = *c;
  }
  ServerOptions so = o.server;
  raise_fd_limit(so.max_connections);
  boost::asio::thread_pool pool(3);  // one more for an analysis (at most one at a time)
  so.pool = &pool;
  so.offload = [](const HttpIn& in) { return is_db_request(in) || is_analyze_request(in); };
  so.upload_limit = ao.max_upload;
  so.upload = is_analyze_request;
  so.upload_refusal = [&dispatch](const HttpIn& in) { return dispatch.refusal(in); };
  HttpServer server(ioc, so, dispatch, app.hub());
  server.set_tls(tls_ctx);
  if (auto s = server.listen(); !s) return fail(s.error().message);
  if (!o.port_file.empty()) std::ofstream(o.port_file) << server.port() << '\n';
  std::fprintf(stderr,
               "securenet-control: listening on %s://%s:%u, segment /dev/shm/%s, web root %s\n",
               tls ? "https" : "http", so.address.c_str(), server.port(), o.app.shm_name.c_str(),
               files.enabled() ? o.web_root.c_str() : "(none)");

  // SIGHUP: reload the certificate and key (renewal); new connections use them.
  boost::asio::signal_set hup(ioc, SIGHUP);
  std::function<void()> wait_hup = [&] {
    hup.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      if (tls) {
        auto c = make_tls_context(o.tls_cert, o.tls_key);
        if (c) server.set_tls(*c);
        std::string what = c ? "TLS certificate and key reloaded"
                             : "TLS reload failed, keeping the old ones: " + c.error().message;
        std::fprintf(stderr, "securenet-control: SIGHUP: %s\n", what.c_str());
      }
      wait_hup();
    });
  };
  wait_hup();
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    std::fprintf(stderr, "securenet-control: shutting down\n");
    server.shutdown();
    analysis.stop();  // a running analysis is killed: its answer is 503
    hup.cancel();
    app.stop();
    blocker.stop();
  });
  app.start();
  blocker.start();
  ioc.run();
  pool.join();    // offloaded requests finish, and their answers are written (bounded wait)
  ioc.restart();  // before anything their handlers refer to is destroyed
  ioc.run_for(std::chrono::seconds(2));
  blocker.withdraw_all_now();      // bans do not outlive the process
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
