// Issue 16's attack capture on the worker's side: once the control block names a host, the
// packets to and from it are copied whole into the capture ring for the first N packets or
// T of packet time, whichever ends first; a huge frame is cut to the snap length; nothing is
// written while no capture is in force.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core_test_util.h"
#include "pipeline/packet_counter.h"

namespace securenet {
namespace {

constexpr uint64_t kT0 = 1'700'000'000'000'000'000ULL;
constexpr uint64_t kSec = 1'000'000'000ULL;

class CaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = test::make_segment("cap", 1, 4096);
    ASSERT_TRUE(s) << s.error().message;
    seg_.emplace(std::move(*s));
    auto r = ShmReader::open(seg_->name(), true);
    ASSERT_TRUE(r) << r.error().message;
    reader_.emplace(std::move(*r));
    pc_.emplace(*seg_, 0);
  }
  shm::CaptureControl& control() { return reader_->control()->capture; }
  void feed(const std::vector<pkt::Frame>& frames, uint64_t ts, uint64_t step = 0) {
    std::vector<PacketView> v;
    for (const auto& f : frames) {
      v.push_back(test::view(f, ts));
      ts += step;
    }
    pc_->poll_control();
    pc_->process(v.data(), static_cast<uint32_t>(v.size()));
  }
  std::vector<CapturedFrame> drain(uint64_t id) {
    std::vector<CapturedFrame> out;
    EXPECT_EQ(reader_->read_captures(cursors_, id, out), 0u);
    return out;
  }
  std::optional<Segment> seg_;
  std::optional<ShmReader> reader_;
  std::optional<PacketCounter> pc_;
  std::vector<CaptureCursor> cursors_;
};

TEST_F(CaptureTest, NothingIsWrittenWithoutACapture) {
  feed({test::tcp4("10.0.0.5", "10.0.0.9", 1000, 80, 0x02)}, kT0);
  EXPECT_FALSE(pc_->capture().active());
  EXPECT_EQ(shm::read(seg_->capture_ring(0).records), 0u);
}

TEST_F(CaptureTest, FirstNPacketsOfBothDirectionsEndTheWindow) {
  shm::start_capture(control(), test::key("10.0.0.5"), 7, 2000, 10 * kSec);
  uint64_t ts = kT0;
  size_t host_packets = 0, want_sent = 0;     // want_sent: sent among the host's first 2000
  for (int burst = 0; burst < 60; ++burst) {  // 60 x 64 packets in 1 s: the count ends it
    std::vector<pkt::Frame> frames;
    for (int i = 0; i < 64; ++i) {
      if (i % 3 == 0) frames.push_back(test::tcp4("10.0.0.5", "10.0.0.9", 1000 + i, 80, 0x02));
      if (i % 3 == 1) frames.push_back(test::udp4("10.0.0.8", "10.0.0.5", 53, 4000 + i, 10));
      if (i % 3 == 2) frames.push_back(test::tcp4("10.0.0.1", "10.0.0.2", 1, 2, 0x10));  // others
      if (i % 3 != 2 && ++host_packets <= 2000 && i % 3 == 0) ++want_sent;
    }
    feed(frames, ts, 100'000);
    ts += 64 * 100'000;
  }
  ASSERT_GT(host_packets, 2000u);
  auto got = drain(7);
  ASSERT_EQ(got.size(), 2000u);
  size_t sent = 0, recv = 0;
  for (const auto& f : got) {
    EXPECT_EQ(f.data.size(), f.wire_len);  // whole
    const auto* ip = reinterpret_cast<const uint8_t*>(f.data.data()) + 14;
    if (ip[12] == 10 && ip[15] == 5) ++sent;
    if (ip[16] == 10 && ip[19] == 5) ++recv;
  }
  EXPECT_EQ(sent, want_sent);
  EXPECT_EQ(recv, 2000u - want_sent);
  EXPECT_GT(recv, 900u);
  EXPECT_FALSE(pc_->capture().active());
  EXPECT_EQ(reader_->capture_done_id(0), 7u);
}

TEST_F(CaptureTest, PacketTimeEndsTheWindowFirst) {
  shm::start_capture(control(), test::key("10.0.0.5"), 3, 2000, 10 * kSec);
  std::vector<pkt::Frame> frames;
  for (int i = 0; i < 15; ++i) frames.push_back(test::tcp4("10.0.0.9", "10.0.0.5", 80, 1000, 0x12));
  feed(frames, kT0, kSec);  // one per second: 0..9 s are in, 10 s ends it
  auto got = drain(3);
  ASSERT_EQ(got.size(), 10u);
  EXPECT_EQ(got.back().ts_ns, kT0 + 9 * kSec);
  EXPECT_EQ(reader_->capture_done_id(0), 3u);
}

TEST_F(CaptureTest, AHugeFrameIsCutToTheSnapLength) {
  shm::start_capture(control(), test::key("10.0.0.5"), 1, 10, 10 * kSec);
  auto big = test::udp4("10.0.0.5", "10.0.0.9", 5000, 6000, 9000);
  feed({big}, kT0);
  auto got = drain(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data.size(), shm::kCaptureSnapLen);
  EXPECT_EQ(got[0].wire_len, big.wire_len);
  EXPECT_EQ(0, std::memcmp(got[0].data.data(), big.data.data(), shm::kCaptureSnapLen));
}

TEST_F(CaptureTest, ANewCaptureOrAStopEndsTheOneInForce) {
  shm::start_capture(control(), test::key("10.0.0.5"), 1, 100, 10 * kSec);
  feed({test::tcp4("10.0.0.5", "10.0.0.9", 1, 2, 0x02)}, kT0);
  EXPECT_TRUE(pc_->capture().active());
  shm::start_capture(control(), test::key("2001:db8::7"), 2, 100, 10 * kSec);
  feed({test::tcp4("10.0.0.5", "10.0.0.9", 1, 2, 0x02),
        test::tcp6("2001:db8::7", "2001:db8::1", 1, 2, 0x02)},
       kT0 + 1);
  EXPECT_EQ(reader_->capture_done_id(0), 1u);
  auto first = drain(1);
  EXPECT_EQ(first.size(), 1u);  // the second capture's packets are not the first's
  cursors_.clear();
  EXPECT_EQ(drain(2).size(), 1u);
  shm::stop_capture(control());
  feed({test::tcp6("2001:db8::7", "2001:db8::1", 1, 2, 0x02)}, kT0 + 2);
  EXPECT_FALSE(pc_->capture().active());
  EXPECT_EQ(reader_->capture_done_id(0), 2u);
  EXPECT_EQ(shm::read(seg_->capture_ring(0).records), 2u);
}

}  // namespace
}  // namespace securenet
