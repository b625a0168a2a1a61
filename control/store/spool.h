// The writer's on-disk spool: one append-only file of length-prefixed, CRC-checked rows,
// fsync'd per appended batch, bounded in size, replayed in order and then truncated.
//
// File:   "SNSPOOL1" then records.
// Record: u32 payload_len | u32 crc32(payload) | payload
// Payload: u8 table | u16 id_len | id | json row          (little endian)
//
// A torn or corrupt tail (crash mid-write, bad CRC) is detected on open: the good prefix is
// kept, the rest is cut off and counted. When an append would pass max_bytes, the oldest
// packet rows are dropped first (counted), then the oldest metric rows; alerts, configs
// and sensors are never dropped. Thread-safe (one mutex).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "securenet/result.h"
#include "tables.h"

namespace securenet::store {

struct SpoolRecord {
  Table table = Table::alerts;
  std::string id;
  std::string json;
};

struct SpoolOptions {
  std::string dir;                      // created if missing
  uint64_t max_bytes = 256ull << 20;    // bound on the file size
};

struct SpoolStats {
  uint64_t rows = 0;
  uint64_t bytes = 0;
  uint64_t packets_dropped = 0;   // dropped to keep within max_bytes
  uint64_t metrics_dropped = 0;
  uint64_t corrupt_bytes = 0;     // cut off a bad tail on open
};

class Spool {
 public:
  static Result<std::unique_ptr<Spool>> open(const SpoolOptions& opts);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Appends all records with one write and one fdatasync.
  Status append(const std::vector<SpoolRecord>& records);

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
  Spool(std::string path, int fd, uint64_t max_bytes);
  Status scan_on_open();
  Status make_room(uint64_t incoming);
  Status rewrite(const std::vector<bool>& drop);

  std::string path_;
  int fd_ = -1;
  uint64_t max_bytes_;
  mutable std::mutex mu_;
  uint64_t size_ = 0;  // file size (header included)
  uint64_t generation_ = 1;
  std::atomic<uint64_t> rows_{0};
  SpoolStats counters_;
};

// Encodes one record (header + payload) onto `out`.
void encode_record(const SpoolRecord& r, std::string& out);

}  // namespace securenet::store
