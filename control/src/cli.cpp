#include "cli.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "securenet/common/fd.h"

namespace securenet::control {

const char* usage_text() {
  return "usage: securenet-control [options]\n"
         "       securenet-control token --user UUID [--email E] [--role R] [--ttl SECONDS]\n"
         "                         [--app-role viewer|operator|admin]\n"
         "                         [--jwt-secret-file F] [--state-dir D]\n"
         "options:\n"
         "  --instance NAME        read the segment /dev/shm/securenet-NAME (default: default)\n"
         "  --listen ADDR:PORT     HTTP address (default 127.0.0.1:8080; [::1]:8080 for IPv6)\n"
         "  --web-root DIR         dashboard files (default <repo>/web/dist when it exists)\n"
         "  --state-dir DIR        state folder: config.json, jwt-secret (default <repo>/.state)\n"
         "  --config FILE          security config file (default <state-dir>/config.json)\n"
         "  --notify-config FILE   notification channels: webhooks, syslog, notify_script\n"
         "                         (default <state-dir>/notify.json when it exists)\n"
         "  --tick-ms N            sampling period, 50..60000 (default 1000)\n"
         "  --capture-packets N    attack capture: first N packets of an alert's host,\n"
         "                         0..65536 (default 2000; 0 = no capture)\n"
         "  --capture-window-ms N  ... or N ms, whichever ends first, 100..600000 (default 10000)\n"
         "  --capture-cap-mb N     size cap of <state-dir>/captures, oldest evicted first,\n"
         "                         1..1048576 (default 256)\n"
         "  --jwt-secret-file F    HS256 secret (else env SECURENET_JWT_SECRET, else\n"
         "                         <state-dir>/jwt-secret, created on first start)\n"
         "  --jwks-file F          JWKS with ES256/RS256 public keys\n"
         "  --jwks-url URL         JWKS URL (fetched and cached)\n"
         "  --issuer ISS           expected token issuer (default: not checked)\n"
         "  --max-connections N    HTTP connection cap (default 1024)\n"
         "  --max-connections-per-address N\n"
         "                         connections from one client address (default 64)\n"
         "  --tls-cert F --tls-key F  serve HTTPS (TLS 1.2+) with this PEM certificate chain\n"
         "                         and key; reloaded on SIGHUP\n"
         "  --insecure-http        allow plain HTTP on a non-loopback --listen address\n"
         "  --server-name NAME     a host name clients use for this sensor (Host check;\n"
         "                         repeatable; IP addresses and localhost always pass)\n"
         "  --allowed-origin O     an extra Origin allowed to call the API, e.g.\n"
         "                         https://dash.example (repeatable)\n"
         "  --port-file F          write the bound port to F (use with --listen 127.0.0.1:0)\n"
         "  --db URL               PostgreSQL/Supabase URL (else env SECURENET_DATABASE_URL;\n"
         "                         neither: no database, /api/auth/* and */history answer 503)\n"
         "  --owner-email E        the user whose rows the sensor writes (default: the oldest\n"
         "                         user in auth.users; remembered in <state-dir>/owner-user-id)\n"
         "  --sensor-name NAME     name in the sensors table (default: the host name)\n"
         "  --metrics-every N      store one metrics snapshot every N seconds (default 10)\n"
         "  --heartbeat-every N    refresh sensors.last_heartbeat every N seconds (default 15)\n"
         "  --access-ttl S         lifetime of the access tokens login/refresh mint (default 900)\n"
         "  --migrate              apply the database migrations at start\n"
         "  --block-config F       BGP blocking through gobgp (JSON; README \"Responding to\n"
         "                         attacks\"); off without it\n"
         "  --max-upload-mb N      largest capture POST /api/analyze takes, 1..4096 (default 64)\n"
         "  --analyze-timeout-s N  wall-clock limit of one analysis, 1..3600 (default 60)\n"
         "  --analyze-bin F        the securenet-analyze to run (default: the one beside this\n"
         "                         executable, else the build tree's)\n"
         "  --help\n";
}

namespace {
template <typename T>
bool to_num(const std::string& s, T& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// ADDR:PORT, [V6]:PORT.
bool split_listen(const std::string& s, std::string& addr, uint16_t& port) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  addr = s.substr(0, colon);
  if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']')
    addr = addr.substr(1, addr.size() - 2);
  unsigned p = 0;
  if (!to_num(s.substr(colon + 1), p) || p > 65535) return false;
  port = static_cast<uint16_t>(p);
  return true;
}

bool is_loopback(const std::string& addr) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(addr, ec);
  return !ec && a.is_loopback();
}

// Options of the server and of the token subcommand alike; false when `a` is none of them.
bool control_option(const std::string& a, const std::string& v, CliOptions& o,
                    std::string& instance, std::string& config_file, bool& ok) {
  unsigned tick_ms = 0;
  if (a == "--instance")
    instance = v;
  else if (a == "--listen")
    o.listen = v;
  else if (a == "--web-root")
    o.web_root = v;
  else if (a == "--state-dir")
    o.state_dir = v;
  else if (a == "--config")
    config_file = v;
  else if (a == "--tick-ms") {
    ok = to_num(v, tick_ms) && tick_ms >= 50 && tick_ms <= 60000;
    o.app.tick = std::chrono::milliseconds(tick_ms);
  } else if (a == "--capture-packets") {
    ok = to_num(v, o.app.capture.max_packets) && o.app.capture.max_packets <= 65536;
  } else if (a == "--capture-window-ms") {
    ok = to_num(v, o.app.capture.window_ms) && o.app.capture.window_ms >= 100 &&
         o.app.capture.window_ms <= 600000;
  } else if (a == "--capture-cap-mb") {
    uint64_t mb = 0;
    ok = to_num(v, mb) && mb >= 1 && mb <= 1048576;
    o.app.capture.cap_bytes = mb << 20;
  } else if (a == "--jwt-secret-file")
    o.jwt_secret_file = v;
  else if (a == "--jwks-file")
    o.auth.jwks_file = v;
  else if (a == "--jwks-url")
    o.auth.jwks_url = v;
  else if (a == "--issuer")
    o.auth.issuer = v;
  else if (a == "--max-connections")
    ok = to_num(v, o.server.max_connections) && o.server.max_connections > 0;
  else if (a == "--max-connections-per-address")
    ok =
        to_num(v, o.server.max_connections_per_address) && o.server.max_connections_per_address > 0;
  else if (a == "--server-name")
    o.http.server_names.push_back(v);
  else if (a == "--allowed-origin")
    o.http.allowed_origins.push_back(v);
  else if (a == "--tls-cert")
    o.tls_cert = v;
  else if (a == "--tls-key")
    o.tls_key = v;
  else if (a == "--port-file")
    o.port_file = v;
  else if (a == "--db")
    o.persist.db_url = v;
  else if (a == "--owner-email")
    o.persist.owner_email = v;
  else if (a == "--sensor-name")
    o.persist.sensor_name = v;
  else if (a == "--metrics-every")
    ok = to_num(v, o.persist.metrics_every_s) && o.persist.metrics_every_s >= 1 &&
         o.persist.metrics_every_s <= 86400;
  else if (a == "--heartbeat-every")
    ok = to_num(v, o.persist.heartbeat_every_s) && o.persist.heartbeat_every_s >= 1 &&
         o.persist.heartbeat_every_s <= 3600;
  else if (a == "--block-config")
    o.block_config = v;
  else if (a == "--notify-config") {
    o.notify_config = v;
    o.notify_config_given = true;
  } else if (a == "--access-ttl")
    ok = to_num(v, o.access_ttl_s) && o.access_ttl_s >= 30 && o.access_ttl_s <= 86400;
  else
    return false;
  return true;
}

// POST /api/analyze's limits and tool (analyze/capture_analysis.h).
bool analyze_option(const std::string& a, const std::string& v, CliOptions& o, bool& ok) {
  if (a == "--analyze-bin") {
    o.analysis.tool = v;
  } else if (a == "--max-upload-mb") {
    size_t mb = 0;
    ok = to_num(v, mb) && mb >= 1 && mb <= 4096;
    o.analysis.max_upload = mb << 20;
  } else if (a == "--analyze-timeout-s") {
    unsigned s = 0;
    ok = to_num(v, s) && s >= 1 && s <= 3600;
    o.analysis.timeout = std::chrono::seconds(s);
  } else {
    return false;
  }
  return true;
}
}  // namespace

Result<CliOptions> parse_cli(const std::vector<std::string>& args) {
  CliOptions o;
  std::string instance = "default", config_file;
  bool insecure_http = false;
  size_t i = 0;
  if (!args.empty() && args[0] == "token") {
    o.token = true;
    i = 1;
  }
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      o.help = true;
      continue;
    }
    if (a == "--migrate") {
      o.persist.migrate = true;
      continue;
    }
    if (a == "--insecure-http") {
      insecure_http = true;
      continue;
    }
    if (i + 1 >= args.size()) return make_error(a + ": missing value (or unknown option)");
    const std::string& v = args[++i];
    bool ok = true;
    if (control_option(a, v, o, instance, config_file, ok) || analyze_option(a, v, o, ok)) {
    } else if (a == "--app-role" && !(v == "viewer" || v == "operator" || v == "admin")) {
      ok = false;
    } else if (a == "--user" || a == "--email" || a == "--role" || a == "--app-role" ||
               a == "--ttl") {
      ok = auth::parse_token_option(a, v, o.token_request).ok();
    } else {
      return make_error("unknown option " + a);
    }
    if (!ok) return make_error(a + ": invalid value '" + v + "'");
  }
  for (char c : instance) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return make_error("--instance: use letters, digits, '-' and '_' only");
    }
  }
  if (o.tls_cert.empty() != o.tls_key.empty())
    return make_error("--tls-cert and --tls-key go together");
  if (o.state_dir.empty()) o.state_dir = SECURENET_DEFAULT_STATE_DIR;
  if (o.web_root.empty() && std::filesystem::is_directory(SECURENET_DEFAULT_WEB_ROOT)) {
    o.web_root = SECURENET_DEFAULT_WEB_ROOT;
  }
  o.app.shm_name = "securenet-" + instance;
  o.app.config_path = config_file.empty() ? o.state_dir + "/config.json" : config_file;
  o.app.baseline_path = o.state_dir + "/baselines.json";
  o.persist.state_dir = o.state_dir;
  if (o.notify_config.empty()) o.notify_config = o.state_dir + "/notify.json";
  o.app.capture.dir = o.state_dir + "/captures";
  o.analysis.work_dir = o.state_dir;
  o.token_request.mint.issuer = o.auth.issuer;
  o.token_request.secret_file = o.jwt_secret_file;
  o.token_request.default_secret_file = o.state_dir + "/jwt-secret";
  if (o.token) return o;

  o.auth.jwks_background = true;  // requests never wait on the JWKS server (one event loop)
  o.http.tls = !o.tls_cert.empty();
  o.server.access_log = true;
  if (!split_listen(o.listen, o.server.address, o.server.port))
    return make_error("--listen: expected ADDR:PORT");
  if (!o.http.tls && !is_loopback(o.server.address)) {
    if (!insecure_http) {
      return make_error("--listen " + o.listen +
                        " is not a loopback address: serve HTTPS (--tls-cert F --tls-key F, "
                        "or scripts/sensor.sh --tls) or accept plain HTTP with --insecure-http");
    }
    std::fprintf(stderr,
                 "securenet-control: WARNING: plain HTTP on %s (--insecure-http): tokens and "
                 "passwords cross "
                 "the network unencrypted\n",
                 o.listen.c_str());
  }
  return o;
}

Result<std::string> resolve_secret(const CliOptions& o, bool create) {
  if (!o.jwt_secret_file.empty()) {
    auto s = auth::read_secret_file(o.jwt_secret_file);
    if (!s) return make_error("--jwt-secret-file: " + s.error().message, s.error().err);
    if (s->empty()) return make_error("--jwt-secret-file: " + o.jwt_secret_file + " is empty");
    return s;
  }
  if (const char* env = std::getenv("SECURENET_JWT_SECRET"); env && *env) return std::string(env);
  std::string path = o.state_dir + "/jwt-secret";
  if (auto s = auth::read_secret_file(path)) return s;
  if (!create || !o.auth.jwks_file.empty() || !o.auth.jwks_url.empty()) return std::string();
  std::error_code ec;
  std::filesystem::create_directories(o.state_dir, ec);
  std::random_device rd;
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string secret;
  for (int i = 0; i < 48; ++i) secret.push_back(kAlphabet[rd() % 62]);
  const Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return make_error("cannot create " + path + ": " + std::strerror(errno), errno);
  const std::string line = secret + "\n";
  const bool ok = ::write(fd.get(), line.data(), line.size()) == static_cast<ssize_t>(line.size());
  if (!ok) return make_error("cannot write " + path);
  return secret;
}

}  // namespace securenet::control
