// The inline XDP drop list (issue 16 item 4b), the control plane's side: at most
// shm::kDropListCapacity blocked source prefixes, each in a slot it keeps while listed (its
// drop count, kept by the dataplane per slot, stays with it). The App publishes it into the
// segment's ControlBlock::drop_list (shm::write_drop_list); the dataplane's XDP program drops
// the listed sources before the socket. Overlapping prefixes are allowed (the longest match
// counts the drop); the same prefix twice, /0 and a full table are refused.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "securenet/shm_layout.h"
#include "util/cidr.h"

namespace securenet::control {

class DropList {
 public:
  // nullopt when added; else why not ("already listed", "/0 ...", "full").
  std::optional<std::string> add(const Cidr& prefix);
  bool remove(const Cidr& prefix);  // false: not listed
  bool contains(const Cidr& prefix) const { return find(prefix) >= 0; }
  size_t size() const { return used_; }
  void clear();

  struct Entry {
    uint64_t id = 0;  // 0: free
    Cidr prefix;
  };
  const std::array<Entry, shm::kDropListCapacity>& slots() const { return slots_; }
  // The slot and id of a listed prefix.
  std::optional<std::pair<size_t, uint64_t>> slot_of(const Cidr& prefix) const;
  // The table as the segment carries it (generation left to write_drop_list).
  void to_copy(shm::DropListCopy& out) const;

 private:
  int find(const Cidr& prefix) const;
  std::array<Entry, shm::kDropListCapacity> slots_{};
  size_t used_ = 0;
  uint64_t next_id_ = 1;
};

// The drop count of slot `slot` while it holds entry `id` (Header::drop_counts), or nullopt
// when the dataplane has not applied that entry yet.
std::optional<uint64_t> read_drop_count(const shm::Header& h, size_t slot, uint64_t id);

}  // namespace securenet::control
