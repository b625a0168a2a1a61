// securenet-dataplane: captures, parses and counts packets into the shared-memory segment.
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "app/cli.h"
#include "app/drop_sync.h"
#include "app/report.h"
#include "pipeline/worker.h"
#include "securenet/shm_reader.h"
#include "securenet/source.h"
#include "segment/writer.h"

namespace {

using namespace securenet;

int fail(int code, const std::string& msg) {
  std::fprintf(stderr, "securenet-dataplane: %s\n", msg.c_str());
  return code;
}

// Workers never see signals; the main thread waits for them or for the sources to end.
sigset_t blocked_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// `housekeeping` runs every 50 ms on this thread (the drop list, issue 16 item 4b).
void wait_for_end(const sigset_t& sigs, const std::vector<std::unique_ptr<Worker>>& workers,
                  std::atomic<bool>& stop, const std::function<void()>& housekeeping) {
  const timespec tick{0, 50'000'000};
  for (;;) {
    if (sigtimedwait(&sigs, nullptr, &tick) > 0) break;
    housekeeping();
    bool all_done = true;
    for (const auto& w : workers) all_done = all_done && w->finished();
    if (all_done) break;
  }
  stop.store(true, std::memory_order_relaxed);
}

int report(const Segment& seg, const DataplaneOptions& o, double elapsed) {
  auto reader = ShmReader::open(seg.name());
  if (!reader) return fail(1, reader.error().message);
  const ReportOptions ro{o.top, elapsed};
  if (o.stats) print_report(*reader, ro, stdout);
  if (!o.stats_json.empty()) {
    std::ofstream f(o.stats_json);
    f << report_json(*reader, ro);
    if (!f.good()) return fail(1, "cannot write " + o.stats_json);
  }
  return reader->totals().source_errors ? 1 : 0;
}

// --sched-fifo: the calling worker thread runs SCHED_FIFO, so a CPU hog at normal priority
// cannot take its core away while packets wait in the ring. The kernel's RT throttling
// (sched_rt_runtime_us, 95% by default) still leaves the core's other work a share.
void set_fifo(int prio) {
  sched_param sp{};
  sp.sched_priority = prio;
  if (int e = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp); e != 0)
    std::fprintf(stderr, "securenet-dataplane: --sched-fifo %d not applied: %s\n", prio,
                 std::strerror(e));
}

// The drop filters of the sources (one per interface) and the sources that forward.
DropListSync drop_list_sync(const std::vector<std::unique_ptr<PacketSource>>& sources) {
  std::vector<std::shared_ptr<DropFilter>> filters;
  std::vector<const PacketSource*> all;
  for (const auto& s : sources) {
    auto f = s->drop_filter();
    if (f && std::find(filters.begin(), filters.end(), f) == filters.end()) filters.push_back(f);
    if (f) all.push_back(s.get());
  }
  return DropListSync(std::move(filters), std::move(all));
}

int run(const DataplaneOptions& o) {
  const sigset_t sigs = blocked_signals();
  std::vector<std::string> worker_targets;
  auto sources = make_sources(o.source, &worker_targets);
  if (!sources) return fail(1, sources.error().message);
  SegmentOptions so = o.segment;
  so.workers = static_cast<unsigned>(sources->size());
  so.worker_sources = worker_targets;
  auto seg = Segment::create(so);
  if (!seg) return fail(1, seg.error().message);

  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned i = 0; i < so.workers; ++i) {
    WorkerOptions wo{i, o.cpus.empty() ? -1 : o.cpus[i % o.cpus.size()], o.burst, o.parse,
                     o.dedupe_us};
    workers.push_back(std::make_unique<Worker>(*seg, *(*sources)[i], wo, stop));
  }
  const uint64_t t0 = mono_ns();
  std::vector<std::thread> threads;
  for (auto& w : workers) {
    threads.emplace_back([&w, cpu = o.cpus.empty() ? -1 : 0, fifo = o.sched_fifo] {
      if (fifo > 0) set_fifo(fifo);
      if (!w->run() && cpu >= 0)
        std::fprintf(stderr, "securenet-dataplane: could not pin a worker to its CPU\n");
    });
  }
  DropListSync drops = drop_list_sync(*sources);
  wait_for_end(sigs, workers, stop, [&] {
    if (!drops.empty()) drops.poll(seg->control().drop_list, seg->header());
  });
  for (auto& t : threads) t.join();
  const double elapsed = static_cast<double>(mono_ns() - t0) / 1e9;
  return report(*seg, o, elapsed);
}

}  // namespace

int main(int argc, char** argv) {
  auto opts = parse_cli(argc, argv);
  if (!opts) return fail(2, opts.error().message);
  if (opts->help) {
    std::fputs(usage_text(), stdout);
    return 0;
  }
  return run(*opts);
}
