#include "sources/dpdk/eal.h"

#include <pthread.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <sched.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <mutex>

namespace securenet::dpdk {
namespace {

// Process-wide EAL state: set-up only, guarded by the mutex (never on the packet path).
std::mutex g_mutex;
std::weak_ptr<Eal> g_eal;
bool g_initialised_once = false;

bool has_arg(const std::vector<std::string>& args, std::initializer_list<const char*> names) {
  return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
    return std::any_of(names.begin(), names.end(), [&](const char* n) {
      const size_t len = std::strlen(n);
      return a.compare(0, len, n) == 0 && (a.size() == len || a[len] == '=' || n[1] != '-');
    });
  });
}

bool sets_cores(const std::vector<std::string>& args) {
  return has_arg(args, {"-l", "-c", "--lcores", "--main-lcore"});
}

// Sum of nr_hugepages over every page size.
uint64_t reserved_hugepages() {
  uint64_t total = 0;
  for (const char* size : {"hugepages-2048kB", "hugepages-1048576kB"}) {
    std::ifstream f(std::string("/sys/kernel/mm/hugepages/") + size + "/nr_hugepages");
    uint64_t n = 0;
    if (f >> n) total += n;
  }
  return total;
}

struct ThreadRegistration {
  bool registered = false;
  ~ThreadRegistration() {
    if (registered) rte_thread_unregister();
  }
};
thread_local ThreadRegistration t_registration;

}  // namespace

std::vector<std::string> eal_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"securenet-dataplane"};
  argv.insert(argv.end(), args.begin(), args.end());
  // --no-huge implies --legacy-mem, which --in-memory refuses; --no-shconf does the same job.
  if (!has_arg(args, {"--in-memory", "--file-prefix", "--proc-type", "--no-shconf"}))
    argv.emplace_back(has_arg(args, {"--no-huge"}) ? "--no-shconf" : "--in-memory");
  return argv;
}

Result<std::shared_ptr<Eal>> Eal::acquire(const std::vector<std::string>& args) {
  std::lock_guard lock(g_mutex);
  if (auto existing = g_eal.lock()) return existing;
  if (g_initialised_once)
    return make_error(
        "DPDK: the EAL was already initialised and cleaned up in this process; "
        "it cannot be initialised again (restart the process)");
  if (!has_arg(args, {"--no-huge"}) && reserved_hugepages() == 0)
    return make_error(
        "DPDK: no hugepages reserved; add --no-huge -m 512 to the EAL args or "
        "reserve hugepages: echo 512 > "
        "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages");

  std::vector<std::string> argv_s = eal_argv(args);
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);

  cpu_set_t saved;
  const bool have_saved = pthread_getaffinity_np(pthread_self(), sizeof saved, &saved) == 0;
  g_initialised_once = true;
  const int rc = rte_eal_init(static_cast<int>(argv_s.size()), argv.data());
  if (rc < 0) {
    const int e = rte_errno;
    std::string why = rte_strerror(e);
    return make_error("DPDK: rte_eal_init failed (" + why +
                          "); check the EAL args (see the EAL: lines above), run as root or "
                          "with hugepage/vfio access, or add --no-huge -m 512",
                      e);
  }
  if (have_saved && !sets_cores(args)) pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
  std::shared_ptr<Eal> eal(new Eal());
  g_eal = eal;
  return eal;
}

Eal::~Eal() { rte_eal_cleanup(); }

bool register_current_thread() noexcept {
  if (rte_lcore_id() != LCORE_ID_ANY) return true;
  if (rte_thread_register() != 0) return false;
  t_registration.registered = true;
  return true;
}

}  // namespace securenet::dpdk
