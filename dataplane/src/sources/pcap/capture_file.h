// Reads capture files record by record: classic pcap (any byte order, micro- or
// nanosecond) through libpcap, pcapng through a small reader of our own, because libpcap
// refuses a pcapng whose interfaces have different link types or snap lengths. Each
// record carries its interface's link kind; a record on an interface of an unsupported
// link type is an error naming it (interfaces without packets are fine).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "securenet/parser.h"
#include "securenet/result.h"

namespace securenet {

struct CaptureRecord {
  const uint8_t* data = nullptr;  // valid until the next call to next()
  uint32_t caplen = 0;
  uint32_t len = 0;  // length on the wire
  uint64_t ts_ns = 0;
  LinkKind link = LinkKind::kEthernet;
};

class CaptureFile {
 public:
  // Opens `path` (pcap or pcapng, told apart by the first block).
  static Result<std::unique_ptr<CaptureFile>> open(const std::string& path);
  virtual ~CaptureFile() = default;
  // 1: `r` holds the next record; 0: end of file; -1: error (see error()).
  virtual int next(CaptureRecord& r) noexcept = 0;
  virtual const std::string& error() const noexcept = 0;
};

// The pcapng reader, exposed for tests: reads from `path`.
Result<std::unique_ptr<CaptureFile>> open_pcapng(const std::string& path);

}  // namespace securenet
