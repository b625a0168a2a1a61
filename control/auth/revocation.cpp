#include "revocation.h"

#include <simdjson.h>

namespace securenet::auth {

void RevocationList::expire(int64_t now_s) {
  while (!by_exp_.empty() && by_exp_.begin()->first < now_s) {
    exp_by_jti_.erase(by_exp_.begin()->second);
    by_exp_.erase(by_exp_.begin());
  }
}

void RevocationList::revoke(std::string_view jti, int64_t exp_s, int64_t now_s) {
  if (jti.empty() || capacity_ == 0) return;
  std::lock_guard lk(mu_);
  expire(now_s);
  std::string key(jti);
  if (auto it = exp_by_jti_.find(key); it != exp_by_jti_.end()) {
    if (it->second >= exp_s) return;
    auto range = by_exp_.equal_range(it->second);
    for (auto r = range.first; r != range.second; ++r) {
      if (r->second == key) {
        by_exp_.erase(r);
        break;
      }
    }
    exp_by_jti_.erase(it);
  }
  while (exp_by_jti_.size() >= capacity_) {
    exp_by_jti_.erase(by_exp_.begin()->second);
    by_exp_.erase(by_exp_.begin());
  }
  exp_by_jti_.emplace(key, exp_s);
  by_exp_.emplace(exp_s, std::move(key));
}

bool RevocationList::is_revoked(std::string_view jti, int64_t now_s) const {
  if (jti.empty()) return false;
  std::lock_guard lk(mu_);
  auto it = exp_by_jti_.find(std::string(jti));
  return it != exp_by_jti_.end() && it->second >= now_s;
}

size_t RevocationList::size() const {
  std::lock_guard lk(mu_);
  return exp_by_jti_.size();
}

namespace {
std::string string_claim(std::string_view json, const char* name) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::object obj;
  if (parser.parse(padded).get(obj) != simdjson::SUCCESS) return "";
  std::string_view v;
  if (obj[name].get_string().get(v) != simdjson::SUCCESS) return "";
  return std::string(v);
}
}  // namespace

std::string jti_of(std::string_view claims_json) { return string_claim(claims_json, "jti"); }
std::string session_id_of(std::string_view claims_json) {
  return string_claim(claims_json, "session_id");
}

}  // namespace securenet::auth
