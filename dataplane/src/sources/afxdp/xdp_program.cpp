#include "sources/afxdp/xdp_program.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "securenet/common/fd.h"
#include "xsk_capture.skel.h"

namespace securenet::afxdp {
namespace {

uint32_t mode_flag(XdpMode m) {
  return m == XdpMode::kNative ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
}
const char* mode_name(XdpMode m) { return m == XdpMode::kNative ? "native" : "generic"; }

std::string prog_name(uint32_t id) {
  const Fd fd(bpf_prog_get_fd_by_id(id));
  if (!fd) return "?";
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  return bpf_obj_get_info_by_fd(fd.get(), &info, &len) == 0 ? info.name : "?";
}

// Detaches a program of ours left by a crashed dataplane; refuses to touch anyone else's.
Status clear_stale(unsigned ifindex, const std::string& ifname) {
  bpf_xdp_query_opts q{};
  q.sz = sizeof(q);
  if (bpf_xdp_query(static_cast<int>(ifindex), 0, &q) != 0) return Ok{};
  const std::pair<uint32_t, XdpMode> attached[] = {{q.drv_prog_id, XdpMode::kNative},
                                                   {q.skb_prog_id, XdpMode::kGeneric}};
  for (auto [id, m] : attached) {
    if (id == 0) continue;
    std::string name = prog_name(id);
    if (name != SN_XDP_CAPTURE_PROG_NAME)
      return make_error("afxdp: interface '" + ifname + "' already has XDP program '" + name +
                        "' (id " + std::to_string(id) + ", " + mode_name(m) +
                        " mode); remove it first (ip link set dev " + ifname + " xdp off)");
    int err = bpf_xdp_detach(static_cast<int>(ifindex), mode_flag(m), nullptr);
    if (err)
      return make_error("afxdp: cannot detach the stale capture program from '" + ifname +
                            "': " + std::strerror(-err),
                        -err);
  }
  return Ok{};
}

// libbpf's own messages (verifier logs...) only with SECURENET_BPF_DEBUG set: our errors
// are one line that says why and what to do.
int libbpf_print(libbpf_print_level level, const char* fmt, va_list args) {
  static const bool debug = std::getenv("SECURENET_BPF_DEBUG") != nullptr;
  (void)level;
  return debug ? std::vfprintf(stderr, fmt, args) : 0;
}

std::string load_error(int err) {
  if ((err == EPERM || err == EACCES) && geteuid() != 0)
    return "afxdp: no permission to load the XDP program (run as root or grant CAP_BPF, "
           "CAP_NET_ADMIN and CAP_PERFMON)";
  return std::string("afxdp: loading the XDP program failed: ") + std::strerror(err);
}

}  // namespace

Result<XdpProgram> XdpProgram::attach(const std::string& ifname, const std::string& mode) {
  if (mode != "auto" && mode != "native" && mode != "generic")
    return make_error("afxdp: xdp mode must be auto, native or generic (got '" + mode + "')");
  XdpProgram p;
  p.ifindex_ = if_nametoindex(ifname.c_str());
  if (p.ifindex_ == 0)
    return make_error("afxdp: no such interface '" + ifname + "' (check the name with `ip link`)",
                      errno);
  libbpf_set_print(libbpf_print);
  p.skel_ = xsk_capture__open();
  if (!p.skel_) return make_error(load_error(errno), errno);
  p.skel_->rodata->pass_unclaimed = 1;
  if (int err = xsk_capture__load(p.skel_); err) return make_error(load_error(-err), -err);
  if (auto s = clear_stale(p.ifindex_, ifname); !s) return s.error();

  const int prog_fd = bpf_program__fd(p.skel_->progs.sn_xsk_capture);
  int err = -EOPNOTSUPP;
  for (XdpMode m : {XdpMode::kNative, XdpMode::kGeneric}) {
    if ((m == XdpMode::kNative && mode == "generic") ||
        (m == XdpMode::kGeneric && mode == "native"))
      continue;
    err = bpf_xdp_attach(static_cast<int>(p.ifindex_), prog_fd,
                         XDP_FLAGS_UPDATE_IF_NOEXIST | mode_flag(m), nullptr);
    if (err == 0) {
      p.mode_ = m;
      break;
    }
  }
  if (err) {
    if (err == -EPERM || err == -EACCES) return make_error(load_error(-err), -err);
    return make_error(
        "afxdp: cannot attach XDP in " +
            (mode == "auto" ? std::string("native or generic") : mode) + " mode to '" + ifname +
            "': " + std::strerror(-err) +
            (mode == "native" ? " (the driver may lack native XDP: try xdp mode generic)" : ""),
        -err);
  }
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) == 0) p.prog_id_ = info.id;
  return p;
}

int XdpProgram::xsks_map_fd() const { return bpf_map__fd(skel_->maps.sn_xsks); }

size_t XdpProgram::possible_cpus() {
  const int cpus = libbpf_num_possible_cpus();
  return cpus > 0 ? static_cast<size_t>(cpus) : 1;
}

sn_xdp_counters XdpProgram::counters(uint32_t queue, std::vector<sn_xdp_counters>& scratch) const {
  sn_xdp_counters sum{};
  scratch.resize(possible_cpus());
  if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.sn_counters), &queue, scratch.data()) != 0)
    return sum;
  for (const sn_xdp_counters& c : scratch) {
    sum.redirected += c.redirected;
    sum.passed += c.passed;
    sum.dropped += c.dropped;
  }
  return sum;
}

namespace {
sn_drop_key drop_key(const uint8_t* addr, uint32_t prefixlen) {
  sn_drop_key k{};
  k.prefixlen = prefixlen;
  std::memcpy(k.addr, addr, sizeof(k.addr));
  return k;
}
}  // namespace

bool XdpProgram::drop_add(uint32_t slot, const uint8_t* addr, uint32_t prefixlen) const {
  if (slot >= SN_XDP_DROP_SLOTS || prefixlen == 0 || prefixlen > 128) return false;
  std::vector<uint64_t> zero(possible_cpus(), 0);
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.sn_drop_counts), &slot, zero.data(), BPF_ANY))
    return false;
  const sn_drop_key k = drop_key(addr, prefixlen);
  return bpf_map_update_elem(bpf_map__fd(skel_->maps.sn_drop_prefixes), &k, &slot, BPF_ANY) == 0;
}

void XdpProgram::drop_remove(const uint8_t* addr, uint32_t prefixlen) const {
  const sn_drop_key k = drop_key(addr, prefixlen);
  bpf_map_delete_elem(bpf_map__fd(skel_->maps.sn_drop_prefixes), &k);
}

uint64_t XdpProgram::drop_count(uint32_t slot) const {
  std::vector<uint64_t> per_cpu(possible_cpus(), 0);
  if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.sn_drop_counts), &slot, per_cpu.data()) != 0)
    return 0;
  uint64_t sum = 0;
  for (uint64_t n : per_cpu) sum += n;
  return sum;
}

void XdpProgram::drop_active(bool on) const {
  __atomic_store_n(&skel_->bss->drop_active, on ? 1u : 0u, __ATOMIC_RELEASE);
}

XdpProgram::XdpProgram(XdpProgram&& o) noexcept { *this = std::move(o); }

XdpProgram& XdpProgram::operator=(XdpProgram&& o) noexcept {
  if (this != &o) {
    reset();
    skel_ = std::exchange(o.skel_, nullptr);
    ifindex_ = o.ifindex_;
    mode_ = o.mode_;
    prog_id_ = std::exchange(o.prog_id_, 0);
  }
  return *this;
}

XdpProgram::~XdpProgram() { reset(); }

void XdpProgram::reset() noexcept {
  if (prog_id_ != 0) {  // detach only if the program on the interface is still ours
    bpf_xdp_query_opts q{};
    q.sz = sizeof(q);
    if (bpf_xdp_query(static_cast<int>(ifindex_), 0, &q) == 0 &&
        (mode_ == XdpMode::kNative ? q.drv_prog_id : q.skb_prog_id) == prog_id_)
      bpf_xdp_detach(static_cast<int>(ifindex_), mode_flag(mode_), nullptr);
  }
  if (skel_) xsk_capture__destroy(skel_);
  skel_ = nullptr;
  prog_id_ = 0;
}

}  // namespace securenet::afxdp
