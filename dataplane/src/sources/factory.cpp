// make_sources(): the pcap source is always built in; live sources only when their folder
// built (SECURENET_HAVE_<NAME> is then defined on securenet_sources).
#include "sources/pcap/pcap_source.h"
#include "securenet/source.h"

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

[[maybe_unused]] Error not_built(const char* kind, const char* how) {
  return make_error(std::string("source '") + kind + "' is not built into this binary; " + how);
}

}  // namespace

Result<std::vector<std::unique_ptr<PacketSource>>> make_sources(const SourceOptions& opts) {
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
      return not_built("afxdp",
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

}  // namespace securenet
