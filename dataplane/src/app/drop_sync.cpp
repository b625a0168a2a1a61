#include "app/drop_sync.h"

#include <cstring>

namespace securenet {

namespace {
constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool same(const shm::DropRule& a, const shm::DropRule& b) {
  return a.id == b.id && a.length == b.length &&
         std::memcmp(a.prefix.bytes, b.prefix.bytes, 16) == 0;
}
}  // namespace

bool valid_drop_rule(const shm::DropRule& r) {
  if (r.id == 0 || r.length == 0 || r.length > 128) return false;
  const bool mapped = std::memcmp(r.prefix.bytes, kMapped, 12) == 0;
  return !mapped || r.length >= 96;  // an IPv4 prefix never reaches into ::/96 (no /0 by v4)
}

DropListSync::DropListSync(std::vector<std::shared_ptr<DropFilter>> filters,
                           std::vector<const PacketSource*> sources)
    : filters_(std::move(filters)), sources_(std::move(sources)) {}

void DropListSync::apply(const shm::DropListCopy& next, shm::Header& h) {
  // Removals first (a prefix that moved to another slot is added again below).
  for (size_t i = 0; i < shm::kDropListCapacity; ++i) {
    const shm::DropRule& old = applied_->entries[i];
    if (old.id == 0 || same(old, next.entries[i])) continue;
    for (auto& f : filters_) f->remove(old.prefix, static_cast<uint32_t>(old.length));
    h.drop_counts[i].id.store(0, std::memory_order_release);
  }
  uint64_t errors = 0;
  size_t active = 0;
  for (size_t i = 0; i < shm::kDropListCapacity; ++i) {
    shm::DropRule r = next.entries[i];
    if (r.id != 0 && !valid_drop_rule(r)) {
      if (refused_[i] != r.id) ++errors;  // counted once per entry
      refused_[i] = r.id;
      r = shm::DropRule{};
    }
    if (r.id != 0) ++active;
    if (r.id == 0 || same(applied_->entries[i], r)) {
      applied_->entries[i] = r;
      continue;
    }
    bool ok = true;
    for (auto& f : filters_)
      ok = f->add(static_cast<uint32_t>(i), r.prefix, static_cast<uint32_t>(r.length)) && ok;
    if (!ok) ++errors;
    h.drop_counts[i].drops.store(0, std::memory_order_relaxed);
    h.drop_counts[i].id.store(r.id, std::memory_order_release);
    applied_->entries[i] = r;
  }
  for (auto& f : filters_) f->set_active(active != 0);
  applied_->generation = next.generation;
  if (errors) shm::bump(h.drop_list_errors, errors);
  h.drop_list_generation.store(next.generation, std::memory_order_release);
}

void DropListSync::poll(const shm::DropListControl& list, shm::Header& h) {
  if (list.generation.load(std::memory_order_acquire) != applied_->generation &&
      shm::try_read_drop_list(list, *staging_))
    apply(*staging_, h);
  for (size_t i = 0; i < shm::kDropListCapacity; ++i) {
    if (applied_->entries[i].id == 0) continue;
    uint64_t n = 0;
    for (auto& f : filters_) n += f->drops(static_cast<uint32_t>(i));
    h.drop_counts[i].drops.store(n, std::memory_order_relaxed);
  }
  InlineStats sum;
  for (const PacketSource* s : sources_) {
    const InlineStats st = s->inline_stats();
    sum.forwarded += st.forwarded;
    sum.tx_errors += st.tx_errors;
  }
  h.inline_forwarded.store(sum.forwarded, std::memory_order_relaxed);
  h.inline_tx_errors.store(sum.tx_errors, std::memory_order_relaxed);
}

}  // namespace securenet
