// Write throughput of the store against a real, throwaway PostgreSQL 15 cluster (fsync off,
// as in the tests; see bench/README.md for a durable-cluster run). The reference, measured
// in the same run, is the naive way: one INSERT statement (one commit) per row.
//   build-*/bench/store/store_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <pqxx/connection>
#include <pqxx/transaction>
#include <thread>

#include "auth_store.h"
#include "pg_cluster.h"
#include "rows.h"
#include "securenet/common/clock.h"
#include "securenet/common/uuid.h"
#include "spool.h"
#include "writer.h"

namespace st = securenet::store;
using securenet::testing::PgCluster;

namespace {

struct Db {
  std::string url, owner, why;
};

const Db& db() {
  static Db d = [] {
    Db out;
    auto* cluster = PgCluster::shared(out.why);
    if (!cluster) return out;
    out.url = cluster->create_database("bench");
    if (auto e = securenet::testing::migrate_url(out.url); !e.empty()) {
      out.why = e;
      out.url.clear();
      return out;
    }
    st::Session s(st::db_config_from(out.url));
    auto u = st::create_user(s, "bench@example.com", "bench-password");
    out.owner = u ? u->id : "";
    return out;
  }();
  return d;
}

std::string alert_json(const std::string& id, int64_t t) {
  st::AlertRow a;
  a.id = id;
  a.kind = "traffic_threshold";
  a.severity = "MEDIUM";
  a.host = "10.1.2.3";
  a.protocol = "TCP";
  a.description = "host 10.1.2.3 sent 1500 packets/s (threshold 1000)";
  a.value = 1500;
  a.threshold = 1000;
  a.peak = 1800;
  a.first_seen_ms = t;
  a.last_seen_ms = t;
  return st::to_json(a);
}

std::string packet_json(const std::string& id, int64_t t) {
  st::PacketRow p;
  p.id = id;
  p.ts_ms = t;
  p.src = "10.1.2.3";
  p.dst = "192.0.2.10";
  p.sport = 51515;
  p.dport = 443;
  p.protocol = "TCP";
  p.length = 1514;
  p.flags = 0x18;
  return st::to_json(p);
}

// Reference: the same upsert statement, one row and one commit per statement (what a
// naive sink does).
void BM_Reference_SingleRowInsert_Alerts(benchmark::State& state) {
  const auto& d = db();
  if (d.url.empty()) return state.SkipWithError(d.why.c_str());
  pqxx::connection c(d.url);
  const int rows = 200;
  for (auto _ : state) {
    for (int i = 0; i < rows; ++i) {
      pqxx::work tx(c);
      const auto id = securenet::new_uuid();
      tx.exec_params(std::string(st::upsert_sql(st::Table::alerts)),
                     "[" + alert_json(id, securenet::wall_ms()) + "]", d.owner, std::string());
      tx.commit();
    }
  }
  state.counters["rows/s"] =
      benchmark::Counter(double(rows) * state.iterations(), benchmark::Counter::kIsRate);
}

// Through the Writer: enqueue, batch, one multi-row statement per table, wait until written.
void writer_bench(benchmark::State& state, st::Table table) {
  const auto& d = db();
  if (d.url.empty()) return state.SkipWithError(d.why.c_str());
  char tmpl[] = "/tmp/securenet-bench-spool-XXXXXX";
  const std::string spool = ::mkdtemp(tmpl);
  st::WriterOptions o;
  o.db = st::db_config_from(d.url);
  o.owner_user_id = d.owner;
  o.spool.dir = spool;
  o.batch_rows = static_cast<size_t>(state.range(0));
  o.statement_rows = static_cast<size_t>(state.range(0));
  o.queue_capacity = 1 << 20;
  o.packet_rows_per_s = 1e12;
  o.flush_interval = std::chrono::milliseconds(50);
  auto w = st::Writer::start(o);
  if (!w) return state.SkipWithError(w.error().message.c_str());
  const int rows = 20000;
  std::vector<std::pair<std::string, std::string>> pre(rows);
  for (auto _ : state) {
    state.PauseTiming();
    const int64_t t = securenet::wall_ms();
    for (auto& [id, json] : pre) {
      id = securenet::new_uuid();
      json = table == st::Table::alerts ? alert_json(id, t) : packet_json(id, t);
    }
    const uint64_t target = (*w)->status().rows_written + rows;
    state.ResumeTiming();
    for (auto& [id, json] : pre) (*w)->enqueue(table, std::move(id), std::move(json));
    (*w)->wake();
    while ((*w)->status().rows_written < target)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  if ((*w)->status().rows_rejected) state.SkipWithError("rows rejected");
  state.counters["rows/s"] =
      benchmark::Counter(double(rows) * state.iterations(), benchmark::Counter::kIsRate);
  w->reset();
  std::filesystem::remove_all(spool);
}

void BM_Writer_Alerts(benchmark::State& state) { writer_bench(state, st::Table::alerts); }
void BM_Writer_Packets(benchmark::State& state) { writer_bench(state, st::Table::packets); }

// The spool path while the database is down: append + fdatasync per batch.
void BM_SpoolAppend_Packets(benchmark::State& state) {
  char tmpl[] = "/tmp/securenet-bench-spool-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  auto s = st::Spool::open({dir, 1ull << 40});
  if (!s) return state.SkipWithError(s.error().message.c_str());
  std::vector<st::SpoolRecord> batch;
  for (int i = 0; i < state.range(0); ++i) {
    const auto id = securenet::new_uuid();
    batch.push_back({st::Table::packets, id, packet_json(id, securenet::wall_ms())});
  }
  for (auto _ : state) {
    if (!(*s)->append(batch)) return state.SkipWithError("append failed");
  }
  state.counters["rows/s"] =
      benchmark::Counter(double(batch.size()) * state.iterations(), benchmark::Counter::kIsRate);
  s->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace

BENCHMARK(BM_Reference_SingleRowInsert_Alerts)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Writer_Alerts)->Arg(1000)->Arg(5000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Writer_Packets)->Arg(1000)->Arg(5000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SpoolAppend_Packets)->Arg(1000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
