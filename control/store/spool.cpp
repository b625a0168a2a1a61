#include "spool.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "crc32.h"
#include "securenet/common/clock.h"

namespace securenet::store {

namespace {

constexpr char kMagic[8] = {'S', 'N', 'S', 'P', 'O', 'O', 'L', '1'};
constexpr uint64_t kHeader = sizeof(kMagic);
constexpr uint32_t kMaxPayload = 64u << 20;

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(uint8_t(p[i])) << (8 * i);
  return v;
}

Error sys_error(const std::string& what, const std::string& path) {
  int e = errno;
  return make_error(what + " " + path + ": " + std::strerror(e), e);
}

Status write_all(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return sys_error("cannot write spool", path);
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Ok{};
}

// Buffered sequential reader of records, starting at an offset.
class RecordReader {
 public:
  RecordReader(int fd, uint64_t offset, uint64_t end) : fd_(fd), off_(offset), end_(end) {}
  enum class Next { record, end, bad };

  // On `record`, fills table/id/json and advances; `offset()` is then after the record.
  Next next(SpoolRecord& rec) {
    if (off_ == end_) return Next::end;
    if (end_ - off_ < 8 || !fill(8)) return Next::bad;
    const uint32_t len = get_u32(buf_.data() + pos_);
    const uint32_t crc = get_u32(buf_.data() + pos_ + 4);
    if (len < 3 || len > kMaxPayload || end_ - off_ < 8ull + len || !fill(8 + len))
      return Next::bad;
    const char* p = buf_.data() + pos_ + 8;
    if (crc32(p, len) != crc) return Next::bad;
    const auto table = table_from_index(uint8_t(p[0]));
    const uint32_t id_len = uint32_t(uint8_t(p[1])) | (uint32_t(uint8_t(p[2])) << 8);
    if (!table || 3ull + id_len > len) return Next::bad;
    rec.table = *table;
    rec.id.assign(p + 3, id_len);
    rec.json.assign(p + 3 + id_len, len - 3 - id_len);
    pos_ += 8 + len;
    off_ += 8 + len;
    return Next::record;
  }
  uint64_t offset() const { return off_; }

 private:
  // Makes `n` bytes available at buf_[pos_..].
  bool fill(size_t n) {
    if (buf_.size() - pos_ >= n) return true;
    buf_.erase(0, pos_);
    pos_ = 0;
    const size_t want = std::max<size_t>(n, 1 << 20);
    const uint64_t file_off = off_ + buf_.size();
    size_t old = buf_.size();
    buf_.resize(old + want);
    ssize_t r;
    do r = ::pread(fd_, buf_.data() + old, want, static_cast<off_t>(file_off));
    while (r < 0 && errno == EINTR);
    buf_.resize(old + (r > 0 ? static_cast<size_t>(r) : 0));
    return buf_.size() >= n;
  }

  int fd_;
  uint64_t off_, end_;
  std::string buf_;
  size_t pos_ = 0;
};

bool no_space(const Status& st) {
  return !st && (st.error().err == ENOSPC || st.error().err == EDQUOT);
}

// The minute of a metric row's "ts" ("2026-11-25T19:00"), or "" when it has none.
std::string metric_minute(const std::string& json) {
  const auto at = json.find("\"ts\":\"");
  if (at == std::string::npos || json.size() < at + 6 + 16) return "";
  return json.substr(at + 6, 16);
}

}  // namespace

void encode_record(const SpoolRecord& r, std::string& out) {
  const size_t id_len = std::min<size_t>(r.id.size(), 0xFFFF);
  std::string payload;
  payload.reserve(3 + id_len + r.json.size());
  payload.push_back(static_cast<char>(r.table));
  payload.push_back(static_cast<char>(id_len & 0xFF));
  payload.push_back(static_cast<char>(id_len >> 8));
  payload.append(r.id, 0, id_len);
  payload.append(r.json);
  put_u32(out, static_cast<uint32_t>(payload.size()));
  put_u32(out, crc32(payload.data(), payload.size()));
  out.append(payload);
}

Spool::Spool(std::string path, Fd fd, const SpoolOptions& opts)
    : path_(std::move(path)),
      dir_(opts.dir),
      fd_(std::move(fd)),
      max_bytes_(opts.max_bytes),
      reserve_bytes_(opts.reserve_bytes),
      min_free_bytes_(opts.min_free_bytes) {}

Spool::~Spool() = default;

Result<std::unique_ptr<Spool>> Spool::open(const SpoolOptions& opts) {
  std::error_code ec;
  std::filesystem::create_directories(opts.dir, ec);
  if (ec) return make_error("cannot create spool dir " + opts.dir + ": " + ec.message());
  std::string path = opts.dir + "/writer.spool";
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return sys_error("cannot open spool", path);
  std::unique_ptr<Spool> s(new Spool(path, std::move(fd), opts));
  if (auto st = s->scan_on_open(); !st) return st.error();
  std::lock_guard lk(s->mu_);
  s->make_reserve();
  s->refresh_free();
  return s;
}

// Validates every record; keeps the good prefix and cuts off a torn or corrupt tail.
Status Spool::scan_on_open() {
  const off_t end = ::lseek(fd_.get(), 0, SEEK_END);
  if (end < 0) return sys_error("cannot seek spool", path_);
  char magic[kHeader] = {};
  if (end < static_cast<off_t>(kHeader) ||
      ::pread(fd_.get(), magic, kHeader, 0) != static_cast<ssize_t>(kHeader) ||
      std::memcmp(magic, kMagic, kHeader) != 0) {
    // New file, or one too short to hold the header, or not a spool: start afresh.
    if (end > 0) counters_.corrupt_bytes += static_cast<uint64_t>(end);
    if (::ftruncate(fd_.get(), 0) != 0) return sys_error("cannot truncate spool", path_);
    if (::pwrite(fd_.get(), kMagic, kHeader, 0) != static_cast<ssize_t>(kHeader))
      return sys_error("cannot write spool header", path_);
    if (::fdatasync(fd_.get()) != 0) return sys_error("cannot fsync spool", path_);
    size_ = kHeader;
    return Ok{};
  }
  RecordReader rd(fd_.get(), kHeader, static_cast<uint64_t>(end));
  SpoolRecord rec;
  uint64_t rows = 0;
  RecordReader::Next n;
  while ((n = rd.next(rec)) == RecordReader::Next::record) ++rows;
  size_ = rd.offset();
  if (size_ < static_cast<uint64_t>(end)) {
    counters_.corrupt_bytes += static_cast<uint64_t>(end) - size_;
    if (::ftruncate(fd_.get(), static_cast<off_t>(size_)) != 0 || ::fdatasync(fd_.get()) != 0)
      return sys_error("cannot cut corrupt spool tail", path_);
  }
  rows_ = rows;
  return Ok{};
}

uint64_t Spool::refresh_free() {
  struct statvfs vfs {};
  if (::statvfs(dir_.c_str(), &vfs) == 0) disk_free_ = uint64_t(vfs.f_bavail) * vfs.f_frsize;
  return disk_free_;
}

// <dir>/reserve, reserve_bytes preallocated (blocks really taken, not a sparse file).
void Spool::make_reserve() {
  if (reserve_bytes_ == 0) return;
  const std::string path = dir_ + "/reserve";
  bool ok = false;
  {
    const Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    ok = fd && ::posix_fallocate(fd.get(), 0, static_cast<off_t>(reserve_bytes_)) == 0;
  }
  if (!ok) ::unlink(path.c_str());
  reserve_in_use_ = !ok;
}

bool Spool::give_up_reserve() {
  if (reserve_in_use_ || reserve_bytes_ == 0) return false;
  ::unlink((dir_ + "/reserve").c_str());
  reserve_in_use_ = true;
  return true;
}

void Spool::maintain() {
  std::lock_guard lk(mu_);
  restore_reserve();
}

void Spool::restore_reserve() {
  refresh_free();
  if (reserve_in_use_ && disk_free_ >= reserve_bytes_ + min_free_bytes_) {
    make_reserve();
    refresh_free();
  }
}

void Spool::count_drop(const SpoolRecord& r) {
  ++counters_.dropped[static_cast<int>(r.table)];
  last_low_drop_s_ = mono_s();
}

std::string Spool::select_and_encode(const std::vector<SpoolRecord>& records, size_t& rows) {
  std::string buf;
  rows = 0;
  size_t low_bytes = 0;
  for (const auto& r : records)
    if (low_priority(r.table)) low_bytes += r.json.size() + r.id.size() + 11;
  // Below the free-space floor: packets go first, then metric rows beyond one a minute.
  const bool disk_low = disk_free_ < min_free_bytes_ + low_bytes;
  for (const auto& r : records) {
    if (low_priority(r.table)) {
      bool keep = !(disk_low && r.table == Table::packets);
      if (keep && r.table == Table::metrics) {
        const std::string minute = metric_minute(r.json);
        keep = !disk_low || minute.empty() || minute != last_metric_minute_;
        if (keep && !minute.empty()) last_metric_minute_ = minute;
      }
      if (!keep) {
        count_drop(r);
        continue;
      }
    }
    encode_record(r, buf);
    ++rows;
  }
  return buf;
}

Status Spool::write_at_end(const std::string& buf) {
  if (::lseek(fd_.get(), static_cast<off_t>(size_), SEEK_SET) < 0)
    return sys_error("cannot seek spool", path_);
  Status st = write_all(fd_.get(), buf.data(), buf.size(), path_);
  if (st && ::fdatasync(fd_.get()) != 0) st = sys_error("cannot fsync spool", path_);
  // Leave no partial record behind (cut again on the next open if this fails too).
  if (!st && ::ftruncate(fd_.get(), static_cast<off_t>(size_)) != 0) { /* cut on open */
  }
  return st;
}

Status Spool::append(const std::vector<SpoolRecord>& records) {
  if (records.empty()) return Ok{};
  std::lock_guard lk(mu_);
  refresh_free();
  uint64_t incoming = 0;
  for (const auto& r : records) incoming += 8 + 3 + r.id.size() + r.json.size();
  if (size_ + incoming > max_bytes_) {
    // Dropping spooled low rows needs a rewrite (a temp file): on a full disk it fails and
    // the incoming low rows are thinned instead.
    if (auto st = make_room(incoming); !st) refresh_free();
  }
  size_t rows = 0;
  std::string buf = select_and_encode(records, rows);
  Status st = buf.empty() ? Status(Ok{}) : write_at_end(buf);
  if (!st && no_space(st)) {
    // No room: the low rows of the batch go, then the reserve makes room for the rest.
    std::vector<SpoolRecord> high;
    for (const auto& r : records) {
      if (low_priority(r.table))
        count_drop(r);
      else
        high.push_back(r);
    }
    buf.clear();
    for (const auto& r : high) encode_record(r, buf);
    st = buf.empty() ? Status(Ok{}) : write_at_end(buf);
    if (!st && no_space(st) && give_up_reserve()) st = write_at_end(buf);
    if (!st) {
      counters_.high_failed += high.size();
      last_high_fail_s_ = mono_s();
      refresh_free();
      return st;
    }
    size_ += buf.size();
    rows_ += high.size();
    refresh_free();
    return Ok{};
  }
  if (!st) {
    for (const auto& r : records)
      if (!low_priority(r.table)) ++counters_.high_failed;
    last_high_fail_s_ = mono_s();
    return st;
  }
  size_ += buf.size();
  rows_ += rows;
  refresh_free();
  return Ok{};
}

// Drops the oldest packet rows, then metric rows beyond one a minute, then the oldest
// metric rows, until `incoming` more bytes fit under 90% of the bound. Alerts, configs and
// sensors are always kept.
Status Spool::make_room(uint64_t incoming) {
  const uint64_t target = max_bytes_ / 10 * 9;
  const uint64_t total = size_ + incoming;
  if (total <= target) return Ok{};
  const uint64_t need = total - target;
  std::vector<bool> drop;
  uint64_t freed = 0;
  // Passes: packet rows; metric rows but the first of each minute; the other metric rows.
  for (int pass = 0; pass < 3; ++pass) {
    const Table victim = pass == 0 ? Table::packets : Table::metrics;
    RecordReader rd(fd_.get(), kHeader, size_);
    SpoolRecord rec;
    size_t i = 0;
    uint64_t before = rd.offset();
    std::string minute;
    while (freed < need && rd.next(rec) == RecordReader::Next::record) {
      if (drop.size() <= i) drop.push_back(false);
      bool victim_row = !drop[i] && rec.table == victim;
      if (victim_row && pass == 1) {
        const std::string m = metric_minute(rec.json);
        victim_row = !m.empty() && m == minute;  // the first row of a minute stays
        minute = m;
      }
      if (victim_row) {
        drop[i] = true;
        freed += rd.offset() - before;
      }
      before = rd.offset();
      ++i;
    }
  }
  if (freed == 0) return Ok{};  // nothing droppable: grow past the bound
  return rewrite(drop);
}

Status Spool::rewrite(const std::vector<bool>& drop) {
  const std::string tmp = path_ + ".tmp";
  Fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!out) return sys_error("cannot create", tmp);
  std::string buf(kMagic, kHeader);
  RecordReader rd(fd_.get(), kHeader, size_);
  SpoolRecord rec;
  uint64_t kept = 0;
  for (size_t i = 0; rd.next(rec) == RecordReader::Next::record; ++i) {
    if (i < drop.size() && drop[i]) {
      ++counters_.dropped[static_cast<int>(rec.table)];
      last_low_drop_s_ = mono_s();
      continue;
    }
    encode_record(rec, buf);
    ++kept;
  }
  Status st = write_all(out.get(), buf.data(), buf.size(), tmp);
  if (st && ::fsync(out.get()) != 0) st = sys_error("cannot fsync", tmp);
  out.reset();
  if (!st) {
    ::unlink(tmp.c_str());  // a full disk: leave no half-written copy taking the space
    return st;
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return sys_error("cannot replace", path_);
  Fd fd(::open(path_.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) return sys_error("cannot reopen", path_);
  fd_ = std::move(fd);
  size_ = buf.size();
  rows_ = kept;
  ++generation_;
  return Ok{};
}

Spool::Cursor Spool::begin() const {
  std::lock_guard lk(mu_);
  return {generation_, kHeader};
}

Result<Spool::Cursor> Spool::read(Cursor at, size_t max_rows, std::vector<SpoolRecord>& out) {
  std::lock_guard lk(mu_);
  if (at.generation != generation_ || at.offset < kHeader) at = {generation_, kHeader};
  RecordReader rd(fd_.get(), at.offset, size_);
  SpoolRecord rec;
  for (size_t i = 0; i < max_rows; ++i) {
    const auto n = rd.next(rec);
    if (n == RecordReader::Next::end) break;
    if (n == RecordReader::Next::bad)
      return make_error("spool " + path_ + " is corrupt at offset " + std::to_string(rd.offset()));
    out.push_back(std::move(rec));
  }
  return Cursor{generation_, rd.offset()};
}

Result<bool> Spool::truncate_if_at_end(Cursor end) {
  std::lock_guard lk(mu_);
  if (end.generation != generation_ || end.offset != size_) return false;
  if (::ftruncate(fd_.get(), static_cast<off_t>(kHeader)) != 0 || ::fdatasync(fd_.get()) != 0)
    return sys_error("cannot truncate spool", path_);
  size_ = kHeader;
  rows_ = 0;
  ++generation_;
  restore_reserve();  // the space just freed is the reserve's first
  return true;
}

SpoolStats Spool::stats() const {
  std::lock_guard lk(mu_);
  SpoolStats s = counters_;
  s.rows = rows_.load();
  s.bytes = size_ - kHeader;
  s.packets_dropped = s.dropped[static_cast<int>(Table::packets)];
  s.metrics_dropped = s.dropped[static_cast<int>(Table::metrics)];
  s.disk_free_bytes = disk_free_;
  s.reserve_in_use = reserve_in_use_;
  s.degraded = degraded_locked();
  return s;
}

int Spool::degraded_locked() const {
  const int64_t now = mono_s();
  if (reserve_in_use_ || now - last_high_fail_s_ < 60) return 2;
  if (now - last_low_drop_s_ < 60 || disk_free_ < min_free_bytes_) return 1;
  return 0;
}

}  // namespace securenet::store
