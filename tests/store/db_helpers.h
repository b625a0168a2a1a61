// Small SQL helpers for the store tests (as the cluster superuser).
#pragma once

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction>
#include <string>

namespace securenet::testing {

inline std::string scalar(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  auto r = tx.exec(sql);
  tx.commit();
  return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
}

inline long count(const std::string& url, const std::string& sql) {
  return std::stol(scalar(url, sql));
}

// The same database URL logging in as `role` (the URL ends with "user=<superuser>").
inline std::string url_as(const std::string& url, const std::string& role) {
  return url.substr(0, url.rfind("user=")) + "user=" + role;
}

inline std::string claims_for(const std::string& user_id) {
  return "{\"sub\":\"" + user_id + "\",\"role\":\"authenticated\",\"aud\":\"authenticated\"}";
}

}  // namespace securenet::testing
