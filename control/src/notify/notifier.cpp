#include "notify/notifier.h"

#include <unistd.h>

#include <unordered_set>

#include "notify/transport.h"
#include "securenet/common/clock.h"
#include "securenet/common/json_writer.h"
#include "securenet/common/uuid.h"

namespace securenet::control {

struct Notifier::Channel {
  ChannelConfig cfg;
  std::unique_ptr<SyslogSender> syslog;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Notification> queue;
  bool stop = false;
  std::atomic<bool> abort{false};  // the destructor: end an attempt under way
  std::atomic<uint64_t> queued{0}, delivered{0}, retries{0}, dead{0}, dropped{0};
  std::thread thread;
  std::unordered_set<std::string> told;  // open alerts this channel was told of (control thread)
};

namespace {
constexpr size_t kMaxAnnounced = 1000000;

std::string hostname() {
  char h[256] = {};
  return ::gethostname(h, sizeof h - 1) == 0 ? std::string(h) : std::string("-");
}
}  // namespace

Notifier::Notifier(NotifyConfig cfg) : cfg_(std::move(cfg)) {
  for (const auto& cc : cfg_.channels) {
    auto c = std::make_unique<Channel>();
    c->cfg = cc;
    if (cc.type == ChannelType::kSyslog) c->syslog = std::make_unique<SyslogSender>(cc);
    channels_.push_back(std::move(c));
  }
  for (auto& c : channels_) c->thread = std::thread([this, ch = c.get()] { run(*ch); });
}

Notifier::~Notifier() {
  for (auto& c : channels_) {
    std::lock_guard lock(c->mu);
    c->stop = true;
    c->abort = true;
    c->cv.notify_all();
  }
  for (auto& c : channels_) c->thread.join();
}

void Notifier::seed(const std::vector<Alert>& open) {
  for (const auto& a : open) {
    if (!a.open || announced_.size() >= kMaxAnnounced) continue;
    announced_[a.id] = a.severity;
    for (auto& c : channels_)
      if (cfg_.matches(c->cfg, a)) c->told.insert(a.id);  // its resolve still goes out
  }
}

void Notifier::on_alert_changed(const Alert& a) {
  auto it = announced_.find(a.id);
  if (a.open && it == announced_.end()) {
    if (announced_.size() < kMaxAnnounced) announced_.emplace(a.id, a.severity);
  } else if (a.open && a.severity > it->second) {
    it->second = a.severity;
  } else if (!a.open && it != announced_.end()) {
    announced_.erase(it);
  } else {
    return;  // an update, or the resolve of an alert never announced
  }
  // Per channel: the first message it gets about an alert is "opened" (also when the alert
  // reached the channel's min_severity by escalating), a resolve goes only to the channels
  // that were told of the alert (no unban without a ban).
  const int64_t now = wall_ms();
  for (auto& c : channels_) {
    const bool told = c->told.count(a.id) != 0;
    std::string event;
    if (a.open) {
      if (!cfg_.matches(c->cfg, a)) continue;
      event = told ? "alert.escalated" : "alert.opened";
      if (!told && c->told.size() < kMaxAnnounced) c->told.insert(a.id);
    } else {
      if (!told) continue;
      event = "alert.resolved";
      c->told.erase(a.id);
    }
    Notification n{std::move(event), a, cfg_.sensor, new_uuid(), now};
    if (c->cfg.type == ChannelType::kExec && exec_args(n).empty()) continue;
    enqueue(*c, n);
  }
}

void Notifier::enqueue(Channel& c, const Notification& n) {
  {
    std::lock_guard lock(c.mu);
    if (c.queue.size() < cfg_.queue_capacity) {
      c.queue.push_back(n);
      c.queued.fetch_add(1, std::memory_order_relaxed);
      c.cv.notify_one();
      return;
    }
  }
  c.dropped.fetch_add(1, std::memory_order_relaxed);
  log_.add({n.alert.id, c.cfg.name, to_string(c.cfg.type), n.event, "dropped", 0, wall_ms(),
            "queue full (" + std::to_string(cfg_.queue_capacity) + ")"});
}

Attempt Notifier::attempt(Channel& c, const Notification& n) {
  const std::chrono::milliseconds timeout(c.cfg.timeout_ms);
  switch (c.cfg.type) {
    case ChannelType::kWebhook: {
      std::string body = webhook_body(n);
      Headers h{{"X-SecureNet-Event", n.event}, {"X-SecureNet-Delivery", n.delivery_id}};
      if (!c.cfg.secret.empty())
        h.emplace_back("X-SecureNet-Signature", webhook_signature(c.cfg.secret, body));
      return http_post(c.cfg.http, body, h, c.cfg.ca_file, timeout, &c.abort);
    }
    case ChannelType::kSyslog:
      return c.syslog->send(syslog_line(n, c.cfg.facility, hostname(), ::getpid()), timeout,
                            &c.abort);
    case ChannelType::kExec: {
      std::vector<std::string> env{
          "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "SECURENET_EVENT=" + n.event,
          "SECURENET_ALERT_ID=" + n.alert.id,
          "SECURENET_KIND=" + std::string(to_string(n.alert.kind)),
          "SECURENET_SEVERITY=" + std::string(to_string(n.alert.severity)),
          "SECURENET_SENSOR=" + n.sensor};
      return run_program(c.cfg.program, exec_args(n), env, webhook_body(n), timeout, &c.abort);
    }
  }
  return {false, "unknown channel type"};
}

void Notifier::run(Channel& c) {
  std::unique_lock lock(c.mu);
  while (true) {
    c.cv.wait(lock, [&] { return c.stop || !c.queue.empty(); });
    if (c.stop) return;
    Notification n = std::move(c.queue.front());
    c.queue.pop_front();
    lock.unlock();
    Attempt a;
    uint32_t tries = 0;
    bool stopped = false;
    for (;;) {
      a = attempt(c, n);
      ++tries;
      if (a.ok || tries > c.cfg.retries) break;
      c.retries.fetch_add(1, std::memory_order_relaxed);
      auto delay =
          std::chrono::milliseconds(uint64_t{c.cfg.backoff_ms} << std::min(tries - 1, 20u));
      lock.lock();
      stopped = c.cv.wait_for(lock, delay, [&] { return c.stop; });
      lock.unlock();
      if (stopped) break;
    }
    if (a.ok) {
      c.delivered.fetch_add(1, std::memory_order_relaxed);
    } else if (!stopped) {
      c.dead.fetch_add(1, std::memory_order_relaxed);
    }
    log_.add({n.alert.id, c.cfg.name, to_string(c.cfg.type), n.event, a.ok ? "delivered" : "failed",
              tries, wall_ms(), a.detail});
    lock.lock();
  }
}

ChannelStats Notifier::stats(size_t i) const {
  Channel& c = *channels_.at(i);
  ChannelStats s{c.queued.load(), c.delivered.load(), c.retries.load(),
                 c.dead.load(),   c.dropped.load(),   0};
  std::lock_guard lock(c.mu);
  s.backlog = c.queue.size();
  return s;
}

uint64_t Notifier::dead_letters() const {
  uint64_t n = 0;
  for (const auto& c : channels_) n += c->dead.load();
  return n;
}

void Notifier::write_status(JsonWriter& w) const {
  w.begin_object().field("dead_letter", dead_letters()).key("channels").begin_array();
  for (size_t i = 0; i < channels_.size(); ++i) {
    auto s = stats(i);
    const auto& cc = channels_[i]->cfg;
    w.begin_object().field("name", cc.name).field("type", to_string(cc.type));
    w.field("queued", s.queued).field("delivered", s.delivered).field("retries", s.retries);
    w.field("dead_letter", s.dead_letter).field("dropped", s.dropped);
    w.field("backlog", static_cast<uint64_t>(s.backlog)).end_object();
  }
  w.end_array().end_object();
}

}  // namespace securenet::control
