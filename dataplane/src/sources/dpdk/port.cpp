#include "sources/dpdk/port.h"

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace securenet::dpdk {
namespace {

constexpr unsigned kPoolCache = 256;
constexpr uint32_t kMinPoolSize = 16383;  // 2^n - 1 is the best size for a mempool ring
constexpr uint32_t kBurstSlack = 512;

std::string port_list() {
  std::string names;
  uint16_t pid = 0;
  RTE_ETH_FOREACH_DEV(pid) {
    char name[RTE_ETH_NAME_MAX_LEN] = {};
    rte_eth_dev_get_name_by_port(pid, name);
    if (!names.empty()) names += ", ";
    names += std::to_string(pid) + "=" + name;
  }
  return names.empty() ? "none" : names;
}

std::string errstr(int rc) { return rte_strerror(rc < 0 ? -rc : rc); }

// Symmetric Toeplitz key (0x6d5a repeated): both directions of a flow hash alike, so one
// worker sees both sides of a conversation.
void set_symmetric_rss(rte_eth_conf& conf, const rte_eth_dev_info& info, uint8_t* key) {
  conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
  conf.rx_adv_conf.rss_conf.rss_hf =
      (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
  if (info.hash_key_size > 0 && info.hash_key_size <= 64) {
    for (unsigned i = 0; i < info.hash_key_size; ++i) key[i] = (i % 2) ? 0x5a : 0x6d;
    conf.rx_adv_conf.rss_conf.rss_key = key;
    conf.rx_adv_conf.rss_conf.rss_key_len = info.hash_key_size;
  }
}

uint32_t pool_size(uint32_t ring, uint16_t queues) {
  const uint64_t want = 2ull * ring * queues + uint64_t{queues} * (kBurstSlack + kPoolCache);
  uint64_t n = kMinPoolSize;
  while (n < want) n = n * 2 + 1;
  return static_cast<uint32_t>(n);
}

}  // namespace

Result<uint16_t> resolve_port(const std::string& target) {
  if (rte_eth_dev_count_avail() == 0)
    return make_error(
        "DPDK: no ports; bind a NIC to vfio-pci (dpdk-devbind.py) or add a "
        "virtual device to the EAL args, e.g. --vdev net_pcap0,rx_pcap=FILE");
  uint16_t pid = 0;
  const char* end = target.data() + target.size();
  auto [p, ec] = std::from_chars(target.data(), end, pid);
  const bool numeric = !target.empty() && ec == std::errc() && p == end;
  if (numeric) {
    if (!rte_eth_dev_is_valid_port(pid))
      return make_error("DPDK: no port " + target + " (ports: " + port_list() + ")");
    return pid;
  }
  if (target.empty()) {
    RTE_ETH_FOREACH_DEV(pid) return pid;  // the first port
  }
  if (rte_eth_dev_get_port_by_name(target.c_str(), &pid) != 0)
    return make_error("DPDK: no port named '" + target + "' (ports: " + port_list() +
                      "); give a port id or the name used with --vdev/-a");
  return pid;
}

Result<std::shared_ptr<Port>> Port::open(std::shared_ptr<Eal> eal, const PortOptions& o) {
  auto pid = resolve_port(o.target);
  if (!pid) return pid.error();
  std::shared_ptr<Port> port(new Port(std::move(eal), *pid));
  if (auto st = port->configure(o); !st) return st.error();
  return port;
}

Status Port::configure(const PortOptions& o) {
  rte_eth_dev_info info{};
  if (int rc = rte_eth_dev_info_get(id_, &info); rc != 0)
    return make_error("DPDK: port " + std::to_string(id_) + ": no device info: " + errstr(rc));
  const std::string what =
      "DPDK port " + std::to_string(id_) + " (" + (info.driver_name ? info.driver_name : "?") + ")";
  if (o.queues == 0 || o.queues > info.max_rx_queues)
    return make_error(what + " has " + std::to_string(info.max_rx_queues) + " RX queue(s), " +
                      std::to_string(o.queues) +
                      " workers asked; use at most that many workers (net_pcap: one "
                      "rx_pcap= per queue)");

  rte_eth_conf conf{};
  uint8_t key[64] = {};
  if (o.queues > 1 && info.flow_type_rss_offloads != 0) set_symmetric_rss(conf, info, key);
  // Receive only; drivers that insist on TX queues (net_af_xdp pairs them) get idle ones.
  uint16_t tx_queues = 0;
  int rc = rte_eth_dev_configure(id_, o.queues, 0, &conf);
  if (rc != 0) rc = rte_eth_dev_configure(id_, o.queues, tx_queues = o.queues, &conf);
  if (rc != 0) return make_error(what + ": configure failed: " + errstr(rc));
  configured_ = true;
  queues_ = o.queues;

  uint16_t nb_rxd = static_cast<uint16_t>(std::clamp<uint32_t>(o.ring_size, 64, 32768));
  uint16_t nb_txd = 0;
  rte_eth_dev_adjust_nb_rx_tx_desc(id_, &nb_rxd, &nb_txd);

  const int socket = rte_eth_dev_socket_id(id_);
  const uint32_t n = pool_size(nb_rxd, o.queues);
  const std::string pool_name = "snet_rx_" + std::to_string(id_);
  pool_ = rte_pktmbuf_pool_create(pool_name.c_str(), n, kPoolCache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                  socket < 0 ? SOCKET_ID_ANY : socket);
  if (!pool_)
    return make_error(what + ": cannot allocate " + std::to_string(n) + " mbufs (~" +
                          std::to_string(uint64_t{n} * 2432 >> 20) +
                          " MiB): give the EAL more memory (-m 1024 with --no-huge, or "
                          "reserve more hugepages): " +
                          rte_strerror(rte_errno),
                      rte_errno);

  for (uint16_t q = 0; q < o.queues; ++q) {
    rte_eth_rxconf rxconf = info.default_rxconf;
    if (int qrc = rte_eth_rx_queue_setup(id_, q, nb_rxd, socket < 0 ? SOCKET_ID_ANY : socket,
                                         &rxconf, pool_);
        qrc != 0)
      return make_error(what + ": RX queue " + std::to_string(q) + " setup failed: " + errstr(qrc) +
                        (qrc == -ENOMEM ? " (net_pcap infinite_rx keeps the whole capture in "
                                          "mbufs: use a smaller capture or a larger ring size)"
                                        : ""));
  }
  for (uint16_t q = 0; q < tx_queues; ++q) {
    if (int trc = rte_eth_tx_queue_setup(id_, q, nb_txd ? nb_txd : 512,
                                         socket < 0 ? SOCKET_ID_ANY : socket, nullptr);
        trc != 0)
      return make_error(what + ": TX queue " + std::to_string(q) + " setup failed: " + errstr(trc));
  }
  if (int src = rte_eth_dev_start(id_); src != 0)
    return make_error(what + ": start failed: " + errstr(src));
  started_ = true;
  rte_eth_promiscuous_enable(id_);  // not every virtual device has it; capture works anyway
  rte_eth_stats_reset(id_);
  return Ok{};
}

Port::~Port() {
  if (started_) rte_eth_dev_stop(id_);
  if (configured_) rte_eth_dev_close(id_);
  if (pool_) rte_mempool_free(pool_);
}

SourceStats Port::stats() const noexcept {
  rte_eth_stats s{};
  if (rte_eth_stats_get(id_, &s) != 0) return {};
  return SourceStats{s.imissed + s.rx_nombuf, s.ierrors};
}

}  // namespace securenet::dpdk
