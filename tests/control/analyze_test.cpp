// Issue 13 item 5: POST /api/analyze through the real securenet-control, which runs the real
// securenet-analyze over an upload. A port scan made here by securenet-pcapgen is analysed
// through the API and directly (the same tool and config): the same alerts. Access (admin
// only), hostile bodies (garbage, empty, wrong media type, oversize) and the limits: one
// analysis at a time (429) while /health still answers, and the wall-clock timeout (504,
// the child killed). For the last two the tool is a gate: a script that waits on a FIFO
// the test opens, then runs the real securenet-analyze (no sleeps).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "auth/jwt.h"
#include "child_process.h"
#include "control_launcher.h"
#include "http_fixture.h"
#include "sensor_dir.h"
#include "types_check.h"

using namespace sn_test;
namespace fs = std::filesystem;
using securenet::test::ChildProcess;
using securenet::test::ControlProcess;

namespace {

std::string token_as(const std::string& role) {
  securenet::auth::MintOptions m;
  m.sub = kUser;
  m.app_role = role;
  return securenet::auth::mint_hs256(kSecret, m, static_cast<int64_t>(std::time(nullptr)));
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// POST /api/analyze with raw bytes (HttpClient would label them JSON).
HttpResult post_capture(uint16_t port, const std::string& body, const std::string& token,
                        const std::string& type = "application/vnd.tcpdump.pcap") {
  HttpClient c(port);
  std::string req = "POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + type +
                    "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  c.write_raw(req + "\r\n" + body);
  return c.read_response();
}

// An alert object without its id (a fresh UUID each run), as comparable text.
std::string without_id(simdjson::dom::object a) {
  std::string s;
  for (auto [k, v] : a) {
    if (k != "id") s += std::string(k) + "=" + simdjson::minify(v) + ";";
  }
  return s;
}

// securenet-analyze --json output -> each alert's last state, in the order they opened.
std::vector<std::string> alerts_of_tool(const std::string& out) {
  std::vector<std::string> order;
  std::map<std::string, std::string> last;
  simdjson::dom::parser p;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    simdjson::dom::object o = p.parse(line).get_object().value();
    if (std::string_view(o["event"].get_string().value()) == "summary") continue;
    simdjson::dom::object a = o["alert"].get_object().value();
    const std::string id(a["id"].get_string().value());
    if (!last.count(id)) order.push_back(id);
    last[id] = without_id(a);
  }
  std::vector<std::string> v;
  for (const auto& id : order) v.push_back(last[id]);
  return v;
}

struct Sensor {
  explicit Sensor(const std::string& name, std::vector<std::string> extra) : s(name) {
    auto o = s.control();
    o.extra = std::move(extra);
    control.emplace(o, (s.dir / "control.log").string());
    port = control->wait_port();
  }
  SensorDir s;
  std::optional<ControlProcess> control;
  uint16_t port = 0;
};

// A port scan (alerts on 10.0.0.66) made by securenet-pcapgen into dir.
fs::path make_scan(const fs::path& dir) {
  const fs::path pcap = dir / "scan.pcap";
  ChildProcess gen({PCAPGEN_BIN, "--out", pcap.string(), "--scenario", "port-scan", "--src",
                    "10.0.0.66", "--pps", "500", "--packets", "8000", "--hosts", "500"},
                   (dir / "pcapgen.log").string());
  EXPECT_EQ(gen.wait(), 0) << "securenet-pcapgen failed";
  return pcap;
}

// A stand-in tool: records the mode and path of the files it is given (--json --config F --
// FILE) and its pid, waits until the test opens `fifo` for writing, then runs the real
// securenet-analyze with the same arguments.
fs::path make_gate(const fs::path& dir) {
  const fs::path fifo = dir / "gate.fifo", script = dir / "gate.sh";
  EXPECT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::ofstream(script) << "#!/bin/sh\n/usr/bin/stat -c '%a %n' \"$3\" \"$5\" > '"
                        << (dir / "gate.files").string() << "'\necho $$ > '"
                        << (dir / "gate.pid").string() << ".tmp'\n/bin/mv '"
                        << (dir / "gate.pid").string() << ".tmp' '" << (dir / "gate.pid").string()
                        << "'\nread line < '" << fifo.string() << "'\nexec '" << ANALYZE_BIN
                        << "' \"$@\"\n";
  fs::permissions(script, fs::perms::owner_all);
  return script;
}

}  // namespace

TEST(Analyze, AdminGetsTheAlertsTheToolPrints) {
  Sensor sn("ctlanalyze", {"--analyze-bin", ANALYZE_BIN, "--max-upload-mb", "4"});
  ASSERT_NE(sn.port, 0) << sn.control->log();
  const fs::path pcap = make_scan(sn.s.dir);
  const std::string bytes = slurp(pcap);
  ASSERT_GT(bytes.size(), 100000u);

  auto r = post_capture(sn.port, bytes, token_as("admin"));
  ASSERT_EQ(r.status, 200) << r.body;
  // The tool itself, over the same file with the sensor's config.
  const fs::path cfg = sn.s.dir / "config-now.json";
  std::ofstream(cfg) << get(sn.port, "/api/config", token_as("viewer")).body;
  int status = -1;
  const std::string direct =
      securenet::test::sh_out(std::string("'") + ANALYZE_BIN + "' --json --config '" +
                                  cfg.string() + "' '" + pcap.string() + "'",
                              &status);
  ASSERT_EQ(status, 0);
  const auto want = alerts_of_tool(direct);
  ASSERT_FALSE(want.empty()) << direct;

  Json j(r.body);
  simdjson::dom::array alerts;
  ASSERT_EQ(j["alerts"].get_array().get(alerts), simdjson::SUCCESS) << r.body;
  std::vector<std::string> got;
  for (auto a : alerts) got.push_back(without_id(a.get_object().value()));
  EXPECT_EQ(got, want);
  bool scanner = false;
  for (auto a : alerts) {
    scanner = scanner || std::string_view(a["host"].get_string().value()) == "10.0.0.66";
  }
  EXPECT_TRUE(scanner) << r.body;
  EXPECT_EQ(j["packets"].get_uint64().value(), 8000u);
  EXPECT_EQ(j["summary"]["packets"].get_uint64().value(), 8000u);
  EXPECT_EQ(j["summary"]["alerts"].get_uint64().value(), want.size());
  EXPECT_EQ(j["file_bytes"].get_uint64().value(), bytes.size());
  EXPECT_GE(j["duration_ms"].get_int64().value(), 0);
  // The dashboard's types (web/src/api/types.ts) are what the API sends.
  const std::string ts = read_types_ts();
  expect_declared_fields_served("CaptureAnalysis",
                                body_after(ts, "export interface CaptureAnalysis {"), j.root);
  expect_declared_fields_served("AnalysisSummary",
                                body_after(ts, "export interface AnalysisSummary {"), j["summary"]);
  // The upload and the config copy are gone from the state dir.
  for (const auto& e : fs::directory_iterator(sn.s.dir)) {
    EXPECT_EQ(e.path().filename().string().rfind(".analyze-", 0), std::string::npos) << e.path();
  }
  // The same packets as pcapng (editcap, when installed): the same alerts.
  if (securenet::test::sh("command -v editcap >/dev/null 2>&1") == 0) {
    const fs::path ng = sn.s.dir / "scan.pcapng";
    ASSERT_EQ(
        securenet::test::sh("editcap -F pcapng '" + pcap.string() + "' '" + ng.string() + "'"), 0);
    auto rng = post_capture(sn.port, slurp(ng), token_as("admin"));
    ASSERT_EQ(rng.status, 200) << rng.body;
    Json jng(rng.body);
    simdjson::dom::array ng_alerts;
    ASSERT_EQ(jng["alerts"].get_array().get(ng_alerts), simdjson::SUCCESS);
    std::vector<std::string> got_ng;
    for (auto a : ng_alerts) got_ng.push_back(without_id(a.get_object().value()));
    EXPECT_EQ(got_ng, want);
  }
  // application/octet-stream is a capture too.
  EXPECT_EQ(post_capture(sn.port, bytes, token_as("admin"), "application/octet-stream").status,
            200);

  // "Expect: 100-continue" (curl before a large upload): the server says 100 Continue once
  // the headers are accepted, then reads the body.
  {
    HttpClient c(sn.port);
    c.write_raw(
        "POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        "application/octet-stream\r\nAuthorization: Bearer " +
        token_as("admin") +
        "\r\nExpect: 100-continue\r\nContent-Length: " + std::to_string(bytes.size()) + "\r\n\r\n");
    const std::string interim = c.read_until("\r\n\r\n", 4096);
    EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
    c.write_raw(bytes);
    auto e = c.read_response();
    EXPECT_EQ(e.status, 200) << e.body;
  }

  // Access: admin only; a token is needed.
  EXPECT_EQ(post_capture(sn.port, bytes, token_as("operator")).status, 403);
  EXPECT_EQ(post_capture(sn.port, bytes, token_as("viewer")).status, 403);
  EXPECT_EQ(post_capture(sn.port, bytes, "").status, 401);
  EXPECT_EQ(post_capture(sn.port, bytes, "not-a-token").status, 401);
}

TEST(Analyze, HostileBodiesGetJsonErrors) {
  Sensor sn("ctlanalyzebad", {"--analyze-bin", ANALYZE_BIN, "--max-upload-mb", "1"});
  ASSERT_NE(sn.port, 0) << sn.control->log();
  const std::string admin = token_as("admin");
  auto garbage = post_capture(sn.port, std::string(5000, 'x') + "not a capture", admin);
  EXPECT_EQ(garbage.status, 400) << garbage.body;
  Json g(garbage.body);
  EXPECT_EQ(std::string_view(g["error"].get_string().value()), "not_a_capture");
  const std::string detail(g["detail"].get_string().value());
  EXPECT_FALSE(detail.empty());
  EXPECT_EQ(detail.find(sn.s.dir.string()), std::string::npos) << detail;  // no server path
  // A pcap header cut short, then one cut mid-record.
  const std::string pcap_magic("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8);
  EXPECT_EQ(post_capture(sn.port, pcap_magic, admin).status, 400);
  auto empty = post_capture(sn.port, "", admin);
  EXPECT_EQ(empty.status, 400) << empty.body;
  EXPECT_NE(empty.body.find("empty_body"), std::string::npos) << empty.body;
  EXPECT_EQ(post_capture(sn.port, "abc", admin, "text/plain").status, 415);
  EXPECT_EQ(post_capture(sn.port, "{}", admin, "application/json").status, 415);

  // Beyond --max-upload-mb: 413 from the headers alone (the body is never read).
  HttpClient big(sn.port);
  big.write_raw(
      "POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
      "application/octet-stream\r\nAuthorization: Bearer " +
      admin + "\r\nContent-Length: " + std::to_string((1u << 20) + 1) + "\r\n\r\n");
  auto r = big.read_response();
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_NE(r.body.find("payload_too_large"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(std::to_string(1u << 20)), std::string::npos) << r.body;
  // A caller who may not upload is refused from the headers alone, before the body is read
  // (the server never holds their upload): the answer comes though no body byte was sent.
  for (const auto& [token, want] :
       {std::pair{token_as("viewer"), 403}, std::pair{token_as("operator"), 403},
        std::pair{std::string(), 401}, std::pair{std::string("bogus"), 401}}) {
    for (const size_t length : {size_t{1000000}, size_t{(1u << 20) + 1}}) {
      HttpClient early(sn.port);
      early.write_raw(
          "POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
          "application/octet-stream\r\n" +
          (token.empty() ? std::string() : "Authorization: Bearer " + token + "\r\n") +
          "Content-Length: " + std::to_string(length) + "\r\n\r\n");
      auto e = early.read_response();
      EXPECT_EQ(e.status, want) << token << " " << length << " " << e.body;
    }
  }
  // A chunked body counts against the same limit (a chunk beyond it is refused).
  HttpClient chunked(sn.port);
  chunked.write_raw(
      "POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
      "application/octet-stream\r\nAuthorization: Bearer " +
      admin + "\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n");
  auto rc = chunked.read_response();
  EXPECT_EQ(rc.status, 413) << rc.body;
  // The upload limit is this route's only: other routes keep the small API limit.
  HttpClient cfg(sn.port);
  cfg.write_raw(
      "POST /api/config HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
      "application/json\r\nAuthorization: Bearer " +
      admin + "\r\nContent-Length: 200000\r\n\r\n");
  EXPECT_EQ(cfg.read_response().status, 413);
  EXPECT_EQ(get(sn.port, "/health").status, 200);
}

// One analysis at a time: a second one meanwhile is refused with 429 and Retry-After, and
// the server keeps answering; then the first one finishes normally.
TEST(Analyze, OneAtATimeAndTheServerKeepsAnswering) {
  SensorDir dir("ctlanalyzegate");
  const fs::path gate = make_gate(dir.dir);
  Sensor sn("ctlanalyzebusy", {"--analyze-bin", gate.string()});
  ASSERT_NE(sn.port, 0) << sn.control->log();
  const std::string bytes = slurp(make_scan(dir.dir)), admin = token_as("admin");
  auto first = std::async(std::launch::async, [&] { return post_capture(sn.port, bytes, admin); });
  ASSERT_TRUE(eventually([&] { return fs::exists(dir.dir / "gate.pid"); }, 60000))
      << sn.control->log();
  EXPECT_EQ(get(sn.port, "/health").status, 200);
  EXPECT_EQ(get(sn.port, "/api/status", admin).status, 200);
  // The upload and the config copy: private files (0600) in the state dir.
  std::istringstream files(slurp(dir.dir / "gate.files"));
  int n = 0;
  for (std::string mode, path; files >> mode >> path; ++n) {
    EXPECT_EQ(mode, "600") << path;
    EXPECT_EQ(fs::path(path).parent_path(), sn.s.dir) << path;
  }
  EXPECT_EQ(n, 2);
  auto second = post_capture(sn.port, bytes, admin);
  EXPECT_EQ(second.status, 429) << second.body;
  EXPECT_FALSE(second.header("Retry-After").empty());
  EXPECT_NE(second.body.find("busy"), std::string::npos) << second.body;
  {
    std::ofstream open_gate(dir.dir / "gate.fifo");
    open_gate << "go\n";
  }
  auto r = first.get();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r.body)["packets"].get_uint64().value(), 8000u);
}

// Shutdown (SIGTERM) during an analysis kills the child: the answer is 503 and the control
// plane exits long before the analysis timeout (60 s by default).
TEST(Analyze, ShutdownStopsARunningAnalysis) {
  SensorDir dir("ctlanalyzestop");
  const fs::path gate = make_gate(dir.dir);
  Sensor sn("ctlanalyzeterm", {"--analyze-bin", gate.string(), "--analyze-timeout-s", "600"});
  ASSERT_NE(sn.port, 0) << sn.control->log();
  const std::string bytes = slurp(make_scan(dir.dir));
  auto first = std::async(std::launch::async,
                          [&] { return post_capture(sn.port, bytes, token_as("admin")); });
  ASSERT_TRUE(eventually([&] { return fs::exists(dir.dir / "gate.pid"); }, 60000))
      << sn.control->log();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(sn.control->stop(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  auto r = first.get();
  EXPECT_EQ(r.status, 503) << r.body;
  const pid_t pid = std::stoi(slurp(dir.dir / "gate.pid"));
  EXPECT_TRUE(::kill(pid, 0) != 0 && errno == ESRCH) << "the gate script is still running";
}

// The wall-clock limit: 504 and the child killed.
TEST(Analyze, TimeoutKillsTheChild) {
  SensorDir dir("ctlanalyzeslow");
  const fs::path gate = make_gate(dir.dir);
  Sensor sn("ctlanalyzetime", {"--analyze-bin", gate.string(), "--analyze-timeout-s", "3"});
  ASSERT_NE(sn.port, 0) << sn.control->log();
  const std::string bytes = slurp(make_scan(dir.dir));
  auto r = post_capture(sn.port, bytes, token_as("admin"));  // the gate stays shut
  EXPECT_EQ(r.status, 504) << r.body;
  EXPECT_NE(r.body.find("analysis_timeout"), std::string::npos) << r.body;
  const pid_t pid = std::stoi(slurp(dir.dir / "gate.pid"));
  EXPECT_TRUE(::kill(pid, 0) != 0 && errno == ESRCH) << "the gate script is still running";
  // The next analysis may run (the slot was freed); the gate is opened for it.
  fs::remove(dir.dir / "gate.pid");
  auto next = std::async(std::launch::async,
                         [&] { return post_capture(sn.port, bytes, token_as("admin")); });
  ASSERT_TRUE(eventually([&] { return fs::exists(dir.dir / "gate.pid"); }, 60000));
  std::ofstream(dir.dir / "gate.fifo") << "go\n";
  EXPECT_EQ(next.get().status, 200);
}
