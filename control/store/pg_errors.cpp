#include "pg_errors.h"

#include <pqxx/except>

namespace securenet::store {

std::string sqlstate_of(const std::exception& e) {
  if (auto* s = dynamic_cast<const pqxx::sql_error*>(&e)) return s->sqlstate();
  return {};
}

PgErrorKind classify(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e)) return PgErrorKind::connection;
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e)) return PgErrorKind::connection;
  const auto* s = dynamic_cast<const pqxx::sql_error*>(&e);
  if (!s) return PgErrorKind::connection;  // libpq-level failure without a server answer
  const std::string st = s->sqlstate();
  if (st.empty()) return PgErrorKind::connection;
  const std::string cls = st.substr(0, 2);
  if (cls == "08" || cls == "57" || cls == "53" || cls == "58" || cls == "XX")
    return PgErrorKind::connection;
  if (cls == "22" || cls == "23") return PgErrorKind::data;
  return PgErrorKind::transient;  // 40 (retry), 42 (no table/privilege yet), 55, ...
}

}  // namespace securenet::store
