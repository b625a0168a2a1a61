#include "db_config.h"

#include <cstdlib>
#include <regex>

namespace securenet::store {

bool url_is_transaction_pooler(const std::string& url) {
  static const std::regex uri_port(R"(@[^/?]*:6543([/?]|$))");
  static const std::regex kv_port(R"((^|\s)port\s*=\s*6543(\s|$))");
  return std::regex_search(url, uri_port) || std::regex_search(url, kv_port);
}

DbConfig db_config_from(const std::string& url) {
  DbConfig cfg;
  cfg.url = url;
  if (cfg.url.empty()) {
    if (const char* env = std::getenv("SECURENET_DATABASE_URL")) cfg.url = env;
  }
  cfg.transaction_pooler = url_is_transaction_pooler(cfg.url);
  return cfg;
}

static bool is_uri(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

std::string effective_url(const DbConfig& cfg) {
  std::string url = cfg.url;
  const bool uri = is_uri(url);
  auto add = [&](const char* key, const std::string& value) {
    if (url.find(key) != std::string::npos) return;
    if (uri) {
      url += (url.find('?') == std::string::npos ? '?' : '&');
      url += std::string(key) + "=" + value;
    } else {
      url += " " + std::string(key) + "=" + value;
    }
  };
  add("connect_timeout", std::to_string(cfg.connect_timeout_s));
  add("application_name", "securenet");
  return url;
}

std::string redact_url(const std::string& url) {
  static const std::regex uri_pw(R"(^(postgres(ql)?://[^:/@]+:)[^@]*@)");
  static const std::regex kv_pw(R"(password\s*=\s*\S+)");
  std::string out = std::regex_replace(url, uri_pw, "$1***@");
  return std::regex_replace(out, kv_pw, "password=***");
}

}  // namespace securenet::store
