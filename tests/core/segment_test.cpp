// Segment creation, layout, refusal to clobber a live segment, and the reader's checks.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core_test_util.h"

namespace securenet {
namespace {

// Opens the segment read-write behind the reader's back to corrupt a header field.
template <typename F>
void poke_header(const std::string& name, F&& f) {
  const int fd = shm_open(("/" + name).c_str(), O_RDWR, 0);
  ASSERT_GE(fd, 0);
  void* p = mmap(nullptr, sizeof(shm::Header), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  ASSERT_NE(p, MAP_FAILED);
  f(*static_cast<shm::Header*>(p));
  munmap(p, sizeof(shm::Header));
}

bool exists(const std::string& name) { return access(("/dev/shm/" + name).c_str(), F_OK) == 0; }

TEST(Segment, CreatesAFilledHeaderAndRegions) {
  auto seg = test::make_segment("seg-create", 3, 1000, 100);
  ASSERT_TRUE(seg) << seg.error().message;
  const shm::Header& h = seg->header();
  EXPECT_EQ(h.magic, shm::kMagic);
  EXPECT_EQ(h.layout_version, shm::kLayoutVersion);
  EXPECT_EQ(h.num_workers, 3u);
  EXPECT_EQ(h.dataplane_pid, static_cast<uint64_t>(getpid()));
  EXPECT_GT(h.start_time_ns, 0u);
  EXPECT_STREQ(h.source_name, "test");
  EXPECT_EQ(h.source_kind, shm::SourceKind::kPcap);
  EXPECT_EQ(shm::read(h.ready), 1u);
  EXPECT_EQ(h.control_offset % 4096, 0u);
  for (unsigned w = 0; w < 3; ++w) {
    EXPECT_EQ(h.workers[w].host_capacity, 1024u);  // rounded up to a power of two
    EXPECT_EQ(h.workers[w].ring_capacity, 128u);
    EXPECT_EQ(shm::read(seg->ring(w).capacity), 128u);
    EXPECT_EQ(h.workers[w].hosts_offset % 4096, 0u);
    EXPECT_LE(
        h.workers[w].ring_offset + sizeof(shm::SampleRingHeader) + 128 * sizeof(shm::SampleRecord),
        h.segment_size);
    if (w) {
      EXPECT_GE(h.workers[w].counters_offset, h.workers[w - 1].ring_offset);
    }
  }
  EXPECT_TRUE(exists(seg->name()));
}

TEST(Segment, UnlinksOnDestructionUnlessKept) {
  std::string name;
  {
    auto seg = test::make_segment("seg-unlink");
    ASSERT_TRUE(seg) << seg.error().message;
    name = seg->name();
  }
  EXPECT_FALSE(exists(name));
  {
    auto seg = test::make_segment("seg-keep");
    ASSERT_TRUE(seg) << seg.error().message;
    seg->set_keep(true);
    name = seg->name();
  }
  ASSERT_TRUE(exists(name));
  auto r = ShmReader::open(name);  // post-mortem read of a kept segment
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(shm::read(r->header().stopped), 1u);
  shm_unlink(("/" + name).c_str());
}

TEST(Segment, RefusesToReplaceALiveDataplanesSegment) {
  SegmentOptions o;
  o.instance = test::unique_instance("seg-live");
  auto first = Segment::create(o);
  ASSERT_TRUE(first) << first.error().message;
  auto second = Segment::create(o);  // this process is alive: refused
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("in use by running dataplane pid"), std::string::npos)
      << second.error().message;
}

TEST(Segment, ReplacesTheSegmentOfADeadDataplane) {
  SegmentOptions o;
  o.instance = test::unique_instance("seg-stale");
  auto first = Segment::create(o);
  ASSERT_TRUE(first) << first.error().message;
  first->set_keep(true);
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  waitpid(child, nullptr, 0);  // a pid that is certainly gone
  poke_header(first->name(),
              [&](shm::Header& h) { h.dataplane_pid = static_cast<uint64_t>(child); });
  auto second = Segment::create(o);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->header().dataplane_pid, static_cast<uint64_t>(getpid()));
}

TEST(Segment, RejectsBadInstanceNamesAndWorkerCounts) {
  SegmentOptions o;
  o.instance = "../etc";
  EXPECT_FALSE(Segment::create(o));
  o.instance = test::unique_instance("seg-workers");
  o.workers = 0;
  EXPECT_FALSE(Segment::create(o));
  o.workers = shm::kMaxWorkers + 1;
  EXPECT_FALSE(Segment::create(o));
}

TEST(ShmReader, OpensAndReportsAMissingSegmentClearly) {
  auto r = ShmReader::open("securenet-" + test::unique_instance("absent"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("is securenet-dataplane running"), std::string::npos)
      << r.error().message;
}

TEST(ShmReader, RefusesAnotherLayoutVersion) {
  auto seg = test::make_segment("rd-version");
  ASSERT_TRUE(seg) << seg.error().message;
  poke_header(seg->name(), [](shm::Header& h) { h.layout_version = shm::kLayoutVersion + 1; });
  auto r = ShmReader::open(seg->name());
  ASSERT_FALSE(r);
  const std::string want = "segment " + seg->name() + " has layout version " +
                           std::to_string(shm::kLayoutVersion + 1) + ", this build reads " +
                           std::to_string(shm::kLayoutVersion) +
                           "; restart both with the same build";
  EXPECT_EQ(r.error().message, want);
}

TEST(ShmReader, RefusesBadMagicStructSizesAndUnreadySegments) {
  auto seg = test::make_segment("rd-magic");
  ASSERT_TRUE(seg) << seg.error().message;
  poke_header(seg->name(), [](shm::Header& h) { h.sizeof_host_entry = 64; });
  auto r1 = ShmReader::open(seg->name());
  ASSERT_FALSE(r1);
  EXPECT_NE(r1.error().message.find("struct sizes"), std::string::npos);
  poke_header(seg->name(), [](shm::Header& h) {
    h.sizeof_host_entry = sizeof(shm::HostEntry);
    h.ready.store(0);
  });
  EXPECT_FALSE(ShmReader::open(seg->name()));
  poke_header(seg->name(), [](shm::Header& h) {
    h.ready.store(1);
    h.workers[0].hosts_offset = h.segment_size;  // region beyond the end
  });
  EXPECT_FALSE(ShmReader::open(seg->name()));
  poke_header(seg->name(), [](shm::Header& h) { h.magic = 0; });
  auto r2 = ShmReader::open(seg->name());
  ASSERT_FALSE(r2);
  EXPECT_NE(r2.error().message.find("bad magic"), std::string::npos);
}

TEST(ShmReader, MapsReadOnlyExceptTheControlBlock) {
  auto seg = test::make_segment("rd-control");
  ASSERT_TRUE(seg) << seg.error().message;
  auto ro = ShmReader::open(seg->name());
  ASSERT_TRUE(ro) << ro.error().message;
  EXPECT_EQ(ro->control(), nullptr);
  auto rw = ShmReader::open(seg->name(), true);
  ASSERT_TRUE(rw) << rw.error().message;
  ASSERT_NE(rw->control(), nullptr);
  rw->control()->sample_one_in.store(7);
  EXPECT_EQ(shm::read(seg->control().sample_one_in), 7u);  // the dataplane sees it
  // Writing the header through the reader's mapping must fault: check in a child.
  const pid_t child = fork();
  if (child == 0) {
    signal(SIGSEGV, SIG_DFL);  // die by the signal even under a sanitizer's handler
    const_cast<shm::Header&>(rw->header()).num_workers = 9;
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
}

}  // namespace
}  // namespace securenet
