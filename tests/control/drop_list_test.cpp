// The inline XDP drop list's table (block/drop_list.h, issue 16 item 4b): a full table,
// duplicates, IPv6, /0 refused, overlapping prefixes, stable slots, and its trip through the
// segment's ControlBlock (seqlock) and the Header's per-slot drop counts.
#include "block/drop_list.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

using namespace securenet;
using namespace securenet::control;

namespace {
Cidr cidr(const std::string& s) {
  auto c = parse_cidr(s);
  EXPECT_TRUE(c) << s;
  return c.value_or(Cidr{});
}
}  // namespace

TEST(DropList, RefusesZeroPrefixesAndDuplicatesAndTakesIpv6) {
  DropList l;
  EXPECT_NE(l.add(cidr("0.0.0.0/0")), std::nullopt);
  EXPECT_NE(l.add(cidr("::/0")), std::nullopt);
  EXPECT_EQ(l.add(cidr("203.0.113.7")), std::nullopt);
  auto dup = l.add(cidr("203.0.113.7/32"));
  ASSERT_TRUE(dup);
  EXPECT_NE(dup->find("already"), std::string::npos) << *dup;
  EXPECT_EQ(l.add(cidr("2001:db8::/32")), std::nullopt);
  EXPECT_EQ(l.add(cidr("2001:db8::1")), std::nullopt);
  EXPECT_NE(l.add(cidr("2001:DB8::1/128")), std::nullopt);  // the same prefix, other spelling
  EXPECT_EQ(l.size(), 3u);
  EXPECT_TRUE(l.contains(cidr("2001:db8::/32")));
  EXPECT_FALSE(l.contains(cidr("2001:db8::/33")));
}

TEST(DropList, OverlappingPrefixesEachKeepASlot) {
  DropList l;
  ASSERT_EQ(l.add(cidr("10.0.0.0/8")), std::nullopt);
  ASSERT_EQ(l.add(cidr("10.1.0.0/16")), std::nullopt);
  ASSERT_EQ(l.add(cidr("10.1.2.3")), std::nullopt);
  auto a = l.slot_of(cidr("10.0.0.0/8")), b = l.slot_of(cidr("10.1.0.0/16")),
       c = l.slot_of(cidr("10.1.2.3"));
  ASSERT_TRUE(a && b && c);
  EXPECT_NE(a->first, b->first);
  EXPECT_NE(b->first, c->first);
  EXPECT_TRUE(l.remove(cidr("10.1.0.0/16")));
  EXPECT_FALSE(l.remove(cidr("10.1.0.0/16")));
  // The others keep their slot and id (their counts stay with them); a new prefix reuses the
  // freed slot with a new id.
  EXPECT_EQ(l.slot_of(cidr("10.0.0.0/8")), a);
  EXPECT_EQ(l.slot_of(cidr("10.1.2.3")), c);
  ASSERT_EQ(l.add(cidr("192.0.2.0/24")), std::nullopt);
  auto d = l.slot_of(cidr("192.0.2.0/24"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->first, b->first);
  EXPECT_GT(d->second, c->second);
}

TEST(DropList, AFullTableRefusesTheNextPrefixUntilOneLeaves) {
  DropList l;
  for (size_t i = 0; i < shm::kDropListCapacity; ++i)
    ASSERT_EQ(l.add(cidr("198.18." + std::to_string(i / 256) + "." + std::to_string(i % 256))),
              std::nullopt)
        << i;
  EXPECT_EQ(l.size(), shm::kDropListCapacity);
  auto full = l.add(cidr("198.19.0.1"));
  ASSERT_TRUE(full);
  EXPECT_NE(full->find("full"), std::string::npos) << *full;
  EXPECT_TRUE(l.remove(cidr("198.18.0.5")));
  EXPECT_EQ(l.add(cidr("198.19.0.1")), std::nullopt);
}

TEST(DropList, TravelsThroughTheControlBlockAndCountsComeBackByEntry) {
  DropList l;
  ASSERT_EQ(l.add(cidr("203.0.113.0/24")), std::nullopt);
  ASSERT_EQ(l.add(cidr("2001:db8::7")), std::nullopt);
  auto cb = std::make_unique<shm::ControlBlock>();
  auto copy = std::make_unique<shm::DropListCopy>();
  l.to_copy(*copy);
  shm::write_drop_list(cb->drop_list, *copy);
  shm::write_drop_list(cb->drop_list, *copy);
  auto back = std::make_unique<shm::DropListCopy>();
  ASSERT_TRUE(shm::try_read_drop_list(cb->drop_list, *back));
  EXPECT_EQ(back->generation, 2u);
  EXPECT_EQ(back->count, 2u);
  auto v4 = l.slot_of(cidr("203.0.113.0/24"));
  ASSERT_TRUE(v4);
  const shm::DropRule& r = back->entries[v4->first];
  EXPECT_EQ(r.id, v4->second);
  EXPECT_EQ(r.length, 96u + 24u);
  EXPECT_EQ(r.prefix.bytes[10], 0xff);
  EXPECT_EQ(r.prefix.bytes[12], 203);
  EXPECT_EQ(r.prefix.bytes[15], 0);
  // A write under way (odd seq) is never read half.
  cb->drop_list.seq.store(cb->drop_list.seq.load() | 1);
  EXPECT_FALSE(shm::try_read_drop_list(cb->drop_list, *back));

  auto h = std::make_unique<shm::Header>();
  EXPECT_EQ(read_drop_count(*h, v4->first, v4->second), std::nullopt);  // not applied yet
  h->drop_counts[v4->first].drops.store(41);
  h->drop_counts[v4->first].id.store(v4->second);
  EXPECT_EQ(read_drop_count(*h, v4->first, v4->second), 41u);
  EXPECT_EQ(read_drop_count(*h, v4->first, v4->second + 1), std::nullopt);  // another entry
  EXPECT_EQ(read_drop_count(*h, shm::kDropListCapacity, v4->second), std::nullopt);
}
