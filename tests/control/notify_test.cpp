// Notifications (issue 16 item 3): the notify file's validation, the messages (webhook JSON
// and its HMAC, RFC 5424 + CEF with escaping, FastNetMon's notify_script arguments) and
// delivery to real receivers on loopback: retries, dead letters, a full queue, a receiver
// that never answers (on_alert_changed does not wait for it) and a hung script killed.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "notify/notifier.h"
#include "notify_receivers.h"
#include "securenet/common/json_writer.h"

using namespace securenet::control;
using namespace notify_test;
using Clock = std::chrono::steady_clock;

namespace {

Alert alert(AlertKind k = AlertKind::kTrafficThreshold, Severity s = Severity::kHigh,
            const std::string& host = "10.0.0.5") {
  Alert a;
  static int n = 0;
  char id[40];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", ++n);
  a.id = id;
  a.kind = k;
  a.severity = s;
  a.host = host;
  a.description = "sent 12000 packets/s";
  a.value = 12000;
  a.threshold = 1000;
  a.peak = 12500;
  a.count = 3;
  a.first_seen_ms = a.last_seen_ms = 1764690000000;
  return a;
}

NotifyConfig parse_ok(const std::string& json) {
  auto r = parse_notify_config(json);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : NotifyConfig{};
}

std::string parse_err(const std::string& json) {
  auto r = parse_notify_config(json);
  return r.ok() ? "accepted" : r.error().message;
}

std::string hmac_hex(const std::string& key, const std::string& body) {
  unsigned char md[32];
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), md, &len);
  std::string out;
  char b[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(b, sizeof b, "%02x", md[i]);
    out += b;
  }
  return out;
}

// Waits until pred() or the deadline.
template <typename P>
bool eventually(P pred, std::chrono::milliseconds d = std::chrono::seconds(10)) {
  auto end = Clock::now() + d;
  while (!pred()) {
    if (Clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char t[] = "/tmp/securenet-notify-XXXXXX";
    path = ::mkdtemp(t);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string script(const std::string& name, const std::string& body) {
    auto p = path / name;
    std::ofstream(p) << "#!/bin/sh\n" << body;
    ::chmod(p.c_str(), 0755);
    return p.string();
  }
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

// ---------------------------------------------------------------- config

TEST(NotifyConfig, ParsesEveryChannelType) {
  auto c = parse_ok(R"({"sensor":"edge-1","queue_capacity":10,
    "webhooks":[{"name":"soc","url":"http://[::1]:8080/h?x=1","secret":"k","min_severity":"high",
                 "kinds":["traffic_sent","port_scan"],"timeout_ms":100,"retries":2,"backoff_ms":5}],
    "syslog":[{"name":"siem","host":"10.0.0.9","transport":"tcp","port":6514,"facility":4}],
    "exec":[{"name":"ban","notify_script":"/bin/true","timeout_ms":500}]})");
  ASSERT_EQ(c.channels.size(), 3u);
  EXPECT_EQ(c.sensor, "edge-1");
  EXPECT_EQ(c.queue_capacity, 10u);
  const auto& w = c.channels[0];
  EXPECT_EQ(w.http.host, "::1");
  EXPECT_EQ(w.http.port, "8080");
  EXPECT_EQ(w.http.target, "/h?x=1");
  EXPECT_EQ(w.min_severity, Severity::kHigh);
  EXPECT_EQ(w.kinds.size(), 2u);
  EXPECT_EQ(w.retries, 2u);
  EXPECT_TRUE(c.channels[1].tcp);
  EXPECT_EQ(c.channels[1].port, "6514");
  EXPECT_EQ(c.channels[1].facility, 4u);
  EXPECT_EQ(c.channels[2].retries, 0u);  // exec: no retries unless asked
  EXPECT_EQ(c.channels[2].program, "/bin/true");
  auto t = parse_ok(R"({"syslog":[{"name":"s","host":"h","transport":"tls"}]})");
  EXPECT_TRUE(t.channels[0].tls);
  EXPECT_EQ(t.channels[0].port, "6514");
  auto d = parse_ok(R"({"syslog":[{"name":"s","host":"fd00::1"}]})");
  EXPECT_EQ(d.channels[0].port, "514");
  EXPECT_EQ(d.channels[0].host, "fd00::1");
  EXPECT_FALSE(d.sensor.empty());  // the host name
}

TEST(NotifyConfig, RefusesBadUrls) {
  for (const char* url :
       {"ftp://x/", "http://", "http://user:pw@host/", "http://host:0/", "http://host:70000/",
        "http://ho st/", "http://host/#frag", "http://host:/", "http://[::1/", "http://a\\nb/",
        "host/path", "http://h\x01/"}) {
    std::string json =
        std::string(R"({"webhooks":[{"name":"w","url":)") + securenet::json_string(url) + "}]}";
    EXPECT_NE(parse_err(json), "accepted") << url;
  }
  std::string long_url = "http://h/" + std::string(3000, 'a');
  EXPECT_NE(parse_err(R"({"webhooks":[{"name":"w","url":")" + long_url + "\"}]}"), "accepted");
}

TEST(NotifyConfig, RefusesUnknownKeysAndBadValues) {
  const char* bad[] = {
      R"({"webhook":[]})",                                                 // unknown top key
      R"({"webhooks":[{"name":"w","url":"http://h/","colour":"red"}]})",   // unknown field
      R"({"webhooks":[{"name":"w","url":"http://h/","timeout_ms":-5}]})",  // negative
      R"({"webhooks":[{"name":"w","url":"http://h/","timeout_ms":0}]})",
      R"({"webhooks":[{"name":"w","url":"http://h/","timeout_ms":1.5}]})",
      R"({"webhooks":[{"name":"w","url":"http://h/","retries":11}]})",
      R"({"webhooks":[{"name":"w","url":"http://h/","backoff_ms":-1}]})",
      R"({"webhooks":[{"name":"w","url":"http://h/","min_severity":"URGENT"}]})",
      R"({"webhooks":[{"name":"w","url":"http://h/","kinds":["nope"]}]})",
      R"({"webhooks":[{"name":"w","url":"http://h/","kinds":[]}]})",
      R"({"webhooks":[{"name":"w","url":"http://h/","secret":7}]})",
      R"({"webhooks":[{"url":"http://h/"}]})",  // no name
      R"({"webhooks":[{"name":"w"}]})",         // no url
      R"({"webhooks":[{"name":"a b","url":"http://h/"}]})",
      R"({"webhooks":[{"name":"w","url":"http://h/"},{"name":"w","url":"http://g/"}]})",
      R"({"webhooks":{"name":"w"}})",
      R"({"webhooks":[{"name":"w","url":"https://h/","ca_file":"ca.pem"}]})",  // relative
      R"({"syslog":[{"name":"s","host":"h","transport":"ssl"}]})",
      R"({"syslog":[{"name":"s","host":"h","port":0}]})",
      R"({"syslog":[{"name":"s","host":"h:514"}]})",
      R"({"syslog":[{"name":"s","host":"h","facility":24}]})",
      R"({"syslog":[{"name":"s","host":"h","url":"http://h/"}]})",  // a webhook's key
      R"({"syslog":[{"name":"s"}]})",
      R"({"exec":[{"name":"e","notify_script":"ban.sh"}]})",        // relative
      R"({"exec":[{"name":"e","notify_script":"/bin/sh -c x"}]})",  // a shell line
      R"({"exec":[{"name":"e"}]})",
      R"({"queue_capacity":0})",
      R"({"queue_capacity":1000000})",
      R"({"sensor":"a","sensor":"b"})",  // duplicate key
      R"([1,2])",
      R"({"webhooks":[)",
  };
  for (const char* j : bad) EXPECT_NE(parse_err(j), "accepted") << j;
  std::string many = R"({"webhooks":[)";
  for (int i = 0; i < 33; ++i)
    many += (i ? "," : "") + std::string(R"({"name":"w)") + std::to_string(i) +
            R"(","url":"http://h/"})";
  EXPECT_NE(parse_err(many + "]}"), "accepted");
  EXPECT_NE(parse_err(R"({"webhooks":[{"name":"w","url":"http://h/","timeout_ms":-5}]})")
                .find("timeout_ms"),
            std::string::npos);  // the message names the field
}

TEST(NotifyConfig, MissingFileIsNoChannelsUnlessRequired) {
  auto r = load_notify_config("/nonexistent/notify.json", false);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->channels.empty());
  EXPECT_FALSE(load_notify_config("/nonexistent/notify.json", true).ok());
  TempDir d;
  std::ofstream(d.path / "n.json") << R"({"exec":[{"name":"e","notify_script":"/nonexistent/x"}]})";
  EXPECT_FALSE(load_notify_config((d.path / "n.json").string(), true).ok());
}

// ---------------------------------------------------------------- messages

TEST(NotifyMessages, HmacMatchesRfc4231) {
  EXPECT_EQ(webhook_signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(NotifyMessages, CefEscaping) {
  EXPECT_EQ(cef_header_escape(R"(a|b\c)"), R"(a\|b\\c)");
  EXPECT_EQ(cef_header_escape("a\nb"), "a b");
  EXPECT_EQ(cef_value_escape(R"(a=b\c|d)"), R"(a\=b\\c|d)");
  EXPECT_EQ(cef_value_escape("x\r\ny"), R"(x\r\ny)");
}

TEST(NotifyMessages, SyslogLineIsRfc5424WithCef) {
  Notification n{"alert.opened", alert(), "edge|1", "d", 1764690000123};
  n.alert.description = "a=b\\c|d\nnext";
  std::string line = syslog_line(n, 16, "sensor host", 42);
  // <16*8+3>1 TIMESTAMP HOST APP PROCID MSGID SD MSG
  std::regex re(
      R"(^<131>1 2025-12-02T15:40:00\.123Z sensorhost securenet 42 alert\.opened - (CEF:.*)$)");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(line, m, re)) << line;
  std::string cef = m[1];
  EXPECT_EQ(cef.rfind("CEF:0|SecureNet|Sensor|0.1.0|traffic_sent|traffic_sent alert opened|8|", 0),
            0u)
      << cef;
  EXPECT_NE(cef.find(" src=10.0.0.5 "), std::string::npos);
  EXPECT_NE(cef.find("dvchost=edge|1 "), std::string::npos);  // '|' is plain in extensions
  EXPECT_NE(cef.find(R"(msg=a\=b\\c|d\nnext)"), std::string::npos) << cef;
  EXPECT_NE(cef.find("cfp1=12000 "), std::string::npos);
  EXPECT_NE(cef.find("externalId=" + n.alert.id), std::string::npos);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  n.event = "alert.resolved";
  n.alert.kind = AlertKind::kTrafficReceived;
  n.alert.open = false;
  n.alert.resolved_at_ms = 1764690009000;
  line = syslog_line(n, 16, "h", 42);
  EXPECT_EQ(line.rfind("<134>1 ", 0), 0u);  // informational
  EXPECT_NE(line.find(" dst=10.0.0.5 "), std::string::npos);
  EXPECT_NE(line.find(" end=1764690009000"), std::string::npos);
}

TEST(NotifyMessages, ExecArgsLikeFastNetMon) {
  Notification n{"alert.opened", alert(), "s", "d", 0};
  EXPECT_EQ(exec_args(n), (std::vector<std::string>{"10.0.0.5", "outgoing", "12000", "ban"}));
  n.event = "alert.resolved";
  n.alert.kind = AlertKind::kTrafficReceived;
  EXPECT_EQ(exec_args(n), (std::vector<std::string>{"10.0.0.5", "incoming", "12000", "unban"}));
  n.event = "alert.escalated";
  EXPECT_TRUE(exec_args(n).empty());
  n.event = "alert.opened";
  n.alert.host.clear();
  EXPECT_TRUE(exec_args(n).empty());
}

// ---------------------------------------------------------------- delivery

TEST(NotifyDelivery, WebhookSignedBodyForOpenEscalateResolveOnly) {
  HttpReceiver rx;
  auto cfg = parse_ok(R"({"sensor":"edge-1","webhooks":[{"name":"soc","url":")" + rx.url() +
                      R"(","secret":"s3cret","timeout_ms":2000}]})");
  Notifier n(cfg);
  Alert a = alert(AlertKind::kTrafficThreshold, Severity::kMedium);
  n.on_alert_changed(a);  // opened
  n.on_alert_changed(a);  // an update: nothing
  a.severity = Severity::kHigh;
  n.on_alert_changed(a);  // escalated
  a.open = false;
  a.resolved_at_ms = a.last_seen_ms + 1;
  n.on_alert_changed(a);  // resolved
  n.on_alert_changed(a);  // again: nothing
  ASSERT_TRUE(rx.hits.wait_for(3));
  ASSERT_TRUE(eventually([&] { return n.log().for_alert(a.id).size() == 3; }));
  auto hits = rx.hits.items();
  ASSERT_EQ(hits.size(), 3u);
  const char* events[] = {"alert.opened", "alert.escalated", "alert.resolved"};
  simdjson::dom::parser p;
  for (size_t i = 0; i < 3; ++i) {
    auto& h = hits[i];
    EXPECT_EQ(h.target, "/hook");
    EXPECT_EQ(h.headers["X-SecureNet-Signature"], "sha256=" + hmac_hex("s3cret", h.body));
    EXPECT_EQ(h.headers["Content-Type"], "application/json");
    EXPECT_EQ(h.headers["X-SecureNet-Event"], events[i]);
    simdjson::dom::element doc;
    ASSERT_EQ(p.parse(h.body).get(doc), simdjson::SUCCESS) << h.body;
    EXPECT_EQ(std::string_view(doc["event"]), events[i]);
    EXPECT_EQ(std::string_view(doc["sensor"]), "edge-1");
    EXPECT_EQ(std::string_view(doc["delivery_id"]), h.headers["X-SecureNet-Delivery"]);
    EXPECT_EQ(std::string_view(doc["alert"]["id"]), a.id);
    EXPECT_EQ(std::string_view(doc["alert"]["kind"]), "traffic_sent");
    EXPECT_EQ(std::string_view(doc["alert"]["host"]), "10.0.0.5");
    EXPECT_EQ(double(doc["alert"]["threshold"]), 1000.0);
    std::string_view text = doc["text"];
    EXPECT_NE(text.find("10.0.0.5"), std::string_view::npos);
  }
  simdjson::dom::element second;
  ASSERT_EQ(p.parse(hits[1].body).get(second), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(second["alert"]["severity"]), "HIGH");
  auto recs = n.log().for_alert(a.id);
  EXPECT_EQ(recs[0].result, "delivered");
  EXPECT_EQ(recs[0].channel, "soc");
  EXPECT_EQ(recs[0].detail, "HTTP 204");
  EXPECT_EQ(recs[0].attempts, 1u);
  // The tampered body would not verify.
  EXPECT_NE(hmac_hex("s3cret", hits[0].body + " "), hmac_hex("s3cret", hits[0].body));
}

TEST(NotifyDelivery, FiltersBySeverityAndKind) {
  HttpReceiver rx;
  auto cfg = parse_ok(R"({"webhooks":[{"name":"w","url":")" + rx.url() +
                      R"(","min_severity":"HIGH","kinds":["port_scan"]}]})");
  Notifier n(cfg);
  n.on_alert_changed(alert(AlertKind::kPortScan, Severity::kMedium));    // too low
  n.on_alert_changed(alert(AlertKind::kHostScan, Severity::kCritical));  // other kind
  Alert ok = alert(AlertKind::kPortScan, Severity::kHigh);
  n.on_alert_changed(ok);
  ASSERT_TRUE(rx.hits.wait_for(1));
  ASSERT_TRUE(eventually([&] { return n.stats(0).delivered == 1; }));
  EXPECT_EQ(n.stats(0).queued, 1u);
  EXPECT_NE(rx.hits.items()[0].body.find(ok.id), std::string::npos);
}

// A channel's first message about an alert is "opened", also when the alert reached the
// channel's threshold by escalating; a resolve goes only where the open went (no unban
// without a ban), and alerts adopted from an earlier run (seed) still get their resolve.
TEST(NotifyDelivery, PerChannelOpenOnEscalationAndResolveOnlyWhereTold) {
  HttpReceiver all, high;
  auto cfg =
      parse_ok(R"({"webhooks":[{"name":"all","url":")" + all.url() +
               R"("},{"name":"high","url":")" + high.url() + R"(","min_severity":"HIGH"}]})");
  Notifier n(cfg);
  Alert adopted = alert(AlertKind::kTrafficThreshold, Severity::kCritical);
  n.seed({adopted});
  Alert a = alert(AlertKind::kTrafficThreshold, Severity::kMedium);
  Alert low = alert(AlertKind::kPortScan, Severity::kLow);
  n.on_alert_changed(a);
  n.on_alert_changed(low);
  a.severity = Severity::kHigh;
  n.on_alert_changed(a);
  a.open = false;
  n.on_alert_changed(a);
  low.open = false;
  n.on_alert_changed(low);
  n.on_alert_changed(adopted);  // an update of an adopted alert: not an open
  adopted.open = false;
  n.on_alert_changed(adopted);
  auto events = [](HttpReceiver& rx) {
    std::vector<std::string> out;
    for (const auto& h : rx.hits.items()) {
      auto at = h.body.find(R"("id":")") + 6;
      out.push_back(h.headers.at("X-SecureNet-Event") + " " + h.body.substr(at, 36));
    }
    return out;
  };
  ASSERT_TRUE(all.hits.wait_for(6));
  ASSERT_TRUE(high.hits.wait_for(3));
  ASSERT_TRUE(eventually([&] { return n.stats(0).delivered == 6 && n.stats(1).delivered == 3; }));
  EXPECT_EQ(events(all),
            (std::vector<std::string>{"alert.opened " + a.id, "alert.opened " + low.id,
                                      "alert.escalated " + a.id, "alert.resolved " + a.id,
                                      "alert.resolved " + low.id, "alert.resolved " + adopted.id}));
  EXPECT_EQ(events(high),
            (std::vector<std::string>{"alert.opened " + a.id, "alert.resolved " + a.id,
                                      "alert.resolved " + adopted.id}));
}

TEST(NotifyDelivery, RetriesWithBackoffThenDeadLetter) {
  HttpReceiver flaky;
  flaky.fail_first = 2;
  HttpReceiver down;
  down.fail_first = 1000;
  auto cfg = parse_ok(R"({"webhooks":[{"name":"flaky","url":")" + flaky.url() +
                      R"(","retries":3,"backoff_ms":20},{"name":"down","url":")" + down.url() +
                      R"(","retries":2,"backoff_ms":20}]})");
  Notifier n(cfg);
  Alert a = alert();
  auto t0 = Clock::now();
  n.on_alert_changed(a);
  ASSERT_TRUE(eventually([&] { return n.log().for_alert(a.id).size() == 2; }));
  auto took = Clock::now() - t0;
  EXPECT_EQ(flaky.requests.load(), 3);
  EXPECT_EQ(down.requests.load(), 3);                   // the first try and 2 retries
  EXPECT_GE(took, std::chrono::milliseconds(20 + 40));  // back-off 20, then 40 ms
  EXPECT_EQ(n.stats(0).delivered, 1u);
  EXPECT_EQ(n.stats(0).retries, 2u);
  EXPECT_EQ(n.stats(1).dead_letter, 1u);
  EXPECT_EQ(n.dead_letters(), 1u);
  for (const auto& r : n.log().for_alert(a.id)) {
    if (r.channel == "flaky") {
      EXPECT_EQ(r.result, "delivered");
      EXPECT_EQ(r.attempts, 3u);
    } else {
      EXPECT_EQ(r.result, "failed");
      EXPECT_EQ(r.attempts, 3u);
      EXPECT_EQ(r.detail, "HTTP 500");
    }
  }
  securenet::JsonWriter w;
  n.write_status(w);
  EXPECT_NE(w.str().find("\"dead_letter\":1,"), std::string::npos) << w.str();
}

TEST(NotifyDelivery, NeverBlocksDetectionAndAFullQueueDrops) {
  HttpReceiver hung;
  hung.never_answer = true;
  HttpReceiver fine;
  auto cfg = parse_ok(R"({"queue_capacity":4,"webhooks":[{"name":"hung","url":")" + hung.url() +
                      R"(","timeout_ms":3000,"retries":0},{"name":"fine","url":")" + fine.url() +
                      R"("}]})");
  Notifier n(cfg);
  std::vector<Alert> alerts;
  for (int i = 0; i < 50; ++i) alerts.push_back(alert());
  auto t0 = Clock::now();
  for (const auto& a : alerts) n.on_alert_changed(a);
  auto took = Clock::now() - t0;
  // 50 alerts while one receiver hangs: the calls only queue (a generous bound for a busy box;
  // one webhook attempt alone would take 3000 ms).
  EXPECT_LT(took, std::chrono::milliseconds(500));
  ASSERT_TRUE(hung.hits.wait_for(1));
  // The hung channel: one in flight, 4 queued, the rest dropped, counted and recorded.
  auto s = n.stats(0);
  EXPECT_EQ(s.queued + s.dropped, 50u);
  EXPECT_GE(s.dropped, 45u);
  uint64_t dropped_records = 0;
  for (const auto& a : alerts)
    for (const auto& r : n.log().for_alert(a.id))
      dropped_records += r.channel == "hung" && r.result == "dropped";
  EXPECT_EQ(dropped_records, s.dropped);
  // The other channel is not held up by the hung one.
  EXPECT_TRUE(eventually([&] { return n.stats(1).delivered + n.stats(1).dropped == 50; }));
  EXPECT_GE(n.stats(1).delivered, 4u);
  // Shutdown ends the attempt under way (3000 ms) early.
  auto t1 = Clock::now();
  {
    Notifier gone(std::move(cfg));
    gone.on_alert_changed(alert());
    ASSERT_TRUE(hung.hits.wait_for(2));
  }
  EXPECT_LT(Clock::now() - t1, std::chrono::milliseconds(2500));
}

TEST(NotifyDelivery, WebhookTimeoutIsAFailedAttempt) {
  HttpReceiver hung;
  hung.never_answer = true;
  auto cfg = parse_ok(R"({"webhooks":[{"name":"hung","url":")" + hung.url() +
                      R"(","timeout_ms":200,"retries":0}]})");
  Notifier n(cfg);
  Alert a = alert();
  n.on_alert_changed(a);
  ASSERT_TRUE(eventually([&] { return n.log().for_alert(a.id).size() == 1; }));
  auto r = n.log().for_alert(a.id)[0];
  EXPECT_EQ(r.result, "failed");
  EXPECT_NE(r.detail.find("answer"), std::string::npos) << r.detail;
  EXPECT_EQ(n.dead_letters(), 1u);
}

TEST(NotifyDelivery, SyslogUdpAndTcpReceiveRfc5424Cef) {
  UdpReceiver udp;
  TcpReceiver tcp;
  tcp.close_after = 2;  // the sender notices the closed connection and reconnects
  auto cfg = parse_ok(R"({"sensor":"edge-1","syslog":[{"name":"u","host":"127.0.0.1","port":)" +
                      std::to_string(udp.port()) +
                      R"(},{"name":"t","host":"127.0.0.1","transport":"tcp","port":)" +
                      std::to_string(tcp.port()) + "}]}");
  Notifier n(cfg);
  std::vector<Alert> alerts;
  for (int i = 0; i < 3; ++i) {
    alerts.push_back(alert());
    alerts.back().description = "x=" + std::to_string(i) + "\\|";
  }
  n.on_alert_changed(alerts[0]);
  n.on_alert_changed(alerts[1]);
  ASSERT_TRUE(tcp.lines.wait_for(2));
  ASSERT_TRUE(eventually([&] { return tcp.closed.load() == 1; }));
  n.on_alert_changed(alerts[2]);
  ASSERT_TRUE(udp.lines.wait_for(3));
  ASSERT_TRUE(tcp.lines.wait_for(3));
  std::regex re(
      R"(^<(\d+)>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ securenet \d+ alert\.opened - )"
      R"(CEF:0\|SecureNet\|Sensor\|[^|]+\|traffic_sent\|traffic_sent alert opened\|8\|(.*)$)");
  for (auto* lines : {&udp.lines, &tcp.lines}) {
    auto got = lines->items();
    ASSERT_EQ(got.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      std::smatch m;
      ASSERT_TRUE(std::regex_match(got[i], m, re)) << got[i];
      EXPECT_EQ(m[1], "131");  // local0, err
      std::string e = m[2];
      EXPECT_NE(e.find("externalId=" + alerts[i].id), std::string::npos);
      EXPECT_NE(e.find("msg=x\\=" + std::to_string(i) + "\\\\|"), std::string::npos) << e;
      EXPECT_NE(e.find("dvchost=edge-1"), std::string::npos);
    }
  }
  EXPECT_EQ(tcp.connections.load(), 2);
  EXPECT_TRUE(eventually([&] { return n.stats(1).delivered == 3; }));
}

TEST(NotifyDelivery, ExecHookGetsArgsStdinAndACleanEnvironment) {
  TempDir d;
  std::string out = (d.path / "out").string();
  std::string script = d.script("ban.sh", "{ echo \"$@\"; env | sort; cat; echo; } >> " + out +
                                              ".tmp\nmv " + out + ".tmp " + out + "\n");
  ::setenv("SECURENET_JWT_SECRET", "must-not-leak", 1);
  auto cfg = parse_ok(R"({"exec":[{"name":"ban","notify_script":")" + script +
                      R"(","timeout_ms":5000}]})");
  Notifier n(cfg);
  Alert a = alert();
  n.on_alert_changed(a);
  ASSERT_TRUE(eventually([&] { return n.log().for_alert(a.id).size() == 1; }));
  std::string got = slurp(out);
  ::unsetenv("SECURENET_JWT_SECRET");
  EXPECT_EQ(got.rfind("10.0.0.5 outgoing 12000 ban\n", 0), 0u) << got;
  EXPECT_NE(got.find("SECURENET_ALERT_ID=" + a.id), std::string::npos);
  EXPECT_EQ(got.find("must-not-leak"), std::string::npos);
  EXPECT_NE(got.find("{\"event\":\"alert.opened\""), std::string::npos);
  EXPECT_NE(got.find("\"id\":\"" + a.id + "\""), std::string::npos);
  auto r = n.log().for_alert(a.id)[0];
  EXPECT_EQ(r.result, "delivered");
  EXPECT_EQ(r.detail, "exit 0");
  a.open = false;
  n.on_alert_changed(a);
  ASSERT_TRUE(eventually([&] { return n.log().for_alert(a.id).size() == 2; }));
  EXPECT_EQ(slurp(out).rfind("10.0.0.5 outgoing 12000 unban\n", 0), 0u);
}

TEST(NotifyDelivery, ExecFailureAndHungScriptKilledAtTimeout) {
  TempDir d;
  std::string pidfile = (d.path / "pid").string();
  // The script starts a child of its own (the whole group is killed) and ignores its stdin.
  std::string hung = d.script("hung.sh", "sleep 30 &\necho $! > " + pidfile + "\nwait\n");
  std::string fails = d.script("fails.sh", "exit 3\n");
  auto cfg =
      parse_ok(R"({"exec":[{"name":"hung","notify_script":")" + hung +
               R"(","timeout_ms":1000},{"name":"fails","notify_script":")" + fails + R"("}]})");
  Notifier n(cfg);
  Alert a = alert();
  auto t0 = Clock::now();
  n.on_alert_changed(a);
  EXPECT_LT(Clock::now() - t0, std::chrono::milliseconds(200));
  ASSERT_TRUE(eventually([&] { return n.log().for_alert(a.id).size() == 2; }));
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(10));
  for (const auto& r : n.log().for_alert(a.id)) {
    EXPECT_EQ(r.result, "failed");
    if (r.channel == "hung")
      EXPECT_NE(r.detail.find("timeout after 1000 ms"), std::string::npos) << r.detail;
    else
      EXPECT_EQ(r.detail, "exit 3");
  }
  pid_t child = std::stoi(slurp(pidfile));
  // The grandchild (sleep 30) went with the group (it may linger as a zombie of init briefly).
  EXPECT_TRUE(eventually([&] {
    std::ifstream st("/proc/" + std::to_string(child) + "/stat");
    std::string s;
    std::getline(st, s);
    return s.empty() || s.find(") Z ") != std::string::npos;
  }));
}

TEST(NotifyLog, BoundedPerAlertAndInAlerts) {
  DeliveryLog log(3);
  for (int i = 0; i < 5; ++i) log.add({"a" + std::to_string(i), "c", "webhook", "e", "delivered"});
  EXPECT_EQ(log.alerts(), 3u);
  EXPECT_TRUE(log.for_alert("a0").empty());
  EXPECT_EQ(log.for_alert("a4").size(), 1u);
  for (size_t i = 0; i < DeliveryLog::kPerAlert + 10; ++i)
    log.add({"a4", "c" + std::to_string(i), "webhook", "e", "delivered"});
  auto r = log.for_alert("a4");
  EXPECT_EQ(r.size(), DeliveryLog::kPerAlert);
  EXPECT_EQ(r.back().channel, "c" + std::to_string(DeliveryLog::kPerAlert + 9));
  std::string j = actions_json("a4", r);
  EXPECT_EQ(j.rfind("{\"alert_id\":\"a4\",\"actions\":[{\"channel\":", 0), 0u) << j;
}
