// Issue 16's capture ring as a byte ring (shm_layout.h): records packed back to back, a
// skip marker (or nothing, when too little is left) ends a block, the reader resumes at a
// block start when the writer has lapped it, counts what it missed as lost and never
// returns a record the writer may be overwriting.
#include "pipeline/capture_ring.h"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <thread>

#include "core_test_util.h"

namespace securenet {
namespace {

using Hdr = shm::CaptureRecordHeader;

// Frame i: its bytes, length and time are functions of i, so any torn copy shows.
struct Frames {
  uint32_t (*length)(uint64_t i);
  std::vector<uint8_t> bytes(uint64_t i) const {
    std::vector<uint8_t> b(length(i));
    for (size_t j = 0; j < b.size(); ++j) b[j] = static_cast<uint8_t>(i * 131 + j * 7 + 1);
    return b;
  }
};

class CaptureRingTest : public ::testing::Test {
 protected:
  void open(uint64_t capture_bytes) {
    SegmentOptions o;
    o.instance = test::unique_instance("capring");
    o.host_capacity = 64;
    o.ring_capacity = 16;
    o.capture_bytes = capture_bytes;
    o.source_kind = shm::SourceKind::kPcap;
    auto s = Segment::create(o);
    ASSERT_TRUE(s) << s.error().message;
    seg_.emplace(std::move(*s));
    auto r = ShmReader::open(seg_->name());
    ASSERT_TRUE(r) << r.error().message;
    reader_.emplace(std::move(*r));
    writer_ = CaptureWriter(&ring(), seg_->capture_data(0));
  }
  shm::CaptureRingHeader& ring() { return seg_->capture_ring(0); }
  uint64_t cap() const { return seg_->header().capture_bytes; }
  uint64_t head() { return shm::read(ring().head); }
  void write(uint64_t i, const std::vector<uint8_t>& b, uint32_t wire_len = 0,
             LinkKind link = LinkKind::kEthernet, uint64_t id = 7) {
    PacketView v{b.data(), static_cast<uint32_t>(b.size()),
                 wire_len ? wire_len : static_cast<uint32_t>(b.size()), 1000 + i, link};
    writer_.write(v, id);
  }
  void write_n(const Frames& f, uint64_t from, uint64_t to) {
    for (uint64_t i = from; i < to; ++i) write(i, f.bytes(i));
  }
  uint64_t read(std::vector<CapturedFrame>& out, uint64_t id = 7) {
    return reader_->read_captures(cursors_, id, out);
  }
  // Frames [from, to) of `f`, byte-exact, in order.
  void expect_frames(const std::vector<CapturedFrame>& got, const Frames& f, uint64_t from,
                     uint64_t to) {
    ASSERT_EQ(got.size(), to - from);
    for (uint64_t i = from; i < to; ++i) {
      const CapturedFrame& g = got[i - from];
      ASSERT_EQ(g.ts_ns, 1000 + i);
      const auto want = f.bytes(i);
      ASSERT_EQ(g.data, std::string(want.begin(), want.end())) << "frame " << i;
      ASSERT_EQ(g.wire_len, want.size());
    }
  }
  Hdr header_at(uint64_t pos) {
    Hdr h;
    std::memcpy(&h, seg_->capture_data(0) + (pos & (cap() - 1)), sizeof h);
    return h;
  }

  std::optional<Segment> seg_;
  std::optional<ShmReader> reader_;
  CaptureWriter writer_;
  std::vector<CaptureCursor> cursors_;
};

uint32_t mixed(uint64_t i) { return static_cast<uint32_t>((i * 37) % 300); }
uint32_t snap(uint64_t) { return shm::kCaptureSnapLen; }
uint32_t hundred(uint64_t) { return 100; }

TEST_F(CaptureRingTest, SeveralRecordsAreReadBackByteExactAndPacked) {
  open(1 << 20);
  const Frames f{mixed};
  write_n(f, 0, 50);
  uint64_t bytes = 0;
  for (uint64_t i = 0; i < 50; ++i) bytes += shm::capture_record_size(mixed(i));
  EXPECT_EQ(head(), bytes);  // back to back, no gap
  EXPECT_EQ(shm::read(ring().records), 50u);
  std::vector<CapturedFrame> got;
  EXPECT_EQ(read(got), 0u);
  expect_frames(got, f, 0, 50);
  write_n(f, 50, 60);  // the cursor goes on from where it was
  got.clear();
  EXPECT_EQ(read(got), 0u);
  expect_frames(got, f, 50, 60);
  got.clear();
  EXPECT_EQ(read(got), 0u);
  EXPECT_TRUE(got.empty());
}

TEST_F(CaptureRingTest, OtherCapturesAreSkippedNotLost) {
  open(1 << 20);
  const std::vector<uint8_t> b(80, 0xab);
  write(0, b, 0, LinkKind::kEthernet, 3);
  write(1, b, 0, LinkKind::kSll, 4);
  write(2, b, 0, LinkKind::kEthernet, 3);
  std::vector<CapturedFrame> got;
  EXPECT_EQ(read(got, 4), 0u);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].ts_ns, 1001u);
  EXPECT_EQ(got[0].link, static_cast<uint8_t>(LinkKind::kSll));
}

TEST_F(CaptureRingTest, AFrameOfExactlyTheSnapLengthIsWholeALongerOneIsCut) {
  open(1 << 20);
  const Frames f{snap};
  write(0, f.bytes(0));
  EXPECT_EQ(head(), shm::kCaptureMaxRecord);
  std::vector<uint8_t> longer = f.bytes(1);
  longer.push_back(0x55);
  write(1, longer, 9000);
  EXPECT_EQ(head(), 2 * shm::kCaptureMaxRecord);
  std::vector<CapturedFrame> got;
  EXPECT_EQ(read(got), 0u);
  ASSERT_EQ(got.size(), 2u);
  const auto want0 = f.bytes(0), want1 = f.bytes(1);
  EXPECT_EQ(got[0].data, std::string(want0.begin(), want0.end()));
  EXPECT_EQ(got[0].wire_len, shm::kCaptureSnapLen);
  EXPECT_EQ(got[1].data, std::string(want1.begin(), want1.end()));  // the extra byte is cut
  EXPECT_EQ(got[1].wire_len, 9000u);
}

TEST_F(CaptureRingTest, AZeroLengthFrameTakesAHeaderOnly) {
  open(1 << 20);
  write(0, {}, 60);
  EXPECT_EQ(head(), sizeof(Hdr));
  const std::vector<uint8_t> b{1, 2, 3};
  write(1, b);
  EXPECT_EQ(head(), sizeof(Hdr) + shm::capture_record_size(3));
  std::vector<CapturedFrame> got;
  EXPECT_EQ(read(got), 0u);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].data.empty());
  EXPECT_EQ(got[0].wire_len, 60u);
  EXPECT_EQ(got[1].data, std::string("\x01\x02\x03"));
}

// One block (64 KiB) is the whole ring: 32 records of the snap length (2016 bytes each) leave
// 1024 bytes, too few for the 33rd: a skip marker there, the record at the start.
TEST_F(CaptureRingTest, ARecordThatDoesNotFitWrapsBehindASkipMarker) {
  open(shm::kCaptureBlock);
  ASSERT_EQ(cap(), shm::kCaptureBlock);
  const Frames f{snap};
  write_n(f, 0, 32);
  ASSERT_EQ(head(), 32 * shm::kCaptureMaxRecord);
  std::vector<CapturedFrame> got;
  EXPECT_EQ(read(got), 0u);
  expect_frames(got, f, 0, 32);
  write_n(f, 32, 33);
  EXPECT_EQ(header_at(32 * shm::kCaptureMaxRecord).kind, shm::kCaptureSkip);
  EXPECT_EQ(head(), cap() + shm::kCaptureMaxRecord);
  EXPECT_EQ(header_at(cap()).kind, shm::kCaptureFrame);
  EXPECT_EQ(header_at(cap()).seq, 32u);
  got.clear();
  EXPECT_EQ(read(got), 0u);
  expect_frames(got, f, 32, 33);
}

// 16 bytes left at the end of the block: no room for a marker, the next record wraps anyway.
TEST_F(CaptureRingTest, TooLittleRoomForAMarkerWrapsToo) {
  open(shm::kCaptureBlock);
  const Frames f{snap};
  write_n(f, 0, 32);
  const uint32_t fill = 1024 - 16 - sizeof(Hdr);  // a record of 1008 bytes leaves 16
  const std::vector<uint8_t> b(fill, 0x42);
  write(32, b);
  ASSERT_EQ(head(), cap() - 16);
  write(33, {9, 9, 9, 9});
  EXPECT_EQ(head(), cap() + shm::capture_record_size(4));
  std::vector<CapturedFrame> got;
  // The reader had not read frame 0 before the wrap overwrote it: frame 0 is lost, and so is
  // the rest of that block (the reader resumes at a block start); never a torn frame.
  EXPECT_EQ(read(got), 33u);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].ts_ns, 1033u);
  EXPECT_EQ(got[0].data, std::string(4, '\x09'));
}

// Two blocks; the 911th record of 144 bytes would start the second lap over frame 0. With
// the writer caught in the middle of it (reserve moved, the head not yet), frames 0..454
// (the first block) are lost, 455..909 come back whole.
TEST_F(CaptureRingTest, ARecordTheWriterIsOverwritingIsLostNotReturned) {
  open(2 * shm::kCaptureBlock);
  const Frames f{hundred};
  write_n(f, 0, 910);
  ASSERT_EQ(head(), cap() - 16);  // 455 records of 144 bytes per block, 16 bytes left
  ring().reserve.store(cap() + shm::capture_record_size(100));
  std::vector<CapturedFrame> got;
  EXPECT_EQ(read(got), 455u);
  expect_frames(got, f, 455, 910);
  write_n(f, 910, 911);  // the writer finishes it
  got.clear();
  EXPECT_EQ(read(got), 0u);
  expect_frames(got, f, 910, 911);
}

TEST_F(CaptureRingTest, AReaderLappedByTheWriterCountsTheLossAndGetsTheNewest) {
  open(4 * shm::kCaptureBlock);
  const Frames f{mixed};
  write_n(f, 0, 5000);  // ~870 KB into 256 KiB
  std::vector<CapturedFrame> got;
  const uint64_t lost = read(got);
  ASSERT_GT(got.size(), 3 * shm::kCaptureBlock / shm::capture_record_size(300));
  EXPECT_EQ(lost + got.size(), 5000u);
  expect_frames(got, f, 5000 - got.size(), 5000);
  write_n(f, 5000, 5010);
  got.clear();
  EXPECT_EQ(read(got), 0u);
  expect_frames(got, f, 5000, 5010);
}

// A writer thread against a reader that cannot keep up with a 64 KiB ring: every frame that
// comes back is whole and in order, and returned + lost is exactly what was written.
TEST_F(CaptureRingTest, AConcurrentReaderNeverReturnsATornFrame) {
  open(shm::kCaptureBlock);
  const Frames f{mixed};
  constexpr uint64_t kFrames = 200'000;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (uint64_t i = 0; i < kFrames; ++i) write(i, f.bytes(i));
    done.store(true);
  });
  uint64_t lost = 0, returned = 0, next = 0, bad = 0;
  std::vector<CapturedFrame> got;
  for (bool last = false; !last;) {
    last = done.load();
    got.clear();
    lost += read(got);
    for (const auto& g : got) {
      const uint64_t i = g.ts_ns - 1000;
      const auto want = f.bytes(i);
      if (i < next || g.data != std::string(want.begin(), want.end())) ++bad;
      next = i + 1;
    }
    returned += got.size();
  }
  writer.join();
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(returned + lost, kFrames);
  EXPECT_EQ(next, kFrames);  // the last frame comes back
  RecordProperty("lost", std::to_string(lost));
}

}  // namespace
}  // namespace securenet
