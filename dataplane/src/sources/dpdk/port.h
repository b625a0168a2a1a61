// One DPDK ethdev port opened for receive-only capture (RAII): N RX queues (RSS across
// them when N > 1 and the device hashes), no TX queue, one mbuf pool, promiscuous, started.
// The destructor stops and closes the port and frees the pool.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "securenet/result.h"
#include "securenet/source.h"
#include "sources/dpdk/eal.h"

struct rte_mempool;

namespace securenet::dpdk {

struct PortOptions {
  std::string target;  // port id ("0") or device name ("net_pcap0", "0000:03:00.0")
  uint16_t queues = 1;
  uint32_t ring_size = 4096;  // RX descriptors per queue (adjusted to the device's limits)
};

class Port {
 public:
  static Result<std::shared_ptr<Port>> open(std::shared_ptr<Eal> eal, const PortOptions& o);
  ~Port();
  Port(const Port&) = delete;
  Port& operator=(const Port&) = delete;

  uint16_t id() const { return id_; }
  uint16_t queues() const { return queues_; }
  // Port-wide counters: drops = imissed + rx_nombuf, errors = ierrors.
  SourceStats stats() const noexcept;

 private:
  Port(std::shared_ptr<Eal> eal, uint16_t id) : eal_(std::move(eal)), id_(id) {}
  Status configure(const PortOptions& o);

  std::shared_ptr<Eal> eal_;
  uint16_t id_;
  uint16_t queues_ = 0;
  bool configured_ = false;
  bool started_ = false;
  rte_mempool* pool_ = nullptr;
};

// Port id for a target: a number, or a device name known to ethdev.
Result<uint16_t> resolve_port(const std::string& target);

}  // namespace securenet::dpdk
