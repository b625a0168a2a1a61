#include "cli.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace securenet::control {

const char* usage_text() {
  return "usage: securenet-control [options]\n"
         "       securenet-control token --user UUID [--email E] [--role R] [--ttl SECONDS]\n"
         "                         [--jwt-secret-file F] [--state-dir D]\n"
         "options:\n"
         "  --instance NAME        read the segment /dev/shm/securenet-NAME (default: default)\n"
         "  --listen ADDR:PORT     HTTP address (default 127.0.0.1:8080; [::1]:8080 for IPv6)\n"
         "  --web-root DIR         dashboard files (default <repo>/web/dist when it exists)\n"
         "  --state-dir DIR        state folder: config.json, jwt-secret (default <repo>/.state)\n"
         "  --config FILE          security config file (default <state-dir>/config.json)\n"
         "  --tick-ms N            sampling period, 50..60000 (default 1000)\n"
         "  --jwt-secret-file F    HS256 secret (else env SECURENET_JWT_SECRET, else\n"
         "                         <state-dir>/jwt-secret, created on first start)\n"
         "  --jwks-file F          JWKS with ES256/RS256 public keys\n"
         "  --jwks-url URL         JWKS URL (fetched and cached)\n"
         "  --issuer ISS           expected token issuer (default: not checked)\n"
         "  --max-connections N    HTTP connection cap (default 1024)\n"
         "  --port-file F          write the bound port to F (use with --listen 127.0.0.1:0)\n"
         "  --db URL               PostgreSQL/Supabase URL (else env SECURENET_DATABASE_URL;\n"
         "                         neither: no database, /api/auth/* and */history answer 503)\n"
         "  --owner-email E        the user whose rows the sensor writes (default: the oldest\n"
         "                         user in auth.users; remembered in <state-dir>/owner-user-id)\n"
         "  --sensor-name NAME     name in the sensors table (default: the host name)\n"
         "  --metrics-every N      store one metrics snapshot every N seconds (default 10)\n"
         "  --access-ttl S         lifetime of the access tokens login/refresh mint (default 900)\n"
         "  --migrate              apply the database migrations at start\n"
         "  --help\n";
}

namespace {
template <typename T>
bool to_num(const std::string& s, T& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}
}  // namespace

Result<CliOptions> parse_cli(const std::vector<std::string>& args) {
  CliOptions o;
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
      o.migrate = true;
      continue;
    }
    if (i + 1 >= args.size()) return make_error(a + ": missing value (or unknown option)");
    const std::string& v = args[++i];
    bool ok = true;
    if (a == "--instance") o.instance = v;
    else if (a == "--listen") o.listen = v;
    else if (a == "--web-root") o.web_root = v;
    else if (a == "--state-dir") o.state_dir = v;
    else if (a == "--config") o.config_file = v;
    else if (a == "--tick-ms") ok = to_num(v, o.tick_ms) && o.tick_ms >= 50 && o.tick_ms <= 60000;
    else if (a == "--jwt-secret-file") o.jwt_secret_file = v;
    else if (a == "--jwks-file") o.jwks_file = v;
    else if (a == "--jwks-url") o.jwks_url = v;
    else if (a == "--issuer") o.issuer = v;
    else if (a == "--max-connections") ok = to_num(v, o.max_connections) && o.max_connections > 0;
    else if (a == "--port-file") o.port_file = v;
    else if (a == "--db") o.db_url = v;
    else if (a == "--owner-email") o.owner_email = v;
    else if (a == "--sensor-name") o.sensor_name = v;
    else if (a == "--metrics-every") ok = to_num(v, o.metrics_every_s) && o.metrics_every_s >= 1 && o.metrics_every_s <= 86400;
    else if (a == "--access-ttl") ok = to_num(v, o.access_ttl_s) && o.access_ttl_s >= 30 && o.access_ttl_s <= 86400;
    else if (a == "--user") o.user = v;
    else if (a == "--email") o.email = v;
    else if (a == "--role") o.role = v;
    else if (a == "--ttl") ok = to_num(v, o.ttl_s) && o.ttl_s > 0;
    else return make_error("unknown option " + a);
    if (!ok) return make_error(a + ": invalid value '" + v + "'");
  }
  for (char c : o.instance) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return make_error("--instance: use letters, digits, '-' and '_' only");
    }
  }
  if (o.state_dir.empty()) o.state_dir = SECURENET_DEFAULT_STATE_DIR;
  if (o.config_file.empty()) o.config_file = o.state_dir + "/config.json";
  if (o.web_root.empty() && std::filesystem::is_directory(SECURENET_DEFAULT_WEB_ROOT)) {
    o.web_root = SECURENET_DEFAULT_WEB_ROOT;
  }
  return o;
}

namespace {
std::string read_trimmed(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}
}  // namespace

Result<std::string> resolve_secret(const CliOptions& o, bool create) {
  if (!o.jwt_secret_file.empty()) {
    if (::access(o.jwt_secret_file.c_str(), R_OK) != 0) {
      return make_error("--jwt-secret-file: cannot read " + o.jwt_secret_file + ": " + std::strerror(errno), errno);
    }
    std::string s = read_trimmed(o.jwt_secret_file);
    if (s.empty()) return make_error("--jwt-secret-file: " + o.jwt_secret_file + " is empty");
    return s;
  }
  if (const char* env = std::getenv("SECURENET_JWT_SECRET"); env && *env) return std::string(env);
  std::string path = o.state_dir + "/jwt-secret";
  if (::access(path.c_str(), R_OK) == 0) return read_trimmed(path);
  if (!create || !o.jwks_file.empty() || !o.jwks_url.empty()) return std::string();
  std::error_code ec;
  std::filesystem::create_directories(o.state_dir, ec);
  std::random_device rd;
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string secret;
  for (int i = 0; i < 48; ++i) secret.push_back(kAlphabet[rd() % 62]);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return make_error("cannot create " + path + ": " + std::strerror(errno), errno);
  std::string line = secret + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) return make_error("cannot write " + path);
  return secret;
}

}  // namespace securenet::control
