// Blocker: the EventObserver that turns alerts into BGP blocks (opt-in, BlockConfig) and the
// owner of the active blocks, automatic and manual (POST/DELETE /api/blocks). An alert opened
// at or above min_severity of a listed kind is announced unless its host is protected (a
// protected prefix or the config's whitelist) or the per-hour cap is reached (the refusal and
// its reason are kept in `recent`); it is withdrawn when every alert it came from resolved, or
// when its ban time passed. Every announce, withdraw and refusal is audited. Runs on the
// control thread; the gobgp commands run on BgpRunner's thread. At shutdown every active
// block is withdrawn (withdraw_all_now): bans do not outlive the process.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "block/bgp_command.h"
#include "block/block_config.h"
#include "block/block_target.h"
#include "detect/event_observer.h"
#include "persist/event_sink.h"

namespace securenet::control {

class App;

struct Block {
  BlockRule rule;
  std::vector<std::string> alert_ids;    // empty for a manual block
  std::string reason;                    // "traffic_received HIGH" | "manual"
  std::string by;                        // "sensor" or the admin's email
  int64_t since_ms = 0, expires_ms = 0;  // 0: no ban time
  std::string state = "announcing";      // announcing | active | failed (xdp: active at once)
  std::string result;                    // gobgp's answer when it failed
};

struct BlockEvent {                    // the last kMaxRecent announces, withdrawals and refusals
  std::string ip, action, reason, by;  // action: announce | withdraw | refused
  int64_t at_ms = 0;
  std::string result = "pending";  // pending | ok | failed: ... | (refusals: the reason)
};

// A manual request's answer: 0 = accepted, else the HTTP status with error/detail.
struct BlockAnswer {
  unsigned status = 0;
  std::string error, detail;
};

struct ManualBlock {
  std::string ip;
  std::string prefix;  // instead of ip: a prefix, modes blackhole and xdp (block_target.h)
  std::optional<BlockMode> mode;
  std::optional<int64_t> ban_s;
  std::string protocol;
  int source_port = -1;
  double rate_bytes = 0;
};

class Blocker : public EventObserver {
 public:
  Blocker(boost::asio::io_context& ioc, BlockConfig cfg, App& app);
  ~Blocker() override;
  void start();  // the ban-time timer
  void stop();

  void on_alert_changed(const Alert& alert) override;
  void on_config_changed(const SecurityConfig&, const std::string&, const std::string&) override {}

  // `who` carries the admin (actor, address) for the audit rows.
  BlockAnswer block(const ManualBlock& m, const AuditEvent& who);
  BlockAnswer unblock(const std::string& ip_text, const AuditEvent& who);
  // GET /api/blocks; `by` (who blocked: an admin's email) only for admins, like the audit log.
  std::string to_json(bool show_by = true) const;
  // Withdraws every active block now, waiting for gobgp (shutdown, after the io_context ran).
  void withdraw_all_now();

  const BlockConfig& config() const { return cfg_; }
  size_t active() const { return blocks_.size(); }
  static constexpr size_t kMaxRecent = 200;
  static constexpr size_t kMaxBlocks = 10000;

 private:
  // protected / whitelisted / (an xdp prefix) home network / cap / full
  std::optional<std::string> refusal(const BlockTarget& t, BlockMode mode);
  void refuse(const BlockTarget& t, BlockMode mode, const std::string& reason,
              const std::string& why, const std::string& alert_id, const AuditEvent& who);
  void drop_sources(const Alert& a);  // mode xdp, a victim's alert: its top sources
  void announce(const std::string& ip, Block b, const AuditEvent& who);
  void withdraw(const std::string& ip, const std::string& why, const AuditEvent& who);
  void drop(const std::string& ip, Block& b, BlockEvent& ev);  // mode xdp
  void undrop(const std::string& ip);
  BlockEvent& record(const std::string& ip, const char* action, const std::string& reason,
                     const std::string& by);
  void audit(const char* action, const std::string& ip, const Block& b, const std::string& why,
             const AuditEvent& who);
  void schedule();
  void expire();
  unsigned announced_last_hour();

  boost::asio::io_context& ioc_;
  BlockConfig cfg_;
  App& app_;
  BgpRunner runner_;
  boost::asio::steady_timer timer_;
  bool running_ = false;
  std::map<std::string, Block> blocks_;  // by canonical IP text
  std::set<std::string> decided_;        // open alert ids already blocked or refused
  std::map<std::string, std::set<std::string>> sources_;  // victim alert id: sources considered
  std::deque<int64_t> announce_times_;                    // wall ms, the last hour
  std::deque<std::shared_ptr<BlockEvent>> recent_;
};

}  // namespace securenet::control
