// Inline drop list (issue 16 item 4b), the dataplane's side: the control plane's table
// (ControlBlock::drop_list, its own seqlock) goes into the sources' drop filters (the XDP
// program's LPM trie) when its generation moves, and each entry's drop count comes back into
// the Header (drop_counts, read by securenet-control for /api/status). Runs on the main
// thread every 50 ms (the packet path never sees it); a slot keeps its count while its entry
// stays, a slot given a new entry starts again at 0.
#pragma once

#include <memory>
#include <vector>

#include "securenet/shm_layout.h"
#include "securenet/source.h"

namespace securenet {

class DropListSync {
 public:
  DropListSync(std::vector<std::shared_ptr<DropFilter>> filters,
               std::vector<const PacketSource*> sources);
  // One round: applies a new list (if whole), then writes the counts.
  void poll(const shm::DropListControl& list, shm::Header& h);
  bool empty() const { return filters_.empty() && sources_.empty(); }

 private:
  void apply(const shm::DropListCopy& next, shm::Header& h);

  std::vector<std::shared_ptr<DropFilter>> filters_;  // one per interface
  std::vector<const PacketSource*> sources_;          // inline counters
  std::unique_ptr<shm::DropListCopy> applied_ = std::make_unique<shm::DropListCopy>();
  std::unique_ptr<shm::DropListCopy> staging_ = std::make_unique<shm::DropListCopy>();
  std::vector<uint64_t> refused_ = std::vector<uint64_t>(shm::kDropListCapacity, 0);
};

// A rule the filters can take: length 1..128, an IPv4 prefix (mapped key) at least /96.
bool valid_drop_rule(const shm::DropRule& r);

}  // namespace securenet
