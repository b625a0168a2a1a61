// Classifies libpqxx exceptions for the writer: is it worth retrying later (connection
// lost, server starting/stopping, schema not there yet) or is this row bad?
#pragma once

#include <exception>
#include <string>

namespace securenet::store {

enum class PgErrorKind {
  connection,  // lost/unreachable/shutting down/commit in doubt: reconnect, spool, retry
  transient,   // serialization failure, lock timeout, missing table/privilege: retry later
  data,        // this row set is bad (invalid value, constraint): bisect, reject bad rows
};

PgErrorKind classify(const std::exception& e);
std::string sqlstate_of(const std::exception& e);

}  // namespace securenet::store
