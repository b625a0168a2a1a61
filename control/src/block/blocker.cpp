#include "block/blocker.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "app/app.h"
#include "securenet/common/clock.h"
#include "securenet/common/json_writer.h"
#include "securenet/ip_text.h"

namespace securenet::control {

namespace {
AuditEvent sensor_actor() {
  AuditEvent e;
  e.source = "sensor";
  return e;
}

bool is_attacker(const Alert& a) {
  const char* role = alert_role(a.kind);
  return role && std::string_view(role) == "attacker";
}

bool is_victim(const Alert& a) {
  const char* role = alert_role(a.kind);
  return role && std::string_view(role) == "victim";
}

// FlowSpec fields an alert implies: reflection is UDP from amplifiers; an attacker's
// traffic is matched by source, a victim's by destination.
void alert_rule(const Alert& a, BlockRule& r) {
  if (a.kind == AlertKind::kReflection) r.protocol = "udp";
  const char* role = alert_role(a.kind);
  r.match_source = role && std::string_view(role) == "attacker";
}
}  // namespace

Blocker::Blocker(boost::asio::io_context& ioc, BlockConfig cfg, App& app)
    : ioc_(ioc),
      cfg_(std::move(cfg)),
      app_(app),
      runner_(ioc, cfg_.command_timeout_ms),
      timer_(ioc) {}

Blocker::~Blocker() = default;

void Blocker::start() {
  running_ = true;
  schedule();
}

void Blocker::stop() {
  running_ = false;
  timer_.cancel();
}

void Blocker::schedule() {
  if (!running_) return;
  timer_.expires_after(std::chrono::milliseconds(250));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || !running_) return;
    expire();
    schedule();
  });
}

void Blocker::expire() {
  const int64_t now = wall_ms();
  std::vector<std::string> due;
  for (const auto& [ip, b] : blocks_)
    if (b.expires_ms != 0 && b.expires_ms <= now) due.push_back(ip);
  for (const auto& ip : due) withdraw(ip, "ban time passed", sensor_actor());
}

unsigned Blocker::announced_last_hour() {
  const int64_t cut = wall_ms() - 3600 * 1000;
  while (!announce_times_.empty() && announce_times_.front() <= cut) announce_times_.pop_front();
  return static_cast<unsigned>(announce_times_.size());
}

std::optional<std::string> Blocker::refusal(const BlockTarget& t, BlockMode mode) {
  if (overlaps_any(cfg_.protected_prefixes, t.cidr)) return "protected prefix";
  if (overlaps_any(app_.config().whitelist, t.cidr)) return "whitelisted";
  // The drop list drops sources arriving from outside: a prefix over the home networks would
  // drop what claims to come from them (and says the operator meant something else).
  if (!t.host && mode == BlockMode::kXdp && overlaps_any(app_.config().home_networks, t.cidr))
    return "the prefix covers home_networks (the drop list drops sources)";
  if (announced_last_hour() >= cfg_.max_announcements_per_hour)
    return "cap of " + std::to_string(cfg_.max_announcements_per_hour) +
           " announcements per hour reached";
  if (blocks_.size() >= kMaxBlocks) return "too many active blocks";
  return std::nullopt;
}

void Blocker::refuse(const BlockTarget& t, BlockMode mode, const std::string& reason,
                     const std::string& why, const std::string& alert_id, const AuditEvent& who) {
  record(t.key, "refused", reason, who.actor_email.empty() ? "sensor" : who.actor_email).result =
      why;
  Block b;
  b.rule.mode = mode;
  b.rule.ip = t.net;
  b.rule.v6 = t.v6;
  b.rule.prefix_len = t.host ? 0 : t.len;
  if (!alert_id.empty()) b.alert_ids = {alert_id};
  audit("block_refused", t.key, b, why, who);
}

BlockEvent& Blocker::record(const std::string& ip, const char* action, const std::string& reason,
                            const std::string& by) {
  auto e = std::make_shared<BlockEvent>();
  e->ip = ip;
  e->action = action;
  e->reason = reason;
  e->by = by;
  e->at_ms = wall_ms();
  recent_.push_front(e);
  if (recent_.size() > kMaxRecent) recent_.pop_back();
  return *e;
}

void Blocker::audit(const char* action, const std::string& ip, const Block& b,
                    const std::string& why, const AuditEvent& who) {
  JsonWriter d;
  d.begin_object().field("ip", ip).field("mode", to_string(b.rule.mode)).field("reason", why);
  if (!b.rule.ip.empty()) d.field("prefix", prefix_text(b.rule));
  if (!b.alert_ids.empty()) d.field("alert_id", b.alert_ids.front());
  if (b.expires_ms) d.field("expires_ms", b.expires_ms);
  d.end_object();
  AuditEvent e = who;
  e.action = action;
  e.details_json = d.take();
  app_.audit(e);
}

// Mode xdp (issue 16 item 4b): the source's /32 or /128 goes on the inline drop list, which
// the App publishes to the dataplane at once; no BGP speaker involved.
void Blocker::drop(const std::string& ip, Block& b, BlockEvent& ev) {
  auto cidr = parse_cidr(ip);
  auto why = cidr ? app_.drop_list().add(*cidr) : std::optional<std::string>("not an address");
  b.state = why ? "failed" : "active";
  b.result = why.value_or("");
  ev.result = why ? "failed: " + *why : "ok";
  if (!why) app_.publish_drop_list();
}

void Blocker::undrop(const std::string& ip) {
  auto cidr = parse_cidr(ip);
  if (cidr && app_.drop_list().remove(*cidr)) app_.publish_drop_list();
}

void Blocker::announce(const std::string& ip, Block b, const AuditEvent& who) {
  announce_times_.push_back(wall_ms());
  std::shared_ptr<BlockEvent> ev;
  record(ip, "announce", b.reason, b.by);
  ev = recent_.front();
  audit("block", ip, b, b.reason, who);
  if (b.rule.mode == BlockMode::kXdp) {
    drop(ip, b, *ev);
    blocks_[ip] = std::move(b);
    return;
  }
  auto argv = announce_argv(cfg_, b.rule);
  blocks_[ip] = std::move(b);
  runner_.submit(std::move(argv), [this, ip, ev](const CommandResult& r) {
    ev->result = r.ok() ? "ok" : "failed: " + r.output.substr(0, 300);
    auto it = blocks_.find(ip);
    if (it == blocks_.end() || it->second.state != "announcing") return;
    it->second.state = r.ok() ? "active" : "failed";
    if (!r.ok()) {
      it->second.result = r.output.substr(0, 300);
      std::fprintf(stderr, "securenet-control: block %s: gobgp failed: %s\n", ip.c_str(),
                   r.output.c_str());
    }
  });
}

void Blocker::withdraw(const std::string& ip, const std::string& why, const AuditEvent& who) {
  auto it = blocks_.find(ip);
  if (it == blocks_.end()) return;
  Block b = std::move(it->second);
  blocks_.erase(it);
  record(ip, "withdraw", why, who.actor_email.empty() ? "sensor" : who.actor_email);
  auto ev = recent_.front();
  audit("unblock", ip, b, why, who);
  if (b.rule.mode == BlockMode::kXdp) {
    undrop(ip);
    ev->result = "ok";
    return;
  }
  runner_.submit(withdraw_argv(cfg_, b.rule), [ev](const CommandResult& r) {
    ev->result = r.ok() ? "ok" : "failed: " + r.output.substr(0, 300);
  });
}

void Blocker::on_alert_changed(const Alert& a) {
  if (!a.open) {
    sources_.erase(a.id);
    if (!decided_.erase(a.id)) return;
    std::vector<std::string> done;
    for (auto& [ip, b] : blocks_) {
      auto& ids = b.alert_ids;
      if (std::erase(ids, a.id) > 0 && ids.empty()) done.push_back(ip);
    }
    for (const auto& ip : done) withdraw(ip, "alert resolved", sensor_actor());
    return;
  }
  if (!cfg_.enabled || !cfg_.wants(a)) return;
  if (cfg_.mode == BlockMode::kXdp && is_victim(a) && cfg_.xdp_sources_per_alert > 0)
    return drop_sources(a);  // again at each update: the top sources come with the samples
  if (decided_.count(a.id)) return;
  decided_.insert(a.id);
  auto t = host_target(a.host);
  if (!t) return;
  const std::string& ip = t->key;
  const std::string reason = std::string(to_string(a.kind)) + " " + to_string(a.severity);
  if (auto it = blocks_.find(ip); it != blocks_.end()) {  // already blocked: one more reason
    if (!it->second.alert_ids.empty()) it->second.alert_ids.push_back(a.id);
    return;
  }
  auto why = refusal(*t, cfg_.mode);
  if (!why && cfg_.mode == BlockMode::kXdp && !is_attacker(a))
    why = "the drop list drops sources: the alert's host is the victim";
  if (why) return refuse(*t, cfg_.mode, reason, *why, a.id, sensor_actor());
  Block b;
  b.rule.ip = ip;
  b.rule.v6 = t->v6;
  b.rule.mode = cfg_.mode;
  b.rule.rate_bytes = cfg_.flowspec_rate_bytes;
  alert_rule(a, b.rule);
  b.alert_ids = {a.id};
  b.reason = reason;
  b.by = "sensor";
  b.since_ms = wall_ms();
  b.expires_ms = cfg_.ban_time_s ? b.since_ms + cfg_.ban_time_s * 1000 : 0;
  announce(ip, std::move(b), sensor_actor());
}

// Mode xdp and a victim's alert: the list drops sources, so what goes on it is the flood's
// senders, the alert's top sources (most sampled packets first), at most
// xdp_sources_per_alert of them per alert (refusals count: a whitelisted top source is not
// replaced by the next). Each is withdrawn when the alert resolves or its ban time passes.
void Blocker::drop_sources(const Alert& a) {
  auto& seen = sources_[a.id];
  const auto victim = host_target(a.host);
  const std::string reason = std::string(to_string(a.kind)) + " " + to_string(a.severity) +
                             ", source of " + (victim ? victim->key : a.host);
  for (const AlertSource& s : a.top_sources) {
    if (seen.size() >= cfg_.xdp_sources_per_alert) break;
    auto t = host_target(s.ip);
    if (!t || !seen.insert(t->key).second) continue;
    decided_.insert(a.id);  // from now on its resolve withdraws what it blocked
    if (auto it = blocks_.find(t->key); it != blocks_.end()) {
      auto& ids = it->second.alert_ids;  // a manual block (no ids) stays manual
      if (!ids.empty() && std::find(ids.begin(), ids.end(), a.id) == ids.end()) ids.push_back(a.id);
      continue;
    }
    auto why = refusal(*t, BlockMode::kXdp);
    if (!why && victim && t->key == victim->key) why = "the source is the victim itself";
    if (why) {
      refuse(*t, BlockMode::kXdp, reason, *why, a.id, sensor_actor());
      continue;
    }
    Block b;
    b.rule.ip = t->key;
    b.rule.v6 = t->v6;
    b.rule.mode = BlockMode::kXdp;
    b.alert_ids = {a.id};
    b.reason = reason;
    b.by = "sensor";
    b.since_ms = wall_ms();
    b.expires_ms = cfg_.ban_time_s ? b.since_ms + cfg_.ban_time_s * 1000 : 0;
    announce(t->key, std::move(b), sensor_actor());
  }
}

BlockAnswer Blocker::block(const ManualBlock& m, const AuditEvent& who) {
  if (!cfg_.enabled)
    return {409, "blocking_disabled", "blocking is off (--block-config with \"enabled\": true)"};
  const BlockMode mode = m.mode.value_or(cfg_.mode);
  std::optional<BlockTarget> t;
  if (!m.prefix.empty()) {
    if (mode == BlockMode::kFlowspec)
      return {400, "invalid_parameter", "prefix: only modes blackhole and xdp block a prefix"};
    std::string why;
    t = prefix_target(m.prefix, cfg_, why);
    if (!t) return {400, "invalid_parameter", why};
  } else {
    t = host_target(m.ip);
    if (!t) return {400, "invalid_parameter", "ip: not an IPv4 or IPv6 address"};
  }
  const std::string& ip = t->key;
  if (blocks_.count(ip)) return {409, "already_blocked", ip + " is already blocked"};
  if (auto why = refusal(*t, mode)) {
    refuse(*t, mode, "manual", *why, "", who);
    unsigned status = why->rfind("cap", 0) == 0 ? 429 : 409;
    return {status, status == 429 ? "cap_reached" : "protected", ip + ": " + *why};
  }
  Block b;
  b.rule.ip = t->net;
  b.rule.v6 = t->v6;
  b.rule.prefix_len = t->host ? 0 : t->len;
  b.rule.mode = mode;
  b.rule.protocol = m.protocol;
  b.rule.source_port = m.source_port;
  b.rule.rate_bytes = m.rate_bytes;
  b.reason = "manual";
  b.by = who.actor_email.empty() ? "admin" : who.actor_email;
  b.since_ms = wall_ms();
  const int64_t ban = m.ban_s.value_or(cfg_.ban_time_s);
  b.expires_ms = ban ? b.since_ms + ban * 1000 : 0;
  announce(ip, std::move(b), who);
  return {};
}

BlockAnswer Blocker::unblock(const std::string& text, const AuditEvent& who) {
  auto ip = target_key(text);
  if (!ip) return {400, "invalid_parameter", "ip: not an IPv4 or IPv6 address or prefix"};
  if (!blocks_.count(*ip)) return {404, "not_found", *ip + " is not blocked"};
  withdraw(*ip, "manual unblock", who);
  return {};
}

void Blocker::withdraw_all_now() {
  // Bounded (systemd's TimeoutStopSec is 20 s): what is left after 10 s is named, not waited on.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (const auto& [ip, b] : blocks_) {
    if (b.rule.mode == BlockMode::kXdp) {
      undrop(ip);
      std::fprintf(stderr, "securenet-control: shutdown: %s off the drop list\n", ip.c_str());
      continue;
    }
    if (std::chrono::steady_clock::now() >= until) {
      std::fprintf(stderr, "securenet-control: shutdown: NOT withdrawn (out of time): %s\n",
                   ip.c_str());
      continue;
    }
    auto r = run_command(withdraw_argv(cfg_, b.rule), cfg_.command_timeout_ms);
    std::fprintf(stderr, "securenet-control: shutdown: withdrew %s (%s)\n", ip.c_str(),
                 r.ok() ? "ok" : r.output.c_str());
  }
  blocks_.clear();
}

std::string Blocker::to_json(bool show_by) const {
  JsonWriter w;
  w.begin_object()
      .field("enabled", cfg_.enabled)
      .field("mode", to_string(cfg_.mode))
      .field("max_announcements_per_hour", cfg_.max_announcements_per_hour);
  const int64_t cut = wall_ms() - 3600 * 1000;
  uint64_t last_hour = 0;
  for (int64_t t : announce_times_) last_hour += t > cut;
  w.field("announcements_last_hour", last_hour);
  w.key("blocks").begin_array();
  for (const auto& [ip, b] : blocks_) {
    w.begin_object()
        .field("ip", ip)
        .field("prefix", prefix_text(b.rule))
        .field("mode", to_string(b.rule.mode))
        .field("reason", b.reason);
    if (show_by) w.field("by", b.by);
    w.key("alert_id");
    b.alert_ids.empty() ? w.null() : w.value(b.alert_ids.front());
    w.field("since_ms", b.since_ms);
    w.key("expires_ms");
    b.expires_ms ? w.value(b.expires_ms) : w.null();
    w.field("state", b.state).field("result", b.result);
    if (b.rule.mode == BlockMode::kXdp) {  // packets the inline dataplane dropped (issue 16)
      auto cidr = parse_cidr(ip);
      auto n = cidr ? app_.drop_count(*cidr) : std::nullopt;
      w.key("drops");
      n ? w.value(*n) : w.null();
    }
    if (b.rule.mode == BlockMode::kFlowspec) {
      w.field("match", b.rule.match_source ? "source" : "destination");
      w.key("protocol");
      b.rule.protocol.empty() ? w.null() : w.value(b.rule.protocol);
      w.key("source_port");
      b.rule.source_port < 0 ? w.null() : w.value(b.rule.source_port);
      w.field("rate_bytes", b.rule.rate_bytes);
    }
    w.end_object();
  }
  w.end_array().key("recent").begin_array();
  for (const auto& e : recent_) {
    w.begin_object().field("ip", e->ip).field("action", e->action).field("reason", e->reason);
    if (show_by) w.field("by", e->by);
    w.field("at_ms", e->at_ms).field("result", e->result).end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace securenet::control
