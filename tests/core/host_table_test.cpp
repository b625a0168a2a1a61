// The per-worker host table: insertion, lookup, keys, and a full table that counts.
#include "pipeline/host_table.h"

#include <gtest/gtest.h>

#include <set>

#include "core_test_util.h"

namespace securenet {
namespace {

using test::key;

TEST(HostTable, InsertsThenFindsTheSameEntry) {
  auto seg = test::make_segment("ht-insert", 1, 1024);
  ASSERT_TRUE(seg) << seg.error().message;
  HostTable t(seg->hosts(0), seg->host_capacity(0), &seg->counters(0));
  shm::HostEntry* a = t.find_or_insert(key("10.0.0.1"));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(t.find_or_insert(key("10.0.0.1")), a);
  EXPECT_EQ(t.find(key("10.0.0.1")), a);
  EXPECT_EQ(t.find(key("10.0.0.2")), nullptr);
  EXPECT_EQ(a->state.load(), shm::kHostOccupied);
  EXPECT_EQ(ip_text(a->key), "10.0.0.1");
  EXPECT_EQ(shm::read(seg->counters(0).hosts_in_table), 1u);
}

TEST(HostTable, Ipv4AndIpv6KeysAreDistinct) {
  auto seg = test::make_segment("ht-keys", 1, 1024);
  ASSERT_TRUE(seg) << seg.error().message;
  HostTable t(seg->hosts(0), seg->host_capacity(0), &seg->counters(0));
  const char* addrs[] = {"10.0.0.1", "::a00:1", "::ffff:10.0.0.2", "2001:db8::1", "fe80::1",
                         "0.0.0.0",  "::"};
  std::set<const shm::HostEntry*> seen;
  for (const char* a : addrs) seen.insert(t.find_or_insert(key(a)));
  // ::ffff:10.0.0.2 is the same key as 10.0.0.2: seven texts, seven distinct keys.
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_NE(t.find(key("10.0.0.2")), nullptr);
  EXPECT_EQ(ip_text(t.find(key("10.0.0.2"))->key), "10.0.0.2");
  EXPECT_EQ(ip_text(t.find(key("2001:db8::1"))->key), "2001:db8::1");
  EXPECT_EQ(shm::read(seg->counters(0).hosts_in_table), 7u);
}

TEST(HostTable, ManyKeysAllFoundWhenThereIsRoom) {
  auto seg = test::make_segment("ht-many", 1, 4096);
  ASSERT_TRUE(seg) << seg.error().message;
  HostTable t(seg->hosts(0), seg->host_capacity(0), &seg->counters(0));
  for (uint32_t i = 0; i < 3000; ++i) {
    shm::IpKey k{};
    k.bytes[10] = k.bytes[11] = 0xff;
    std::memcpy(k.bytes + 12, &i, 4);
    ASSERT_NE(t.find_or_insert(k), nullptr) << i;
  }
  EXPECT_EQ(shm::read(seg->counters(0).hosts_in_table), 3000u);
  EXPECT_EQ(shm::read(seg->counters(0).host_table_full), 0u);
}

TEST(HostTable, FullTableCountsWhatItCouldNotPlace) {
  auto seg = test::make_segment("ht-full", 1, 64);  // the smallest table
  ASSERT_TRUE(seg) << seg.error().message;
  ASSERT_EQ(seg->host_capacity(0), 64u);
  HostTable t(seg->hosts(0), seg->host_capacity(0), &seg->counters(0));
  uint64_t placed = 0, missed = 0;
  for (uint32_t i = 0; i < 500; ++i) {
    shm::IpKey k{};
    std::memcpy(k.bytes, &i, 4);
    (t.find_or_insert(k) ? placed : missed) += 1;
  }
  EXPECT_LE(placed, 64u);
  EXPECT_GT(missed, 0u);
  EXPECT_EQ(placed + missed, 500u);
  EXPECT_EQ(shm::read(seg->counters(0).hosts_in_table), placed);
  EXPECT_EQ(shm::read(seg->counters(0).host_table_full), missed);
}

TEST(HostTable, ClearEmptiesTheTable) {
  auto seg = test::make_segment("ht-clear", 1, 256);
  ASSERT_TRUE(seg) << seg.error().message;
  HostTable t(seg->hosts(0), seg->host_capacity(0), &seg->counters(0));
  shm::bump(t.find_or_insert(key("10.1.2.3"))->packets_sent, 5);
  t.clear();
  EXPECT_EQ(t.find(key("10.1.2.3")), nullptr);
  EXPECT_EQ(shm::read(seg->counters(0).hosts_in_table), 0u);
  shm::HostEntry* again = t.find_or_insert(key("10.1.2.3"));
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(shm::read(again->packets_sent), 0u);
}

TEST(IpFormat, RoundTripsAndRejectsGarbage) {
  auto k = parse_ip_text("192.168.1.20");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->bytes[10], 0xff);
  EXPECT_EQ(k->bytes[15], 20);
  EXPECT_TRUE(is_v4_mapped(*k));
  EXPECT_EQ(ip_text(*k), "192.168.1.20");
  k = parse_ip_text("2001:db8::42");
  ASSERT_TRUE(k);
  EXPECT_FALSE(is_v4_mapped(*k));
  EXPECT_EQ(ip_text(*k), "2001:db8::42");
  EXPECT_FALSE(parse_ip_text("10.0.0.256"));
  EXPECT_FALSE(parse_ip_text("not an address"));
  EXPECT_FALSE(parse_ip_text(""));
  EXPECT_FALSE(parse_ip_text(std::string(46, '1')));  // longer than any address text
}

}  // namespace
}  // namespace securenet
