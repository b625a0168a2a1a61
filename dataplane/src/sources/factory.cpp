// make_sources(): the pcap source is always built in; live sources only when their folder
// built (SECURENET_HAVE_<NAME> is then defined on securenet_sources). A list of targets
// ("eth1,eth2") opens each in turn with the same options.
#include <net/if.h>

#include <set>

#include "securenet/source.h"
#include "sources/pcap/pcap_source.h"

#ifdef SECURENET_HAVE_AFPACKET
#include "sources/afpacket/afpacket_source.h"
#endif
#ifdef SECURENET_HAVE_AFXDP
#include "sources/afxdp/afxdp_source.h"
#endif
#ifdef SECURENET_HAVE_DPDK
#include "sources/dpdk/dpdk_source.h"
#endif

namespace securenet {
namespace {

using Sources = std::vector<std::unique_ptr<PacketSource>>;

[[maybe_unused]] Error not_built(const char* kind, const char* how) {
  return make_error(std::string("source '") + kind + "' is not built into this binary; " + how);
}

Result<Sources> make_one(const SourceOptions& opts) {
  switch (opts.kind) {
    case shm::SourceKind::kPcap:
      return make_pcap_sources(opts);
    case shm::SourceKind::kAfPacket:
#ifdef SECURENET_HAVE_AFPACKET
      return make_afpacket_sources(opts);
#else
      return not_built("afpacket", "rebuild on Linux");
#endif
    case shm::SourceKind::kAfXdp:
#ifdef SECURENET_HAVE_AFXDP
      return make_afxdp_sources(opts);
#else
      return not_built(
          "afxdp",
          "install libxdp-dev libbpf-dev clang and rebuild with -DSECURENET_WITH_AFXDP=ON");
#endif
    case shm::SourceKind::kDpdk:
#ifdef SECURENET_HAVE_DPDK
      return make_dpdk_sources(opts);
#else
      return not_built("dpdk", "install dpdk-dev and rebuild with -DSECURENET_WITH_DPDK=ON");
#endif
    case shm::SourceKind::kNone:
      break;
  }
  return make_error("no packet source kind given (--source pcap|afpacket|afxdp|dpdk)");
}

// AF_PACKET and AF_XDP: every interface of the list exists, before anything is opened.
Status check_interfaces(shm::SourceKind kind, const std::vector<std::string>& names) {
  if (kind != shm::SourceKind::kAfPacket && kind != shm::SourceKind::kAfXdp) return Ok{};
  for (const auto& n : names) {
    if (!n.empty() && if_nametoindex(n.c_str()) == 0) {
      return make_error(std::string(shm::source_kind_name(kind)) + ": no such interface '" + n +
                        "' (check the name with `ip link`); nothing was started");
    }
  }
  return Ok{};
}

}  // namespace

Result<std::vector<std::string>> target_list(shm::SourceKind kind, const std::string& target) {
  if (kind == shm::SourceKind::kPcap || target.find(',') == std::string::npos) {
    if (kind != shm::SourceKind::kPcap && target.size() > kMaxTargetName)
      return make_error(
          "--target '" + target + "' is longer than " + std::to_string(kMaxTargetName) +
          " characters (an interface name is at most IFNAMSIZ-1; DPDK: use the port id)");
    return std::vector<std::string>{target};
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  size_t at = 0;
  for (;;) {
    const size_t comma = target.find(',', at);
    const std::string item =
        target.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (item.empty())
      return make_error("--target '" + target + "' has an empty item (write eth1,eth2)");
    if (item.size() > kMaxTargetName)
      return make_error(
          "--target: '" + item + "' is longer than " + std::to_string(kMaxTargetName) +
          " characters (an interface name is at most IFNAMSIZ-1; DPDK: use the port id)");
    if (!seen.insert(item).second) return make_error("--target names '" + item + "' twice");
    out.push_back(item);
    if (out.size() > kMaxTargets)
      return make_error("--target lists more than " + std::to_string(kMaxTargets) + " interfaces");
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return out;
}

Result<Sources> make_sources(const SourceOptions& opts, std::vector<std::string>* worker_targets) {
  auto targets = target_list(opts.kind, opts.target);
  if (!targets) return targets.error();
  if (auto st = check_interfaces(opts.kind, *targets); !st) return st.error();
  Sources all;
  std::vector<std::string> names;
  for (const auto& t : *targets) {
    SourceOptions one = opts;
    one.target = t;
    auto got = make_one(one);
    if (!got) return got.error();  // the sources opened so far close on return
    for (auto& s : *got) {
      all.push_back(std::move(s));
      names.push_back(t);
    }
  }
  if (worker_targets) *worker_targets = std::move(names);
  return all;
}

}  // namespace securenet
