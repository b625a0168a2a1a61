// The tables the writer fills and the one multi-row statement per table that it uses:
// json_populate_recordset over a JSON array of rows, idempotent by the sensor-generated id.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace securenet::store {

enum class Table : uint8_t {
  sensors = 0,
  configs = 1,
  alerts = 2,
  metrics = 3,
  packets = 4,
  audit = 5
};
inline constexpr int kTableCount = 6;

std::string_view table_name(Table t);
std::optional<Table> table_from_index(int i);

// $1 = JSON array of row objects, $2 = default user_id, $3 = default sensor_id (both uuid
// text, may be empty). Missing columns take the defaults; alerts and sensors update on
// conflict (newest last_seen wins), the others do nothing on conflict.
std::string_view upsert_sql(Table t);
// A statement run before upsert_sql in the same transaction with the same parameters
// (empty when none): alerts close a stale open row of the same key.
std::string_view pre_upsert_sql(Table t);

// Only alerts/sensors update in place, so a batch must hold one row per id for them.
bool table_updates_on_conflict(Table t);

}  // namespace securenet::store
