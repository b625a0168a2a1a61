// The writer's on-disk spool: one append-only file of length-prefixed, CRC-checked rows,
// fsync'd per appended batch, bounded in size, replayed in order and then truncated.
//
// File:   "SNSPOOL1" then records.
// Record: u32 payload_len | u32 crc32(payload) | payload
// Payload: u8 table | u16 id_len | id | json row          (little endian)
//
// A torn or corrupt tail (crash mid-write, bad CRC) is detected on open: the good prefix is
// kept, the rest is cut off and counted. Thread-safe (one mutex).
//
// Priorities (issue 14): packet samples and metric snapshots are "low", every other row
// (alerts and their updates, configs, sensors, audit) "high".
//  - When an append would pass max_bytes, the oldest packet rows are dropped first, then
//    metric rows except the first of each minute, then the other metric rows.
//  - The filesystem's free space (statvfs) is checked before each append: below
//    min_free_bytes, incoming packet rows are dropped, then metric rows beyond one a minute.
//  - A preallocated file <dir>/reserve (reserve_bytes) holds room for high rows: when a
//    write fails for lack of space, the low rows of the batch are dropped, and if that is
//    not enough the reserve is given up and the write retried. It is preallocated again
//    once the disk has room.
//  - High rows are never dropped here: when even the reserve is not enough, append() fails
//    (nothing of the batch is stored) and the caller keeps them in memory.
// Every dropped row is counted by table. degraded(): 1 (MEDIUM) while low rows are being
// dropped or the disk is below min_free_bytes, 2 (HIGH) while the reserve is in use or a
// high row could not be stored in the last minute.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "securenet/common/fd.h"
#include "securenet/result.h"
#include "tables.h"

namespace securenet::store {

struct SpoolRecord {
  Table table = Table::alerts;
  std::string id;
  std::string json;
};

struct SpoolOptions {
  std::string dir;                        // created if missing
  uint64_t max_bytes = 256ull << 20;      // bound on the file size
  uint64_t reserve_bytes = 1ull << 20;    // preallocated room for high-priority rows
  uint64_t min_free_bytes = 16ull << 20;  // low rows are not spooled below this free space
};

struct SpoolStats {
  uint64_t rows = 0;
  uint64_t bytes = 0;
  uint64_t packets_dropped = 0;        // dropped (bound or disk), = dropped[packets]
  uint64_t metrics_dropped = 0;        // = dropped[metrics]
  uint64_t dropped[kTableCount] = {};  // by table (high tables stay 0: kept by the caller)
  uint64_t high_failed = 0;            // high rows an append could not store (caller keeps them)
  uint64_t corrupt_bytes = 0;          // cut off a bad tail on open
  uint64_t disk_free_bytes = 0;        // at the last append or maintain()
  bool reserve_in_use = false;         // the reserve file was given up (or could not be made)
  int degraded = 0;                    // 0 ok, 1 MEDIUM, 2 HIGH (see above)
};

inline bool low_priority(Table t) { return t == Table::packets || t == Table::metrics; }

class Spool {
 public:
  static Result<std::unique_ptr<Spool>> open(const SpoolOptions& opts);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Appends the records with one write and one fdatasync, low rows subject to the bound
  // and the free space (dropped and counted). On error nothing was stored; the caller
  // keeps the high rows.
  Status append(const std::vector<SpoolRecord>& records);
  // Re-reads the free space and preallocates the reserve again when there is room;
  // cheap (one statvfs), called about once a second by the writer.
  void maintain();

  // A position in the file; `generation` changes whenever the file is rewritten or
  // truncated, which invalidates older cursors (the reader restarts from the beginning).
  struct Cursor {
    uint64_t generation = 0;
    uint64_t offset = 0;
  };
  Cursor begin() const;
  // Reads up to max_rows records from `at` into `out`; returns the cursor after them.
  Result<Cursor> read(Cursor at, size_t max_rows, std::vector<SpoolRecord>& out);
  // Truncates the spool if nothing was appended after `end`; returns whether it did.
  Result<bool> truncate_if_at_end(Cursor end);

  SpoolStats stats() const;
  bool empty() const { return rows_.load(std::memory_order_relaxed) == 0; }
  const std::string& path() const { return path_; }

 private:
  Spool(std::string path, Fd fd, const SpoolOptions& opts);
  Status scan_on_open();
  Status make_room(uint64_t incoming);
  Status rewrite(const std::vector<bool>& drop);
  uint64_t refresh_free();
  void make_reserve();
  bool give_up_reserve();
  void restore_reserve();  // preallocates the reserve again when the disk has room
  // The records to write (low ones thinned when the disk is low), encoded.
  std::string select_and_encode(const std::vector<SpoolRecord>& records, size_t& rows);
  Status write_at_end(const std::string& buf);
  void count_drop(const SpoolRecord& r);
  int degraded_locked() const;

  std::string path_, dir_;
  Fd fd_;
  uint64_t max_bytes_, reserve_bytes_, min_free_bytes_;
  bool reserve_in_use_ = false;
  uint64_t disk_free_ = 0;
  int64_t last_low_drop_s_ = -1000, last_high_fail_s_ = -1000;  // monotonic seconds
  std::string last_metric_minute_;  // "2026-11-25T19:00" of the newest kept metric row
  mutable std::mutex mu_;
  uint64_t size_ = 0;  // file size (header included)
  uint64_t generation_ = 1;
  std::atomic<uint64_t> rows_{0};
  SpoolStats counters_;
};

// Encodes one record (header + payload) onto `out`.
void encode_record(const SpoolRecord& r, std::string& out);

}  // namespace securenet::store
