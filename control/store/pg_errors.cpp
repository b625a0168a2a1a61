#include "pg_errors.h"

#include <pqxx/except>

namespace securenet::store {

std::string sqlstate_of(const std::exception& e) {
  if (auto* s = dynamic_cast<const pqxx::sql_error*>(&e)) return s->sqlstate();
  return {};
}

// libpqxx 6.4 leaves sqlstate() empty for some error classes (e.g. 42501), so the
// exception type decides first and the SQLSTATE class only refines plain sql_errors.
PgErrorKind classify(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e)) return PgErrorKind::connection;
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e)) return PgErrorKind::connection;
  if (dynamic_cast<const pqxx::data_exception*>(&e)) return PgErrorKind::data;
  if (dynamic_cast<const pqxx::integrity_constraint_violation*>(&e)) return PgErrorKind::data;
  const auto* s = dynamic_cast<const pqxx::sql_error*>(&e);
  if (!s) return PgErrorKind::transient;
  const std::string st = s->sqlstate();
  const std::string cls = st.substr(0, 2);
  if (cls == "08" || cls == "57" || cls == "53" || cls == "58") return PgErrorKind::connection;
  if (cls == "22" || cls == "23") return PgErrorKind::data;
  return PgErrorKind::transient;  // 40 (retry), 42 (no table/privilege yet), 55, ...
}

}  // namespace securenet::store
