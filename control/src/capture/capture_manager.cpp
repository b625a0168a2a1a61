#include "capture/capture_manager.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "securenet/common/clock.h"
#include "securenet/common/json_writer.h"

namespace securenet::control {
namespace {

constexpr int64_t kGraceMs = 2000;  // packet time and wall time differ a little (live sources)

bool same(const shm::IpKey& a, const shm::IpKey& b) {
  return std::memcmp(a.bytes, b.bytes, sizeof a.bytes) == 0;
}

}  // namespace

void CaptureManager::on_alert_changed(const Alert& a) {
  const bool opened = a.open && a.count > 0 && a.first_seen_ms == a.last_seen_ms;
  if (!opened || running_ || !store_.enabled() || !alert_direction(a.kind)) return;
  if (!a.capture.empty() || store_.has(a.id)) return;  // already captured
  if (!reader_ || !reader_->control() || opts_.max_packets == 0) return;
  auto key = parse_ip_text(a.host);
  if (!key) return;
  start(a, *key);
}

void CaptureManager::start(const Alert& a, const shm::IpKey& key) {
  Running r;
  r.alert_id = a.id;
  r.host = a.host;
  r.key = key;
  r.id = std::max(last_id_ + 1, static_cast<uint64_t>(wall_ms()) * 1000);  // never reused
  last_id_ = r.id;
  r.started_ms = now_ms_;
  r.deadline_ms = now_ms_ + static_cast<int64_t>(opts_.window_ms) + kGraceMs;
  for (const auto& s : recent_) {
    if (same(s.src, key) || same(s.dst, key)) r.before.push_back(s);
  }
  // Only what the rings hold from now on: earlier records are another capture's.
  std::vector<CapturedFrame> skip;
  reader_->read_captures(r.cursors, 0, skip);
  shm::start_capture(reader_->control()->capture, key, r.id, opts_.max_packets,
                     opts_.window_ms * 1'000'000ULL);
  running_ = std::move(r);
}

void CaptureManager::tick(const ShmReader* reader, const std::vector<shm::SampleRecord>& samples,
                          int64_t now_ms) {
  reader_ = reader;
  now_ms_ = now_ms;
  for (const auto& s : samples) {
    recent_.push_back(sample_fields(s));
    if (recent_.size() > opts_.pre_samples) recent_.pop_front();
    if (running_) keep_late_sample(*running_, recent_.back());
  }
  if (!running_) return;
  if (!reader_) return finish();  // the dataplane is gone: keep what was drained
  drain();
  if (window_over(now_ms)) finish();
}

void CaptureManager::reopened() {
  reader_ = nullptr;  // the old segment is unmapped: nothing more to drain or stop
  if (running_) finish();
}

void CaptureManager::drain() {
  running_->lost += reader_->read_captures(running_->cursors, running_->id, running_->frames);
}

bool CaptureManager::window_over(int64_t now_ms) const {
  if (running_->frames.size() >= opts_.max_packets || now_ms >= running_->deadline_ms) return true;
  const unsigned n = reader_->header().num_workers;
  for (unsigned w = 0; w < n; ++w) {
    if (reader_->capture_done_id(w) != running_->id) return false;
  }
  return true;
}

// An alert of the fast path (issue 17) opens between ticks, before the tick has drained the
// samples of the packets that led to it: those arrive after the start. They are kept as they
// arrive (recent_ may have rolled over by the end of a long window), while they are older than
// the first captured packet; finish() drops any that turn out not to be.
void CaptureManager::keep_late_sample(Running& r, const SampleFields& s) const {
  if (!same(s.src, r.key) && !same(s.dst, r.key)) return;
  if (!r.frames.empty() && s.ts_ns >= r.frames.front().ts_ns) return;
  if (r.late.size() < opts_.pre_samples) r.late.push_back(s);
}

void CaptureManager::add_late_samples(Running& r) const {
  const uint64_t first_ts = r.frames.empty() ? UINT64_MAX : r.frames.front().ts_ns;
  for (const auto& s : r.late) {
    if (s.ts_ns < first_ts) r.before.push_back(s);
  }
  std::stable_sort(r.before.begin(), r.before.end(),
                   [](const SampleFields& a, const SampleFields& b) { return a.ts_ns < b.ts_ns; });
}

void CaptureManager::finish() {
  if (reader_ && reader_->control()) {
    shm::stop_capture(reader_->control()->capture);
    drain();  // what the workers wrote until now
  }
  Running r = std::move(*running_);
  running_.reset();
  std::stable_sort(
      r.frames.begin(), r.frames.end(),
      [](const CapturedFrame& a, const CapturedFrame& b) { return a.ts_ns < b.ts_ns; });
  if (r.frames.size() > opts_.max_packets) r.frames.resize(opts_.max_packets);
  add_late_samples(r);
  const uint8_t link = r.frames.empty() ? 0 : r.frames.front().link;
  const uint32_t linktype = pcap_linktype(link);
  std::string pcap = pcap_file_header(linktype, shm::kCaptureSnapLen);
  size_t samples = 0, packets = 0, truncated = 0;
  uint64_t bytes = 0;
  if (linktype == 1) {  // rebuilt sample headers are Ethernet frames
    for (const auto& s : r.before) {
      append_pcap_record(pcap, s.ts_ns, frame_of_sample(s), s.wire_len);
      ++samples;
    }
  }
  for (const auto& f : r.frames) {
    if (f.link != link) continue;  // one link type per file
    append_pcap_record(pcap, f.ts_ns, f.data, f.wire_len);
    ++packets;
    bytes += f.wire_len;
    truncated += f.data.size() < f.wire_len;
  }
  JsonWriter w;
  w.begin_object()
      .field("alert_id", r.alert_id)
      .field("host", r.host)
      .field("started_ms", r.started_ms)
      .field("finished_ms", now_ms_)
      .field("samples", static_cast<uint64_t>(samples))
      .field("packets", static_cast<uint64_t>(packets))
      .field("bytes", bytes)
      .field("truncated", static_cast<uint64_t>(truncated))
      .field("lost", r.lost)
      .field("snap_len", static_cast<uint64_t>(shm::kCaptureSnapLen))
      .field("linktype", static_cast<uint64_t>(linktype))
      .end_object();
  if (store_.put(r.alert_id, pcap, w.take()) && stored_) stored_(r.alert_id);
}

}  // namespace securenet::control
