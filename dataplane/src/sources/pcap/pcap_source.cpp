#include "sources/pcap/pcap_source.h"

#include <time.h>

#include <atomic>
#include <cstdio>
#include <cstring>

#include "securenet/common/clock.h"
#include "sources/pcap/capture_file.h"

namespace securenet {
namespace {

constexpr uint32_t kArenaSoft = 1u << 20;  // stop filling a burst beyond this
constexpr uint32_t kMaxCaplen = 262144;    // libpcap's largest snapshot length
constexpr uint64_t kLoopGapNs = 1000;

// Paces a stream of bursts at `pps` (0 = unpaced).
class TokenBucket {
 public:
  explicit TokenBucket(double pps) : pps_(pps) {}
  uint32_t allow(uint32_t want) noexcept {
    if (pps_ <= 0) return want;
    const uint64_t now = mono_ns();
    if (last_ == 0) last_ = now;
    tokens_ += static_cast<double>(now - last_) * pps_ / 1e9;
    last_ = now;
    const double cap = pps_ / 100 > want ? pps_ / 100 : want;  // at most 10 ms of backlog
    if (tokens_ > cap) tokens_ = cap;
    const uint32_t n = tokens_ >= want ? want : static_cast<uint32_t>(tokens_);
    tokens_ -= n;
    if (n == 0) wait_for_one();
    return n;
  }

 private:
  // Paced replay only (a demo or test source, not a capture path): rather than spin until
  // the next packet is due, sleep for that long (at most 1 ms), once per empty poll.
  void wait_for_one() const noexcept {
    const double ns = (1.0 - tokens_) * 1e9 / pps_;
    const long wait = ns < 1e6 ? static_cast<long>(ns) : 1'000'000L;
    if (wait <= 0) return;
    timespec ts{0, wait};
    nanosleep(&ts, nullptr);
  }

  double pps_;
  double tokens_ = 0;
  uint64_t last_ = 0;
};

// Recorded timing (--timing recorded): a packet is due when the monotonic clock has moved
// (packet ts - origin ts) / speed past the replay's start. Every worker of a file shares
// the start (the first call of any of them) and the origin (the file's first timestamp),
// so the workers' packets keep their recorded spacing between them too.
class RecordedPacer {
 public:
  RecordedPacer(std::shared_ptr<std::atomic<uint64_t>> start, double speed)
      : start_(std::move(start)), speed_(speed) {}
  bool on() const noexcept { return start_ != nullptr; }
  // True when the packet at `ts` is due; otherwise returns false, after sleeping (at most
  // 1 ms, or until it is due) when the burst is still empty (`empty`).
  bool due(uint64_t ts, uint64_t origin, bool empty) noexcept {
    if (!start_) return true;
    const uint64_t now = mono_ns();
    uint64_t t0 = start_->load(std::memory_order_acquire);
    if (t0 == 0 && !start_->compare_exchange_strong(t0, now, std::memory_order_acq_rel)) {
      t0 = start_->load(std::memory_order_acquire);
    } else if (t0 == 0) {
      t0 = now;
    }
    const double offset = ts > origin ? static_cast<double>(ts - origin) / speed_ : 0.0;
    const double due_at = static_cast<double>(t0) + offset;
    if (static_cast<double>(now) >= due_at) return true;
    if (!empty) return false;
    const double wait = due_at - static_cast<double>(now);
    const timespec ts_wait{0, wait < 1e6 ? static_cast<long>(wait) : 1'000'000L};
    nanosleep(&ts_wait, nullptr);
    return false;
  }

 private:
  std::shared_ptr<std::atomic<uint64_t>> start_;  // null: not recorded timing
  double speed_;
};

// Serves worker `index` of `stride` from an in-memory image.
class PreloadedSource final : public PacketSource {
 public:
  PreloadedSource(std::shared_ptr<const PcapImage> img, unsigned index, unsigned stride,
                  uint64_t loops, double pps, RecordedPacer pacer)
      : img_(std::move(img)),
        next_(index),
        index_(index),
        stride_(stride),
        loops_(loops),
        bucket_(pps),
        pacer_(std::move(pacer)) {
    origin_ = img_->packets.empty() ? 0 : img_->packets[0].ts_ns;
    done_ = next_ >= img_->packets.size();
  }

  uint32_t rx_burst(PacketView* out, uint32_t max) noexcept override {
    if (done_) return 0;
    const uint32_t n_max = bucket_.allow(max);
    const auto& pk = img_->packets;
    uint32_t n = 0;
    while (n < n_max) {
      if (pacer_.on() && !pacer_.due(pk[next_].ts_ns + ts_shift_, origin_, n == 0)) break;
      out[n] = pk[next_];
      out[n].ts_ns += ts_shift_;
      ++n;
      next_ += stride_;
      if (next_ >= pk.size() && !next_loop()) break;
    }
    return n;
  }
  bool finished() const noexcept override { return done_; }

 private:
  bool next_loop() noexcept {
    ++loop_;
    if (loops_ != 0 && loop_ >= loops_) {
      done_ = true;
      return false;
    }
    next_ = index_;
    ts_shift_ += img_->duration_ns + kLoopGapNs;
    return true;
  }

  std::shared_ptr<const PcapImage> img_;
  size_t next_;
  unsigned index_;
  unsigned stride_;
  uint64_t loops_;
  uint64_t loop_ = 0;
  uint64_t ts_shift_ = 0;
  bool done_ = false;
  TokenBucket bucket_;
  RecordedPacer pacer_;
  uint64_t origin_ = 0;
};

// Reads the file with libpcap as it goes; copies each packet into a burst arena.
class StreamingSource final : public PacketSource {
 public:
  StreamingSource(std::string path, std::unique_ptr<CaptureFile> h, unsigned index, unsigned stride,
                  uint64_t loops, double pps, RecordedPacer pacer)
      : path_(std::move(path)),
        file_(std::move(h)),
        index_(index),
        stride_(stride),
        loops_(loops),
        bucket_(pps),
        pacer_(std::move(pacer)),
        arena_(kArenaSoft + kMaxCaplen) {}

  uint32_t rx_burst(PacketView* out, uint32_t max) noexcept override {
    if (done_) return 0;
    const uint32_t n_max = bucket_.allow(max);
    uint32_t n = 0, used = 0;
    while (n < n_max && used < kArenaSoft && !done_) {
      CaptureRecord rec;
      if (held_) {  // our packet, read earlier and not yet due
        rec = held_rec_;
      } else {
        const int rc = file_->next(rec);
        if (rc != 1) {
          end_of_file(rc);
          continue;
        }
        if (first_ts_ == 0) first_ts_ = rec.ts_ns;
        if (origin_ == 0) origin_ = rec.ts_ns;
        if (rec.ts_ns > last_ts_) last_ts_ = rec.ts_ns;
        if (pos_++ % stride_ != index_) continue;
      }
      const uint64_t ts = rec.ts_ns;
      // The record's bytes stay valid until the next file_->next(), which waits for it.
      held_ = pacer_.on() && !pacer_.due(ts + ts_shift_, origin_, n == 0);
      if (held_) {
        held_rec_ = rec;
        break;
      }
      const uint32_t cap = rec.caplen < kMaxCaplen ? rec.caplen : kMaxCaplen;
      std::memcpy(arena_.data() + used, rec.data, cap);
      out[n++] = PacketView{arena_.data() + used, cap, rec.len, ts + ts_shift_, rec.link};
      used += cap;
    }
    return n;
  }
  bool finished() const noexcept override { return done_; }
  SourceStats stats() noexcept override { return {0, errors_}; }

 private:
  // At the end of the file: reopen for the next loop, or finish. A read error ends the
  // replay with one line on stderr and a counted error.
  void end_of_file(int rc) noexcept {
    if (rc != 0) {
      std::fprintf(stderr, "securenet-dataplane: error reading %s after %llu packets: %s\n",
                   path_.c_str(), static_cast<unsigned long long>(pos_), file_->error().c_str());
      ++errors_;
      done_ = true;
      return;
    }
    ++loop_;
    if ((loops_ != 0 && loop_ >= loops_) || pos_ == 0) {  // done, or an empty file
      done_ = true;
      return;
    }
    auto h = CaptureFile::open(path_);
    if (!h) {
      std::fprintf(stderr, "securenet-dataplane: cannot reopen %s\n", h.error().message.c_str());
      ++errors_;
      done_ = true;
      return;
    }
    file_ = std::move(*h);
    ts_shift_ += (last_ts_ - first_ts_) + kLoopGapNs;
    first_ts_ = last_ts_ = 0;
    pos_ = 0;
  }

  std::string path_;
  std::unique_ptr<CaptureFile> file_;
  unsigned index_, stride_;
  uint64_t loops_, loop_ = 0;
  TokenBucket bucket_;
  RecordedPacer pacer_;
  std::vector<uint8_t> arena_;
  CaptureRecord held_rec_;
  bool held_ = false;
  uint64_t pos_ = 0, first_ts_ = 0, last_ts_ = 0, ts_shift_ = 0, errors_ = 0, origin_ = 0;
  bool done_ = false;
};

}  // namespace

Result<std::shared_ptr<const PcapImage>> load_pcap(const std::string& path) {
  auto h = CaptureFile::open(path);
  if (!h) return h.error();
  auto img = std::make_shared<PcapImage>();
  std::vector<std::pair<size_t, PacketView>> at;  // offsets first; bytes may reallocate
  uint64_t first = 0, last = 0;
  for (;;) {
    CaptureRecord rec;
    const int rc = (*h)->next(rec);
    if (rc == 0) break;
    if (rc != 1) {
      return make_error("error reading " + path + " after " + std::to_string(at.size()) +
                        " packets: " + (*h)->error());
    }
    const uint64_t ts = rec.ts_ns;
    if (at.empty()) first = ts;
    if (ts > last) last = ts;
    at.push_back({img->bytes.size(), PacketView{nullptr, rec.caplen, rec.len, ts, rec.link}});
    img->bytes.insert(img->bytes.end(), rec.data, rec.data + rec.caplen);
  }
  img->packets.reserve(at.size());
  for (auto& [off, v] : at) {
    v.data = img->bytes.data() + off;
    img->packets.push_back(v);
  }
  img->duration_ns = last > first ? last - first : 0;
  return std::shared_ptr<const PcapImage>(std::move(img));
}

Result<std::vector<std::unique_ptr<PacketSource>>> make_pcap_sources(const SourceOptions& opts) {
  if (opts.target.empty()) return make_error("pcap source needs --target <file>");
  std::vector<std::unique_ptr<PacketSource>> out;
  const unsigned n = opts.workers ? opts.workers : 1;
  const double pps = opts.rate_pps > 0 ? opts.rate_pps / n : 0;
  if (opts.timing_recorded && (!(opts.speed > 0) || pps > 0)) {
    return make_error("recorded timing needs a speed above 0 and no packet rate");
  }
  auto start = opts.timing_recorded ? std::make_shared<std::atomic<uint64_t>>(0) : nullptr;
  if (opts.preload) {
    auto img = load_pcap(opts.target);
    if (!img) return img.error();
    for (unsigned w = 0; w < n; ++w)
      out.push_back(std::make_unique<PreloadedSource>(*img, w, n, opts.loops, pps,
                                                      RecordedPacer(start, opts.speed)));
    return out;
  }
  for (unsigned w = 0; w < n; ++w) {
    auto h = CaptureFile::open(opts.target);
    if (!h) return h.error();
    out.push_back(std::make_unique<StreamingSource>(opts.target, std::move(*h), w, n, opts.loops,
                                                    pps, RecordedPacer(start, opts.speed)));
  }
  return out;
}

}  // namespace securenet
