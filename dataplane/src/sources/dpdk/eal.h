// The DPDK Environment Abstraction Layer, initialised once per process (RAII).
//
// Eal::acquire() calls rte_eal_init with "securenet-dataplane" + the given arguments the
// first time and hands out shared references after that; the last reference calls
// rte_eal_cleanup. DPDK cannot be initialised a second time in the same process, so a
// later acquire() after cleanup fails with a clear error.
//
// Added to the arguments unless the caller chose otherwise:
//  - "--in-memory" ("--no-shconf" with --no-huge, which --in-memory refuses): no
//    /var/run/dpdk files shared between processes, unless one of --in-memory,
//    --file-prefix, --proc-type, --no-shconf is given. Several sensors and tests can then
//    run side by side.
// Threads: rte_eal_init pins the calling thread to the main lcore's CPU. Unless the caller
// gave a core list (-l, -c, --lcores, --main-lcore), the caller's original CPU affinity is
// restored afterwards, so worker threads started later inherit the process's affinity
// (e.g. the one set with taskset) instead of all landing on the first core. Worker threads
// register themselves with rte_thread_register() (see register_current_thread()).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "securenet/result.h"

namespace securenet::dpdk {

class Eal {
 public:
  static Result<std::shared_ptr<Eal>> acquire(const std::vector<std::string>& args);
  ~Eal();
  Eal(const Eal&) = delete;
  Eal& operator=(const Eal&) = delete;

 private:
  Eal() = default;
};

// Gives the calling non-EAL thread an lcore id (per-lcore mempool caches need one) and
// unregisters it when the thread exits. No-op for EAL threads and for threads already
// registered. Returns false if the EAL has no free lcore slot (the thread then works
// without a mempool cache).
bool register_current_thread() noexcept;

// The EAL argument vector actually passed (exposed for tests).
std::vector<std::string> eal_argv(const std::vector<std::string>& args);

}  // namespace securenet::dpdk
