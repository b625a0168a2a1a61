// Operations generated from the contract's tables (shm_fields.h): merge a host over
// workers, a host's counters since a base, and the difference of two worker totals.
// (load_host is inline in shm_reader.h.)
#include "securenet/shm_reader.h"

namespace securenet {
namespace {

enum class Kind { counter, gauge, first_seen, last_seen, window, sketch };

template <Kind K>
void merge(uint64_t& into, uint64_t from) noexcept {
  if constexpr (K == Kind::first_seen) {
    if (from && (!into || from < into)) into = from;
  } else if constexpr (K == Kind::last_seen || K == Kind::window) {
    if (from > into) into = from;
  } else if constexpr (K == Kind::sketch) {
    into |= from;  // bits of an older window of another worker ride along (API.md)
  } else {
    into += from;
  }
}
template <Kind K, size_t N>
void merge(std::array<uint64_t, N>& into, const std::array<uint64_t, N>& from) noexcept {
  for (size_t i = 0; i < N; ++i) merge<K>(into[i], from[i]);
}

// Counters since base (a counter below its base restarted); times and gauges as they are.
template <Kind K>
uint64_t since(uint64_t cur, uint64_t base) noexcept {
  if constexpr (K == Kind::counter) return cur >= base ? cur - base : cur;
  return cur;
}
template <Kind K, size_t N>
std::array<uint64_t, N> since(const std::array<uint64_t, N>& cur,
                              const std::array<uint64_t, N>& base) noexcept {
  std::array<uint64_t, N> v;
  for (size_t i = 0; i < N; ++i) v[i] = since<K>(cur[i], base[i]);
  return v;
}

// a - b, never below 0, for counters; gauges stay a.
template <Kind K>
uint64_t minus(uint64_t a, uint64_t b) noexcept {
  if constexpr (K == Kind::counter) return a >= b ? a - b : 0;
  return a;
}

// a + b for counters; gauges stay a.
template <Kind K>
uint64_t plus(uint64_t a, uint64_t b) noexcept {
  if constexpr (K == Kind::counter) return a + b;
  return a;
}

}  // namespace

void merge_host(HostFields& into, const HostFields& from) noexcept {
#define SECURENET_X(member, width, kind, api_name) merge<Kind::kind>(into.member, from.member);
  SECURENET_HOST_FIELDS(SECURENET_X)
#undef SECURENET_X
}

HostFields host_delta(const HostFields& cur, const HostFields& base) noexcept {
  HostFields d;
#define SECURENET_X(member, width, kind, api_name) \
  d.member = since<Kind::kind>(cur.member, base.member);
  SECURENET_HOST_FIELDS(SECURENET_X)
#undef SECURENET_X
  return d;
}

GlobalCounters subtract(const GlobalCounters& a, const GlobalCounters& b) noexcept {
  GlobalCounters r = a;  // the heartbeat stays a's
#define SECURENET_X(member, type, api_metrics, api_status, help) \
  r.member = minus<Kind::type>(a.member, b.member);
  SECURENET_WORKER_COUNTERS(SECURENET_X)
#undef SECURENET_X
#define SECURENET_X(member, length)     \
  for (size_t i = 0; i < (length); ++i) \
    r.member[i] = minus<Kind::counter>(a.member[i], b.member[i]);
  SECURENET_WORKER_ARRAYS(SECURENET_X)
#undef SECURENET_X
  return r;
}

GlobalCounters add_counters(const GlobalCounters& a, const GlobalCounters& b) noexcept {
  GlobalCounters r = a;  // the heartbeat stays a's
#define SECURENET_X(member, type, api_metrics, api_status, help) \
  r.member = plus<Kind::type>(a.member, b.member);
  SECURENET_WORKER_COUNTERS(SECURENET_X)
#undef SECURENET_X
#define SECURENET_X(member, length) \
  for (size_t i = 0; i < (length); ++i) r.member[i] = plus<Kind::counter>(a.member[i], b.member[i]);
  SECURENET_WORKER_ARRAYS(SECURENET_X)
#undef SECURENET_X
  return r;
}

}  // namespace securenet
