// The real securenet-dataplane's segment as the harness sees it (header-only; its users link
// securenet_shm): opened once the dataplane has marked it ready, removed on scope exit.
#pragma once

#include <sys/mman.h>

#include <chrono>
#include <string>

#include "child_process.h"
#include "securenet/shm_reader.h"

namespace securenet::test {

// Opens securenet-<instance> once the dataplane `child` has marked it ready; an error if the
// child exits first or `timeout` passes.
inline Result<ShmReader> open_ready_segment(const std::string& instance, ChildProcess& child,
                                            std::chrono::milliseconds timeout) {
  Result<ShmReader> r = make_error("segment securenet-" + instance + " never became ready");
  child.wait_for(
      [&] {
        if (r.ok()) return true;
        auto o = ShmReader::open("securenet-" + instance);
        if (o && shm::read(o->header().ready) == 1) {
          r = std::move(o);
          return true;
        }
        return false;
      },
      timeout);
  return r;
}

// Removes /dev/shm/securenet-<instance> on scope exit (for dataplanes run with --keep-shm).
struct ShmCleanup {
  std::string instance;
  ~ShmCleanup() { shm_unlink(("/securenet-" + instance).c_str()); }
};

}  // namespace securenet::test
