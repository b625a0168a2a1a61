#include "block/drop_list.h"

#include <cstring>

namespace securenet::control {

namespace {
bool same(const Cidr& a, const Cidr& b) {
  return a.bits == b.bits && std::memcmp(a.net.bytes, b.net.bytes, 16) == 0;
}
}  // namespace

int DropList::find(const Cidr& prefix) const {
  for (size_t i = 0; i < slots_.size(); ++i)
    if (slots_[i].id != 0 && same(slots_[i].prefix, prefix)) return static_cast<int>(i);
  return -1;
}

std::optional<std::string> DropList::add(const Cidr& prefix) {
  if (prefix.bits == 0 || prefix.bits > 128 || (prefix.v4 && prefix.bits <= 96))
    return std::string("a /0 prefix would drop everything");
  if (find(prefix) >= 0) return prefix.text() + " is already on the drop list";
  for (auto& e : slots_) {
    if (e.id != 0) continue;
    e.id = next_id_++;
    e.prefix = prefix;
    ++used_;
    return std::nullopt;
  }
  return "the drop list is full (" + std::to_string(shm::kDropListCapacity) + " prefixes)";
}

bool DropList::remove(const Cidr& prefix) {
  const int i = find(prefix);
  if (i < 0) return false;
  slots_[static_cast<size_t>(i)] = Entry{};
  --used_;
  return true;
}

void DropList::clear() {
  for (auto& e : slots_) e = Entry{};
  used_ = 0;
}

std::optional<std::pair<size_t, uint64_t>> DropList::slot_of(const Cidr& prefix) const {
  const int i = find(prefix);
  if (i < 0) return std::nullopt;
  return std::make_pair(static_cast<size_t>(i), slots_[static_cast<size_t>(i)].id);
}

void DropList::to_copy(shm::DropListCopy& out) const {
  out.count = used_;
  for (size_t i = 0; i < slots_.size(); ++i) {
    out.entries[i].id = slots_[i].id;
    out.entries[i].prefix = slots_[i].id ? slots_[i].prefix.net : shm::IpKey{};
    out.entries[i].length = slots_[i].id ? slots_[i].prefix.bits : 0;
  }
}

std::optional<uint64_t> read_drop_count(const shm::Header& h, size_t slot, uint64_t id) {
  if (slot >= shm::kDropListCapacity || id == 0) return std::nullopt;
  const auto& c = h.drop_counts[slot];
  if (c.id.load(std::memory_order_acquire) != id) return std::nullopt;
  const uint64_t n = c.drops.load(std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_acquire);
  if (c.id.load(std::memory_order_relaxed) != id) return std::nullopt;
  return n;
}

}  // namespace securenet::control
