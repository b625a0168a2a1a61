#include "writer.h"

#include <algorithm>
#include <cstdio>
#include <pqxx/connection>
#include <pqxx/transaction>
#include <unordered_map>

#include "pg_errors.h"
#include "rows.h"
#include "securenet/common/clock.h"

namespace securenet::store {

using Clock = std::chrono::steady_clock;

const char* db_state_name(DbState s) {
  switch (s) {
    case DbState::disabled:
      return "disabled";
    case DbState::disconnected:
      return "disconnected";
    case DbState::connected:
      return "connected";
  }
  return "?";
}

std::string status_json(const WriterStatus& s) {
  auto n = [](uint64_t v) { return std::to_string(v); };
  return std::string("{\"state\":\"") + db_state_name(s.state) +
         "\",\"spool_backlog\":" + n(s.spool_rows) + ",\"spool_bytes\":" + n(s.spool_bytes) +
         ",\"queue_depth\":" + n(s.queue_depth) + ",\"rows_written\":" + n(s.rows_written) +
         ",\"errors\":" + n(s.errors) + ",\"rows_rejected\":" + n(s.rows_rejected) +
         ",\"packets_rate_limited\":" + n(s.packets_rate_limited) +
         ",\"spool_packets_dropped\":" + n(s.spool_packets_dropped) +
         ",\"spool_metrics_dropped\":" + n(s.spool_metrics_dropped) +
         ",\"held_rows\":" + n(s.held_rows) +
         ",\"spool_degraded\":" + n(static_cast<uint64_t>(s.spool_degraded)) + "}";
}

Writer::Writer(WriterOptions opts) : opts_(std::move(opts)), backoff_(opts_.backoff_min) {}

Result<std::unique_ptr<Writer>> Writer::start(WriterOptions opts) {
  if (opts.spool.dir.empty()) return make_error("writer: spool dir not set");
  std::unique_ptr<Writer> w(new Writer(std::move(opts)));
  auto spool = Spool::open(w->opts_.spool);
  if (!spool) return spool.error();
  w->spool_ = std::move(*spool);
  if (w->opts_.db.url.empty()) w->state_ = DbState::disabled;
  if (!w->opts_.sensor_id.empty()) {
    // Registered through the queue so it reaches the database before the sensor's rows.
    w->enqueue(Table::sensors, w->opts_.sensor_id,
               sensor_row_json(w->opts_.sensor_id, w->opts_.sensor, wall_ms()));
  }
  w->next_heartbeat_ = Clock::now() + w->opts_.heartbeat_every;
  w->thread_ = std::thread([p = w.get()] { p->run(); });
  return w;
}

Writer::~Writer() { stop(); }

void Writer::stop() {
  {
    std::lock_guard lk(q_mu_);
    stop_ = true;
  }
  q_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Writer::wake() { q_cv_.notify_all(); }

bool Writer::packet_allowed() {
  const uint64_t cap = static_cast<uint64_t>(opts_.packet_rows_per_s);
  const uint64_t sec = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count());
  uint64_t win = rate_window_.load(std::memory_order_relaxed);
  if (win != sec && rate_window_.compare_exchange_strong(win, sec))
    rate_count_.store(0, std::memory_order_relaxed);
  if (rate_count_.fetch_add(1, std::memory_order_relaxed) < cap) return true;
  packets_rate_limited_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

bool Writer::enqueue(Table t, std::string id, std::string json_row) {
  if (t == Table::packets && !packet_allowed()) return false;
  SpoolRecord rec{t, std::move(id), std::move(json_row)};
  bool pushed = false, wake_now = false;
  {
    std::lock_guard lk(q_mu_);
    if (queue_.size() < opts_.queue_capacity) {
      queue_.push_back(std::move(rec));
      pushed = true;
      wake_now = queue_.size() >= opts_.batch_rows;
    }
  }
  if (pushed) {
    if (wake_now) q_cv_.notify_one();
    return true;
  }
  // Queue full: move its contents and this row to the spool, in order.
  std::lock_guard sl(spill_mu_);
  std::vector<SpoolRecord> rows;
  drain(rows);
  const size_t drained = rows.size();
  rows.push_back(std::move(rec));
  const bool ok = spill(rows);
  in_flight_ -= drained;
  return ok;
}

void Writer::drain(std::vector<SpoolRecord>& out) {
  // Held rows first (callers hold spill_mu_): they are older than anything queued.
  in_flight_ += held_.size();
  held_count_ -= held_.size();
  for (auto& r : held_) out.push_back(std::move(r));
  held_.clear();
  std::lock_guard lk(q_mu_);
  in_flight_ += queue_.size();  // callers give it back once the rows are written/spooled
  out.reserve(out.size() + queue_.size());
  for (auto& r : queue_) out.push_back(std::move(r));
  queue_.clear();
}

bool Writer::spill(std::vector<SpoolRecord>& rows) {
  if (rows.empty()) return true;
  auto st = spool_->append(rows);
  if (!st) {
    // The spool counted its dropped packet/metric rows; the rest waits in memory.
    size_t held = 0, lost = 0;
    for (auto& r : rows) {
      if (low_priority(r.table)) continue;
      if (held_.size() >= opts_.held_capacity) {
        ++lost;
        continue;
      }
      held_.push_back(std::move(r));
      ++held;
    }
    held_count_ += held;
    held_lost_ += lost;
    rows.clear();
    note_error("spool append failed (" + st.error().message +
               "); alert/config rows are held in "
               "memory until it has room" +
               (lost ? std::string(", some lost (memory bound reached)") : std::string()));
    return false;
  }
  rows_spilled_ += rows.size();
  rows.clear();
  return true;
}

void Writer::note_error(const std::string& what) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lk(err_mu_);
  if (what != last_error_) std::fprintf(stderr, "securenet store: %s\n", what.c_str());
  last_error_ = what;
}

void Writer::run() {
  std::vector<SpoolRecord> batch;
  for (;;) {
    bool final = false;
    {
      std::unique_lock lk(q_mu_);
      q_cv_.wait_for(lk, opts_.flush_interval,
                     [&] { return stop_ || queue_.size() >= opts_.batch_rows; });
      final = stop_;
    }
    cycle(batch, final);
    if (final) break;
    heartbeat();
  }
  conn_.reset();
}

// The sensors row again with a fresh last_heartbeat, through the queue like every row; only
// while connected (the spool need not keep heartbeats of an outage).
void Writer::heartbeat() {
  if (opts_.sensor_id.empty() || state_ != DbState::connected) return;
  const auto now = Clock::now();
  if (now < next_heartbeat_) return;
  next_heartbeat_ = now + opts_.heartbeat_every;
  enqueue(Table::sensors, opts_.sensor_id,
          sensor_row_json(opts_.sensor_id, opts_.sensor, wall_ms()));
}

void Writer::cycle(std::vector<SpoolRecord>& batch, bool final) {
  spool_->maintain();
  if (state_ == DbState::disabled) {  // no database configured: keep everything on disk
    std::lock_guard sl(spill_mu_);
    drain(batch);
    const size_t drained = batch.size();
    spill(batch);
    batch.clear();
    in_flight_ -= drained;
    return;
  }
  if (!conn_ && Clock::now() >= next_connect_) try_connect();
  if (conn_ && Clock::now() >= next_maintenance_) maintain_partitions();
  size_t drained = 0;
  {
    std::lock_guard sl(spill_mu_);
    drain(batch);
    drained = batch.size();
    if (!conn_ || !spool_->empty()) spill(batch);
  }
  if (conn_ && !batch.empty() && !write_rows(batch)) {
    std::lock_guard sl(spill_mu_);
    spill(batch);
  }
  batch.clear();
  in_flight_ -= drained;
  if (conn_ && !spool_->empty() && !final) replay();
}

void Writer::try_connect() {
  try {
    conn_ = std::make_unique<pqxx::connection>(effective_url(opts_.db));
    if (!owner_exists()) {
      disconnect("owner user " + opts_.owner_user_id +
                 " is not in auth.users (run `securenet-db user add`); rows kept in the spool");
      return;
    }
    state_ = DbState::connected;
    backoff_ = opts_.backoff_min;
    next_maintenance_ = Clock::now();
  } catch (const std::exception& e) {
    conn_.reset();
    note_error(std::string("cannot connect: ") + e.what());
    next_connect_ = Clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, opts_.backoff_max);
  }
}

bool Writer::owner_exists() {
  pqxx::work tx(*conn_);
  // Through a SECURITY DEFINER function: the sensor's role does not read auth.users.
  auto r =
      tx.exec_params("select securenet.user_exists(nullif($1, '')::uuid)", opts_.owner_user_id);
  tx.commit();
  return !r.empty() && !r[0][0].is_null() && r[0][0].as<bool>();
}

void Writer::disconnect(const std::string& why) {
  note_error(why);
  conn_.reset();
  state_ = DbState::disconnected;
  next_connect_ = Clock::now() + backoff_;
  backoff_ = std::min(backoff_ * 2, opts_.backoff_max);
}

void Writer::maintain_partitions() {
  next_maintenance_ = Clock::now() + opts_.partition_maintenance;
  try {
    pqxx::work tx(*conn_);
    tx.exec("select * from securenet.maintain_packet_partitions()");
    tx.commit();
  } catch (const std::exception& e) {
    if (classify(e) == PgErrorKind::connection) return disconnect(e.what());
    note_error(std::string("packet partition maintenance failed: ") + e.what());
  }
}

static std::string json_array(const std::vector<const SpoolRecord*>& rows, size_t lo, size_t hi) {
  size_t n = 2;
  for (size_t i = lo; i < hi; ++i) n += rows[i]->json.size() + 1;
  std::string out;
  out.reserve(n);
  out.push_back('[');
  for (size_t i = lo; i < hi; ++i) {
    if (i > lo) out.push_back(',');
    out.append(rows[i]->json);
  }
  out.push_back(']');
  return out;
}

Writer::Outcome Writer::write_table(Table t, const std::vector<const SpoolRecord*>& rows, size_t lo,
                                    size_t hi) {
  try {
    pqxx::work tx(*conn_);
    const std::string json = json_array(rows, lo, hi);
    if (const auto pre = pre_upsert_sql(t); !pre.empty())
      tx.exec_params(std::string(pre), json, opts_.owner_user_id, opts_.sensor_id);
    tx.exec_params(std::string(upsert_sql(t)), json, opts_.owner_user_id, opts_.sensor_id);
    tx.commit();
    rows_written_ += hi - lo;
    ++batches_;
    return Outcome::ok;
  } catch (const std::exception& e) {
    const auto kind = classify(e);
    if (kind == PgErrorKind::connection || !conn_->is_open()) {
      disconnect(std::string("lost the database: ") + e.what());
      return Outcome::retry_later;
    }
    if (kind == PgErrorKind::transient) {  // e.g. not migrated yet: back off, keep rows
      disconnect("will retry " + std::string(table_name(t)) + ": " + e.what());
      return Outcome::retry_later;
    }
    if (hi - lo == 1) {
      ++rows_rejected_;
      note_error("rejected " + std::string(table_name(t)) + " row " + rows[lo]->id + ": " +
                 e.what());
      return Outcome::ok;
    }
  }
  const size_t mid = lo + (hi - lo) / 2;
  if (write_table(t, rows, lo, mid) == Outcome::retry_later) return Outcome::retry_later;
  return write_table(t, rows, mid, hi);
}

// Per table, in a fixed order (sensors first for the foreign keys); for tables that update
// in place only the last row per id is sent (one statement cannot touch a row twice).
bool Writer::write_rows(std::vector<SpoolRecord>& rows) {
  std::vector<std::vector<const SpoolRecord*>> by_table(kTableCount);
  for (const auto& r : rows) by_table[static_cast<int>(r.table)].push_back(&r);
  for (int ti = 0; ti < kTableCount; ++ti) {
    const Table t = static_cast<Table>(ti);
    auto& list = by_table[ti];
    if (table_updates_on_conflict(t) && list.size() > 1) {
      std::unordered_map<std::string_view, size_t> last;
      for (size_t i = 0; i < list.size(); ++i) last[list[i]->id] = i;
      std::vector<const SpoolRecord*> uniq;
      for (size_t i = 0; i < list.size(); ++i)
        if (last[list[i]->id] == i) uniq.push_back(list[i]);
      list.swap(uniq);
    }
    for (size_t lo = 0; lo < list.size(); lo += opts_.statement_rows) {
      const size_t hi = std::min(list.size(), lo + opts_.statement_rows);
      if (write_table(t, list, lo, hi) == Outcome::retry_later) {
        // Keep every row of this and the later tables; earlier tables are written. Rows
        // of this table already written are kept too: writing them again is a no-op.
        std::vector<SpoolRecord> rest;
        for (auto& r : rows)
          if (static_cast<int>(r.table) >= ti) rest.push_back(std::move(r));
        rows.swap(rest);
        return false;
      }
    }
  }
  rows.clear();
  return true;
}

// Replays the spool in chunks, in order, then truncates it. New rows that arrive
// meanwhile are appended behind (order kept) and replayed in the same pass.
void Writer::replay() {
  std::vector<SpoolRecord> chunk;
  for (;;) {
    chunk.clear();
    auto next = spool_->read(replay_cursor_, opts_.statement_rows, chunk);
    if (!next) {
      note_error(next.error().message);
      return;
    }
    if (chunk.empty()) {
      // All of the spool is in the database: what came meanwhile (queued, or held in
      // memory while the spool's disk was full) goes straight behind it, then the spool
      // is cut. Appending it to the spool first could fail on a full disk forever.
      std::lock_guard sl(spill_mu_);
      std::vector<SpoolRecord> queued;
      drain(queued);
      const size_t drained = queued.size();
      if (queued.empty() || write_rows(queued)) {
        in_flight_ -= drained;
        auto done = spool_->truncate_if_at_end(*next);
        if (!done) note_error(done.error().message);
        replay_cursor_ = spool_->begin();
        return;
      }
      spill(queued);  // the database went away again: behind the spooled rows (or held)
      in_flight_ -= drained;
      replay_cursor_ = *next;
      return;
    }
    if (stop_) return;               // the rest is replayed after the next start
    if (!write_rows(chunk)) return;  // cursor stays: this chunk is replayed again later
    replay_cursor_ = *next;
  }
}

WriterStatus Writer::status() const {
  WriterStatus s;
  s.state = state_.load();
  {
    std::lock_guard lk(q_mu_);
    s.queue_depth = queue_.size() + in_flight_ + held_count_;
  }
  const auto sp = spool_->stats();
  s.spool_rows = sp.rows;
  s.spool_bytes = sp.bytes;
  s.spool_packets_dropped = sp.packets_dropped;
  s.spool_metrics_dropped = sp.metrics_dropped;
  s.spool_corrupt_bytes = sp.corrupt_bytes;
  for (int i = 0; i < kTableCount; ++i) s.spool_dropped[i] = sp.dropped[i];
  s.held_rows = held_count_.load();
  s.held_lost = held_lost_.load();
  s.disk_free_bytes = sp.disk_free_bytes;
  s.reserve_in_use = sp.reserve_in_use;
  s.spool_degraded = s.held_rows || s.held_lost ? 2 : sp.degraded;
  s.rows_written = rows_written_.load();
  s.batches = batches_.load();
  s.errors = errors_.load();
  s.rows_rejected = rows_rejected_.load();
  s.rows_spilled = rows_spilled_.load();
  s.packets_rate_limited = packets_rate_limited_.load();
  std::lock_guard lk(err_mu_);
  s.last_error = last_error_;
  return s;
}

}  // namespace securenet::store
