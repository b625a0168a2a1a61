// Batched, idempotent writes of sensor rows to PostgreSQL from one dedicated thread.
//
// Producers call enqueue(), which never waits on the database: rows go to a bounded
// in-memory queue; when it is full they are spilled (with the queue's contents, keeping
// order) to the on-disk spool. The thread writes once per flush interval or per
// batch_rows rows, one multi-row statement per table. While the database is unreachable,
// or a statement fails with a connection error, rows go to the spool; once connected,
// the spool is replayed in order and truncated. Ids come from the sensor, so a replay
// never writes a row twice. When the spool cannot store a batch (its disk is full even
// after giving up its reserve), the batch's high-priority rows (alerts, configs, sensors)
// are held in memory (up to held_capacity rows) and offered again first, to the spool or
// the database, every cycle; packet and metric rows are what the spool drops (counted).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <string>
#include <thread>
#include <vector>

#include "db_config.h"
#include "rows.h"
#include "securenet/result.h"
#include "spool.h"
#include "tables.h"

namespace securenet::store {

struct WriterOptions {
  DbConfig db;
  std::string owner_user_id;  // user_id for rows that carry none
  std::string sensor_id;      // sensor_id for rows that carry none (may be empty)
  SensorInfo sensor;          // registered in `sensors` at start when sensor_id is set
  SpoolOptions spool;         // spool.dir is required
  size_t queue_capacity = 65536;
  size_t batch_rows = 1000;      // flush early at this many queued rows
  size_t statement_rows = 5000;  // rows per INSERT statement at most
  std::chrono::milliseconds flush_interval{1000};
  std::chrono::milliseconds backoff_min{200};
  std::chrono::milliseconds backoff_max{30000};
  double packet_rows_per_s = 1000;  // cap; 0 = store no packet rows
  std::chrono::minutes partition_maintenance{60};
  size_t held_capacity = 1000000;  // high rows kept in memory while the spool cannot take them
  // sensors.last_heartbeat is refreshed this often while connected (the fleet view's
  // up/stale: API.md "Sensors").
  std::chrono::milliseconds heartbeat_every{15000};
};

enum class DbState { disabled, disconnected, connected };
const char* db_state_name(DbState s);

struct WriterStatus {
  DbState state = DbState::disabled;
  uint64_t queue_depth = 0;  // queued + being written (0 = everything settled)
  uint64_t spool_rows = 0, spool_bytes = 0;
  uint64_t rows_written = 0;   // rows the database accepted (incl. no-op replays)
  uint64_t batches = 0;        // statements that succeeded
  uint64_t errors = 0;         // failed statements / connection attempts
  uint64_t rows_rejected = 0;  // rows the database refused as invalid (logged)
  uint64_t rows_spilled = 0;   // rows that went through the spool
  uint64_t packets_rate_limited = 0;
  uint64_t spool_packets_dropped = 0, spool_metrics_dropped = 0, spool_corrupt_bytes = 0;
  uint64_t spool_dropped[kTableCount] = {};  // by table
  uint64_t held_rows = 0;                    // high rows in memory that the spool could not take
  uint64_t held_lost = 0;                    // high rows lost: held_capacity exceeded (logged)
  uint64_t disk_free_bytes = 0;
  bool reserve_in_use = false;
  int spool_degraded = 0;  // 0 ok, 1 MEDIUM, 2 HIGH (high rows held or reserve used)
  std::string last_error;
};

// {"state":"connected","spool_backlog":N,...} for /api/status's "database" object.
std::string status_json(const WriterStatus& s);

class Writer {
 public:
  static Result<std::unique_ptr<Writer>> start(WriterOptions opts);
  ~Writer();  // stop(): everything queued ends in the database or the spool
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Never waits on the database. Returns false only when a packet row is over the rate cap
  // (counted) or the spill to disk failed (counted as an error and logged).
  bool enqueue(Table t, std::string id, std::string json_row);

  WriterStatus status() const;
  void wake();  // flush now
  void stop();

 private:
  explicit Writer(WriterOptions opts);
  void run();
  void cycle(std::vector<SpoolRecord>& batch, bool final);
  void drain(std::vector<SpoolRecord>& out);
  bool spill(std::vector<SpoolRecord>& rows);
  bool packet_allowed();
  void try_connect();
  bool owner_exists();
  void disconnect(const std::string& why);
  void maintain_partitions();
  // Writes rows grouped by table; returns false after a connection/transient error, with
  // the rows not known to be written left in `rows`.
  bool write_rows(std::vector<SpoolRecord>& rows);
  // One statement; on a data error bisects to find and reject the bad rows.
  enum class Outcome { ok, retry_later };
  Outcome write_table(Table t, const std::vector<const SpoolRecord*>& rows, size_t lo, size_t hi);
  void replay();
  void note_error(const std::string& what);

  WriterOptions opts_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<pqxx::connection> conn_;

  mutable std::mutex q_mu_;
  std::condition_variable q_cv_;
  std::deque<SpoolRecord> queue_;
  std::atomic<uint64_t> in_flight_{0};  // drained, not yet written or spooled
  std::mutex spill_mu_;                 // orders spills and the writer's own spooling
  std::deque<SpoolRecord> held_;        // high rows the spool could not take (under spill_mu_)
  std::atomic<uint64_t> held_count_{0}, held_lost_{0};
  std::atomic<bool> stop_{false};

  std::atomic<uint64_t> rate_window_{0}, rate_count_{0};
  std::chrono::steady_clock::time_point next_connect_{};
  std::chrono::milliseconds backoff_;
  std::chrono::steady_clock::time_point next_maintenance_{};
  std::chrono::steady_clock::time_point next_heartbeat_{};
  void heartbeat();
  Spool::Cursor replay_cursor_{};

  std::atomic<DbState> state_{DbState::disconnected};
  std::atomic<uint64_t> rows_written_{0}, batches_{0}, errors_{0}, rows_rejected_{0},
      rows_spilled_{0}, packets_rate_limited_{0};
  mutable std::mutex err_mu_;
  std::string last_error_;
  std::thread thread_;
};

}  // namespace securenet::store
