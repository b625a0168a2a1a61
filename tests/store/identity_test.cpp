// Identity against a real PostgreSQL 15, through the real auth route group, Verifier,
// Writer and StoreSink: roles in tokens, refused users (banned, deleted, unconfirmed,
// malformed hash) with the same 401 as a wrong password, limiter bypass attempts, logout
// revoking the refresh chain and the access token, audit rows, Supabase's auth.users
// shape, and the sensor's least-privileged database role. Labels: db, security.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "auth/jwt.h"
#include "auth/revocation.h"
#include "auth_store.h"
#include "db_helpers.h"
#include "http/routes_auth.h"
#include "login_limiter.h"
#include "persist/store_sink.h"
#include "pg_cluster.h"
#include "securenet/common/clock.h"
#include "securenet/common/uuid.h"

using namespace securenet;
using namespace securenet::testing;
using namespace std::chrono_literals;
using boost::beast::http::verb;

namespace {

constexpr const char* kSecret = "identity-secret-0123456789abcdef012345";
constexpr const char* kIssuer = "securenet-identity-test";

std::string field(const std::string& json, const std::string& key) {
  const auto k = "\"" + key + "\":\"";
  const auto p = json.find(k);
  if (p == std::string::npos) return "";
  const auto e = json.find('"', p + k.size());
  return json.substr(p + k.size(), e - p - k.size());
}

std::string app_role_of(const std::string& claims_json) {
  simdjson::dom::parser p;
  simdjson::padded_string s(claims_json);
  std::string_view v;
  if (p.parse(s)["app_metadata"]["securenet_role"].get_string().get(v)) return "";
  return std::string(v);
}

std::string header(const control::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

// The auth routes with a real Writer + StoreSink as the audit sink and a Verifier that
// consults the same revocation list, as securenet-control wires them.
struct Harness {
  std::string url;
  std::unique_ptr<store::Session> session;
  store::LoginRateLimiter limiter;
  std::shared_ptr<auth::RevocationList> revocations = std::make_shared<auth::RevocationList>();
  std::unique_ptr<store::Writer> writer;
  std::unique_ptr<store::StoreSink> sink;
  std::string spool;
  control::Router router;
  std::optional<auth::Verifier> verifier;
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::string addr = "192.0.2.7";

  Harness(const std::string& u, const std::string& owner_id, store::LoginLimits lim = {})
      : url(u), session(std::make_unique<store::Session>(store::db_config_from(u))), limiter(lim) {
    char tmpl[] = "/tmp/securenet-identity-XXXXXX";
    spool = ::mkdtemp(tmpl);
    if (!owner_id.empty()) {
      store::WriterOptions o;
      o.db = store::db_config_from(u);
      o.owner_user_id = owner_id;
      o.sensor_id = new_uuid();
      o.spool.dir = spool;
      o.flush_interval = 50ms;
      auto w = store::Writer::start(o);
      EXPECT_TRUE(w);
      if (w) writer = std::move(*w);
      if (writer) sink = std::make_unique<store::StoreSink>(*writer, store::StoreSink::Options{});
    }
    control::AuthRouteDeps d;
    d.session = session.get();
    d.limiter = &limiter;
    d.revocations = revocations;
    d.audit = sink.get();
    d.hs256_secret = kSecret;
    d.issuer = kIssuer;
    d.client_addr = [this](const control::Request&) { return addr; };
    d.now_s = [this] { return now; };
    control::register_auth_routes(router, d);
    auth::AuthConfig ac;
    ac.hs256_secret = kSecret;
    ac.issuer = kIssuer;
    ac.revocations = revocations;
    auto v = auth::Verifier::create(ac);
    EXPECT_TRUE(v);
    verifier.emplace(*v);
  }
  ~Harness() {
    writer.reset();
    std::filesystem::remove_all(spool);
  }

  // As the dispatcher does: claims (when a token is given and verifies) then the handler.
  control::Response post(const std::string& path, const std::string& body,
                         const std::string& token = "") {
    auto m = router.match(verb::post, path);
    EXPECT_NE(m.handler, nullptr) << path;
    control::Request req;
    req.method = verb::post;
    req.path = path;
    req.body = body;
    req.peer = addr;
    std::optional<auth::Claims> claims;
    if (!token.empty()) {
      auto c = verifier->verify(token, now);
      if (c) claims = *c;
      req.claims = claims ? &*claims : nullptr;
    }
    return (*m.handler)(req);
  }
  control::Response login(const std::string& email, const std::string& password) {
    return post("/api/auth/login",
                "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
  }
  bool settled() {
    for (int i = 0; i < 400; ++i) {
      const auto s = writer->status();
      if (s.state == store::DbState::connected && s.queue_depth == 0 && s.spool_rows == 0)
        return true;
      writer->wake();
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
};

}  // namespace

TEST(Identity, RolesAreInTheAccessToken) {
  SN_MIGRATED_DB_OR_SKIP(url, "roles");
  store::Session s(store::db_config_from(url));
  ASSERT_TRUE(store::create_user(s, "viewer@example.com", "viewer-password-1"));
  ASSERT_TRUE(store::create_user(s, "op@example.com", "operator-password-1", "operator"));
  ASSERT_TRUE(store::create_user(s, "admin@example.com", "admin-password-1", "admin"));
  EXPECT_FALSE(store::create_user(s, "root@example.com", "root-password-1", "root"));
  // A user created by something else, without app_metadata: viewer.
  scalar(url,
         "insert into auth.users (email, encrypted_password, email_confirmed_at) values "
         "('bare@example.com', securenet.hash_password('bare-password-1'), now()) returning 1");
  // A user who set a role in their own (user-writable) metadata gets nothing from it.
  scalar(url,
         "update auth.users set raw_user_meta_data = '{\"securenet_role\":\"admin\"}' "
         "where email = 'bare@example.com' returning 1");
  Harness h(url, "");
  for (auto [email, pw, role] : {std::tuple{"viewer@example.com", "viewer-password-1", "viewer"},
                                 {"op@example.com", "operator-password-1", "operator"},
                                 {"admin@example.com", "admin-password-1", "admin"},
                                 {"bare@example.com", "bare-password-1", "viewer"}}) {
    SCOPED_TRACE(email);
    auto r = h.login(email, pw);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_NE(r.body.find(std::string("\"role\":\"") + role + "\""), std::string::npos) << r.body;
    auto c = h.verifier->verify(field(r.body, "access_token"), h.now);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(app_role_of(c->json), role);
    EXPECT_EQ(auth::jti_of(c->json).size(), 32u);
    EXPECT_EQ(c->exp - c->iat, 900) << "access tokens live 15 minutes by default";
  }
  // A role change reaches the next refresh (the token chain reads the current role).
  auto r = h.login("op@example.com", "operator-password-1");
  ASSERT_EQ(r.status, 200u);
  ASSERT_TRUE(store::set_user_role(s, "op@example.com", "admin"));
  auto ref =
      h.post("/api/auth/refresh", "{\"refresh_token\":\"" + field(r.body, "refresh_token") + "\"}");
  ASSERT_EQ(ref.status, 200u) << ref.body;
  auto c = h.verifier->verify(field(ref.body, "access_token"), h.now);
  ASSERT_TRUE(c);
  EXPECT_EQ(app_role_of(c->json), "admin");
  EXPECT_EQ(
      scalar(
          url,
          "select raw_app_meta_data->>'provider' from auth.users where email = 'op@example.com'"),
      "email");  // other app_metadata keys kept
}

TEST(Identity, RefusedUsersGetTheSame401AsAWrongPassword) {
  SN_MIGRATED_DB_OR_SKIP(url, "refused");
  store::Session s(store::db_config_from(url));
  for (const char* who :
       {"ok", "banned", "wasbanned", "deleted", "unconfirmed", "malformed", "costly"})
    ASSERT_TRUE(store::create_user(s, std::string(who) + "@example.com", "the-password-1"));
  scalar(url,
         "update auth.users set banned_until = now() + interval '1 day' where email = "
         "'banned@example.com' returning 1");
  scalar(url,
         "update auth.users set banned_until = now() - interval '1 day' where email = "
         "'wasbanned@example.com' returning 1");
  scalar(
      url,
      "update auth.users set deleted_at = now() where email = 'deleted@example.com' returning 1");
  scalar(url,
         "update auth.users set email_confirmed_at = null where email = 'unconfirmed@example.com' "
         "returning 1");
  scalar(url,
         "update auth.users set encrypted_password = '$2a$10$tooshort' where email = "
         "'malformed@example.com' returning 1");
  scalar(url,
         "update auth.users set encrypted_password = '$2a$31$' || substr(encrypted_password, 8) "
         "where email = 'costly@example.com' returning 1");
  store::LoginLimits generous;
  generous.pair_free = generous.address_free = generous.account_free = 1000;
  Harness h(url, "", generous);

  EXPECT_EQ(h.login("ok@example.com", "the-password-1").status, 200u);
  EXPECT_EQ(h.login("wasbanned@example.com", "the-password-1").status, 200u);  // ban expired

  auto reference = h.login("ok@example.com", "wrong-password-1");
  ASSERT_EQ(reference.status, 401u);
  using Clock = std::chrono::steady_clock;
  auto timed = [&](const std::string& email, const std::string& pw, control::Response* out) {
    double best = 1e9;
    for (int i = 0; i < 3; ++i) {
      const auto t0 = Clock::now();
      *out = h.login(email, pw);
      best = std::min(best, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    return best;
  };
  control::Response r;
  const double wrong_ms = timed("ok@example.com", "wrong-password-1", &r);
  for (const char* who : {"banned", "deleted", "unconfirmed", "malformed", "costly", "nobody"}) {
    SCOPED_TRACE(who);
    const double ms = timed(std::string(who) + "@example.com", "the-password-1", &r);
    EXPECT_EQ(r.status, reference.status);
    EXPECT_EQ(r.body, reference.body);
    EXPECT_EQ(r.headers, reference.headers);
    // One bcrypt on every path: a refusal that skipped it would take ~1 ms against ~50.
    EXPECT_GT(ms, 0.3 * wrong_ms) << ms << " ms vs " << wrong_ms << " ms for a wrong password";
  }
  // The store says why (for the audit log and the one log line), the client never does.
  auto m = store::check_login(s, "malformed@example.com", "the-password-1");
  ASSERT_TRUE(m) << m.error().message;  // not a database error (was a 503)
  EXPECT_EQ(m->status, store::LoginStatus::malformed_hash);
  auto b = store::check_login(s, "banned@example.com", "the-password-1");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, store::LoginStatus::banned);
  auto bw = store::check_login(s, "banned@example.com", "wrong-password");
  ASSERT_TRUE(bw);
  EXPECT_EQ(bw->status, store::LoginStatus::bad_password);  // no ban oracle without the password

  // A session of a user banned after login cannot be refreshed.
  auto ok = h.login("ok@example.com", "the-password-1");
  ASSERT_EQ(ok.status, 200u);
  scalar(url,
         "update auth.users set banned_until = now() + interval '1 hour' where email = "
         "'ok@example.com' returning 1");
  EXPECT_EQ(
      h.post("/api/auth/refresh", "{\"refresh_token\":\"" + field(ok.body, "refresh_token") + "\"}")
          .status,
      401u);
}

TEST(Identity, LimiterCannotBeBypassedWithAnOwnAccount) {
  SN_MIGRATED_DB_OR_SKIP(url, "bypass");
  store::Session s(store::db_config_from(url));
  ASSERT_TRUE(store::create_user(s, "victim@example.com", "victim-password-1"));
  ASSERT_TRUE(store::create_user(s, "attacker@example.com", "attacker-password-1"));
  Harness h(url, "");  // default limits
  h.addr = "203.0.113.66";
  int guesses = 0;
  control::Response last;
  for (int i = 0; i < 200; ++i) {
    last = h.login("victim@example.com", "guess-" + std::to_string(i));
    if (last.status == 429) break;
    ASSERT_EQ(last.status, 401u) << last.body;
    ++guesses;
    // The attacker's own successful login after every guess (the old limiter reset here).
    auto own = h.login("attacker@example.com", "attacker-password-1");
    if (own.status == 429) break;
  }
  EXPECT_LE(guesses, h.limiter.limits().pair_free + 1);
  last = h.login("victim@example.com", "guess-x");
  ASSERT_EQ(last.status, 429u) << last.body;
  const std::string retry = header(last, "Retry-After");
  ASSERT_FALSE(retry.empty());
  EXPECT_GE(std::stoll(retry), 1);
  EXPECT_NE(last.body.find("\"error\":\"rate_limited\""), std::string::npos) << last.body;
  // Exponential: more failures after the wait mean a longer wait.
  h.now += std::stoll(retry);
  EXPECT_EQ(h.login("victim@example.com", "guess-y").status, 401u);
  auto longer = h.login("victim@example.com", "guess-z");
  ASSERT_EQ(longer.status, 429u);
  EXPECT_GT(std::stoll(header(longer, "Retry-After")), std::stoll(retry));
  // The victim, from their own address, is not locked out by this.
  h.addr = "192.0.2.10";
  EXPECT_EQ(h.login("victim@example.com", "victim-password-1").status, 200u);
  // Spreading guesses over addresses hits the account ceiling (known addresses spared).
  h.addr = "198.51.100.1";
  int spread = 0;
  for (int i = 0; i < 400 && spread < 1000; ++i) {
    h.addr = "198.51.100." + std::to_string(i % 250) + "";
    auto r = h.login("victim@example.com", "spread-" + std::to_string(i));
    if (r.status == 429) break;
    ++spread;
  }
  EXPECT_LE(spread, h.limiter.limits().account_free + 1);
  h.addr = "192.0.2.10";
  EXPECT_EQ(h.login("victim@example.com", "victim-password-1").status, 200u);
}

TEST(Identity, LogoutRevokesTheRefreshChainAndTheAccessToken) {
  SN_MIGRATED_DB_OR_SKIP(url, "logout");
  store::Session s(store::db_config_from(url));
  auto u = store::create_user(s, "out@example.com", "logout-password-1");
  ASSERT_TRUE(u);
  Harness h(url, u->id);
  auto a = h.login("out@example.com", "logout-password-1");
  auto b = h.login("out@example.com", "logout-password-1");  // another device's session
  ASSERT_EQ(a.status, 200u);
  ASSERT_EQ(b.status, 200u);
  // Rotate session A once: logout must revoke the chain's current token.
  auto a2 =
      h.post("/api/auth/refresh", "{\"refresh_token\":\"" + field(a.body, "refresh_token") + "\"}");
  ASSERT_EQ(a2.status, 200u);
  const std::string access = field(a2.body, "access_token");
  ASSERT_TRUE(h.verifier->verify(access, h.now));

  EXPECT_EQ(h.post("/api/auth/logout", "{}").status, 401u);  // no claims: refused
  auto out = h.post("/api/auth/logout", "{}", access);
  ASSERT_EQ(out.status, 200u) << out.body;
  EXPECT_NE(out.body.find("\"refresh_tokens_revoked\":1"), std::string::npos) << out.body;

  EXPECT_FALSE(h.verifier->verify(access, h.now))
      << "the access token must be refused after logout";
  EXPECT_FALSE(h.verifier->verify(access, h.now + 600));
  EXPECT_EQ(
      h.post("/api/auth/refresh", "{\"refresh_token\":\"" + field(a2.body, "refresh_token") + "\"}")
          .status,
      401u);
  // The other session is untouched.
  EXPECT_TRUE(h.verifier->verify(field(b.body, "access_token"), h.now));
  EXPECT_EQ(
      h.post("/api/auth/refresh", "{\"refresh_token\":\"" + field(b.body, "refresh_token") + "\"}")
          .status,
      200u);
  // Kept only until the token would have expired anyway.
  EXPECT_EQ(h.revocations->size(), 1u);
  h.revocations->revoke("another", h.now + 10, h.now + 2000);  // prunes the expired entry
  EXPECT_EQ(h.revocations->size(), 1u);
}

TEST(Identity, AuditRowsForLoginsAndLogout) {
  SN_MIGRATED_DB_OR_SKIP(url, "auditlogin");
  store::Session s(store::db_config_from(url));
  auto u = store::create_user(s, "aud@example.com", "audit-password-1", "admin");
  ASSERT_TRUE(u);
  Harness h(url, u->id);
  h.addr = "192.0.2.55";
  auto ok = h.login("AUD@example.com", "audit-password-1");
  ASSERT_EQ(ok.status, 200u);
  ASSERT_EQ(h.login("aud@example.com", "nope-nope-nope").status, 401u);
  ASSERT_EQ(h.login("ghost@example.com", "nope-nope-nope").status, 401u);
  ASSERT_EQ(h.post("/api/auth/logout", "{}", field(ok.body, "access_token")).status, 200u);
  ASSERT_TRUE(h.settled());
  EXPECT_EQ(
      scalar(url,
             "select string_agg(action || ' ' || coalesce(actor_id::text, '-') || ' ' || "
             "coalesce(actor_email, '-') || ' ' || source_addr || ' ' || "
             "coalesce(details->>'reason', details->>'role', details->>'refresh_tokens_revoked'), "
             "'|' order by at, action) from audit_log"),
      "login_success " + u->id +
          " aud@example.com 192.0.2.55 admin|"
          "login_failure - aud@example.com 192.0.2.55 bad_password|"
          "login_failure - ghost@example.com 192.0.2.55 unknown|"
          "logout " +
          u->id + " aud@example.com 192.0.2.55 1");
  EXPECT_EQ(count(url, "select count(*) from audit_log where user_id = '" + u->id + "'"), 4);
  // Never a password in the trail.
  EXPECT_EQ(count(url,
                  "select count(*) from audit_log where details::text like '%audit-password%' "
                  "or details::text like '%nope-nope%'"),
            0);
}

// auth.users as Supabase has it: no column defaults, pgcrypto in the `extensions` schema.
TEST(Identity, SupabaseShapedAuthUsers) {
  std::string why;
  auto* cluster = PgCluster::shared(why);
  if (!cluster) GTEST_SKIP() << why;
  const std::string url = cluster->create_database("supa");
  scalar(url, R"sql(
    create schema extensions;
    create extension pgcrypto with schema extensions;
    create schema auth;
    create table auth.users (
      instance_id uuid null, id uuid not null primary key, aud varchar(255) null,
      role varchar(255) null, email varchar(255) null, encrypted_password varchar(255) null,
      email_confirmed_at timestamptz null, invited_at timestamptz null,
      confirmation_token varchar(255) null, recovery_token varchar(255) null,
      email_change_token_new varchar(255) null, email_change varchar(255) null,
      last_sign_in_at timestamptz null, raw_app_meta_data jsonb null,
      raw_user_meta_data jsonb null, is_super_admin bool null, created_at timestamptz null,
      updated_at timestamptz null, phone text null, banned_until timestamptz null,
      deleted_at timestamptz null, is_sso_user boolean not null default false,
      is_anonymous boolean not null default false);
    select 1)sql");
  ASSERT_EQ(migrate_url(url), "");
  EXPECT_EQ(
      scalar(
          url,
          "select extnamespace::regnamespace::text from pg_extension where extname = 'pgcrypto'"),
      "extensions");
  store::Session s(store::db_config_from(url));
  auto u = store::create_user(s, "Supa@Example.com", "supabase-password-1", "operator");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(
      scalar(
          url,
          "select concat_ws(' ', instance_id, aud, role, email, email_confirmed_at is not null, "
          "created_at is not null, updated_at is not null, confirmation_token = '', "
          "raw_app_meta_data->>'securenet_role', raw_app_meta_data->>'provider') from auth.users"),
      "00000000-0000-0000-0000-000000000000 authenticated authenticated supa@example.com t t t "
      "t operator email");
  EXPECT_FALSE(store::create_user(s, "supa@example.com", "another-password-1"));  // duplicate
  Harness h(url, u->id);
  auto r = h.login("supa@example.com", "supabase-password-1");
  ASSERT_EQ(r.status, 200u) << r.body;
  auto c = h.verifier->verify(field(r.body, "access_token"), h.now);
  ASSERT_TRUE(c);
  EXPECT_EQ(app_role_of(c->json), "operator");
  // A malformed hash is a failed login, not a database error.
  scalar(url, "update auth.users set encrypted_password = 'not-a-hash' returning 1");
  EXPECT_EQ(h.login("supa@example.com", "supabase-password-1").status, 401u);
}

TEST(Identity, SensorRoleHasLeastPrivilege) {
  SN_MIGRATED_DB_OR_SKIP(url, "leastpriv");
  store::Session admin(store::db_config_from(url));
  auto u = store::create_user(admin, "owner@example.com", "owner-password-1", "admin");
  ASSERT_TRUE(u);
  EXPECT_EQ(scalar(url,
                   "select rolcanlogin::text || rolbypassrls::text || rolsuper::text from pg_roles "
                   "where rolname = 'securenet_sensor'"),
            "falsefalsefalse");  // NOLOGIN until provisioned, never RLS-exempt or superuser
  scalar(url,
         "alter role securenet_sensor login; select 1");  // what `securenet-db sensor-role` does
  const std::string sensor_url = url_as(url, "securenet_sensor");

  // The writer and the auth routes as the sensor's role: everything they need works.
  Harness h(sensor_url, u->id);
  auto ok = h.login("owner@example.com", "owner-password-1");
  ASSERT_EQ(ok.status, 200u) << ok.body;
  ASSERT_EQ(
      h.post("/api/auth/refresh", "{\"refresh_token\":\"" + field(ok.body, "refresh_token") + "\"}")
          .status,
      200u);
  store::AlertRow a;
  a.id = new_uuid();
  a.kind = "protocol_blacklist";
  a.severity = "HIGH";
  a.first_seen_ms = a.last_seen_ms = wall_ms();
  h.writer->enqueue(store::Table::alerts, a.id, store::to_json(a));
  a.status = "resolved";
  a.last_seen_ms += 1000;
  a.resolved_at_ms = a.last_seen_ms;
  h.writer->enqueue(store::Table::alerts, a.id, store::to_json(a));  // an update in place
  store::ConfigRow cfg;
  cfg.id = new_uuid();
  h.writer->enqueue(store::Table::configs, cfg.id, store::to_json(cfg));
  store::MetricsRow m;
  m.id = new_uuid();
  h.writer->enqueue(store::Table::metrics, m.id, store::to_json(m));
  store::PacketRow p;
  p.id = new_uuid();
  p.src = "10.0.0.1";
  p.dst = "10.0.0.2";
  p.protocol = "TCP";
  p.ts_ms = wall_ms();
  h.writer->enqueue(store::Table::packets, p.id, store::to_json(p));
  ASSERT_TRUE(h.settled()) << h.writer->status().last_error;
  const auto st = h.writer->status();
  EXPECT_EQ(st.rows_rejected, 0u) << st.last_error;
  EXPECT_EQ(count(url, "select count(*) from network_alerts where status = 'resolved'"), 1);
  EXPECT_EQ(count(url, "select count(*) from network_configs"), 1);
  EXPECT_EQ(count(url, "select count(*) from network_metrics"), 1);
  EXPECT_EQ(count(url, "select count(*) from network_packets"), 1);
  EXPECT_EQ(count(url, "select count(*) from audit_log where action = 'login_success'"), 1);
  EXPECT_EQ(count(url, "select count(*) from sensors"), 1);
  EXPECT_EQ(count(url, "select count(*) from securenet.refresh_tokens"), 2);
  // The owner look-up and partition upkeep run through their functions.
  auto owner = store::find_user(*h.session, "");
  ASSERT_TRUE(owner) << owner.error().message;
  ASSERT_TRUE(owner->has_value());
  EXPECT_EQ((*owner)->id, u->id);
  // The RLS reads (as `authenticated` with the caller's claims).
  EXPECT_EQ(scalar(sensor_url,
                   "set local role authenticated; select set_config('request.jwt.claims', '" +
                       claims_for(u->id) + "', true); select count(*)::text from network_configs"),
            "1");

  // And what it must not do.
  for (const std::string sql : {
           "delete from network_configs",
           "update network_configs set traffic_threshold = 1",
           "delete from network_alerts",
           "update network_metrics set pps = 0",
           "delete from audit_log",
           "update audit_log set action = 'logout'",
           "select details from audit_log",
           "select pps from network_metrics",
           "select src from network_packets",
           "select count(*) from auth.users",
           "select encrypted_password from auth.users",
           "select securenet.add_user('x@example.com', 'password-123', 'admin')::text",
           "select securenet.set_user_role('owner@example.com', 'viewer')::text",
           "set role service_role",
           "create table public.evil (x int)",
           "drop table network_packets",
       }) {
    SCOPED_TRACE(sql);
    EXPECT_ANY_THROW(scalar(sensor_url, sql));
  }
  EXPECT_EQ(count(url, "select count(*) from network_configs"), 1);
}
