// The dataplane's drop-list sync (app/drop_sync.h, issue 16 item 4b) against a recording
// filter: a new list is applied once per generation, a slot given a new entry is removed and
// added again with its count restarted, invalid rules are refused and counted, a torn write is
// not applied, and the counts reach the Header under the entry's id.
#include "app/drop_sync.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <vector>

using namespace securenet;

namespace {

class RecordingFilter final : public DropFilter {
 public:
  bool add(uint32_t slot, const shm::IpKey& p, uint32_t length) noexcept override {
    adds.push_back({slot, p.bytes[15], length});
    return !refuse;
  }
  void remove(const shm::IpKey& p, uint32_t length) noexcept override {
    removes.push_back({0, p.bytes[15], length});
  }
  uint64_t drops(uint32_t slot) noexcept override { return counts[slot]; }
  void set_active(bool on) noexcept override { active = on; }

  struct Call {
    uint32_t slot;
    uint8_t last_byte;
    uint32_t length;
  };
  std::vector<Call> adds, removes;
  std::map<uint32_t, uint64_t> counts;
  bool active = false, refuse = false;
};

shm::DropRule v4(uint64_t id, uint8_t last, uint32_t bits) {
  shm::DropRule r;
  r.id = id;
  r.prefix.bytes[10] = r.prefix.bytes[11] = 0xff;
  r.prefix.bytes[12] = 192;
  r.prefix.bytes[13] = 0;
  r.prefix.bytes[14] = 2;
  r.prefix.bytes[15] = last;
  r.length = 96 + bits;
  return r;
}

struct Rig {
  std::shared_ptr<RecordingFilter> f = std::make_shared<RecordingFilter>();
  std::unique_ptr<shm::ControlBlock> cb = std::make_unique<shm::ControlBlock>();
  std::unique_ptr<shm::Header> h = std::make_unique<shm::Header>();
  std::unique_ptr<shm::DropListCopy> list = std::make_unique<shm::DropListCopy>();
  DropListSync sync{{f}, {}};
  void publish() { shm::write_drop_list(cb->drop_list, *list); }
  void poll() { sync.poll(cb->drop_list, *h); }
};

}  // namespace

TEST(DropListSync, AppliesEachGenerationOnceAndWritesCountsById) {
  Rig r;
  r.poll();
  EXPECT_TRUE(r.f->adds.empty());
  r.list->entries[3] = v4(7, 9, 32);
  r.list->count = 1;
  r.publish();
  r.poll();
  ASSERT_EQ(r.f->adds.size(), 1u);
  EXPECT_EQ(r.f->adds[0].slot, 3u);
  EXPECT_EQ(r.f->adds[0].length, 128u);
  EXPECT_TRUE(r.f->active);
  EXPECT_EQ(r.h->drop_list_generation.load(), 1u);
  r.f->counts[3] = 12;
  r.poll();
  r.poll();
  EXPECT_EQ(r.f->adds.size(), 1u) << "the same generation is applied once";
  EXPECT_EQ(r.h->drop_counts[3].id.load(), 7u);
  EXPECT_EQ(r.h->drop_counts[3].drops.load(), 12u);

  // Slot 3 gets another entry: the old prefix leaves the filter, the new one starts at 0.
  r.list->entries[3] = v4(8, 10, 32);
  r.publish();
  r.f->counts[3] = 0;
  r.poll();
  ASSERT_EQ(r.f->removes.size(), 1u);
  EXPECT_EQ(r.f->removes[0].last_byte, 9);
  ASSERT_EQ(r.f->adds.size(), 2u);
  EXPECT_EQ(r.f->adds[1].last_byte, 10);
  EXPECT_EQ(r.h->drop_counts[3].id.load(), 8u);
  EXPECT_EQ(r.h->drop_counts[3].drops.load(), 0u);

  // Emptied: removed, the filter switched off.
  r.list->entries[3] = shm::DropRule{};
  r.list->count = 0;
  r.publish();
  r.poll();
  EXPECT_EQ(r.f->removes.size(), 2u);
  EXPECT_FALSE(r.f->active);
  EXPECT_EQ(r.h->drop_counts[3].id.load(), 0u);
}

TEST(DropListSync, RefusesInvalidRulesAndSkipsATornWrite) {
  Rig r;
  r.list->entries[0] = v4(1, 1, 32);
  r.list->entries[0].length = 0;  // /0
  r.list->entries[1] = v4(2, 2, 0);
  r.list->entries[1].length = 90;  // an IPv4 key shorter than /96 would cover IPv6 space
  r.list->entries[2] = v4(3, 3, 32);
  r.list->entries[2].length = 129;
  r.list->entries[4] = v4(4, 0, 24);  // valid: 192.0.2.0/24
  r.publish();
  r.poll();
  ASSERT_EQ(r.f->adds.size(), 1u);
  EXPECT_EQ(r.f->adds[0].slot, 4u);
  EXPECT_EQ(r.h->drop_list_errors.load(), 3u);

  r.list->entries[5] = v4(5, 5, 32);
  r.publish();
  r.cb->drop_list.seq.store(r.cb->drop_list.seq.load() | 1);  // a write under way
  r.poll();
  EXPECT_EQ(r.f->adds.size(), 1u);
  r.cb->drop_list.seq.store(r.cb->drop_list.seq.load() + 1);  // the write ends
  r.poll();
  EXPECT_EQ(r.f->adds.size(), 2u);
  EXPECT_EQ(r.h->drop_list_errors.load(), 3u);

  // A filter the kernel refuses counts an error; the entry still has its slot.
  r.f->refuse = true;
  r.list->entries[6] = v4(6, 6, 32);
  r.publish();
  r.poll();
  EXPECT_EQ(r.h->drop_list_errors.load(), 4u);  // the invalid ones are counted once each
}
