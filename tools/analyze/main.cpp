// securenet-analyze FILE...: offline analysis of captures in packet time (like suricata -r
// or zeek -r). The dataplane's parser and counters and the control plane's sampler and
// detector, as fast as the CPU allows, with the capture's timestamps as the clock.
#include <getopt.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "analyzer.h"
#include "config/config_file.h"
#include "report.h"

namespace {

using namespace securenet;
using namespace securenet::analyze;

constexpr size_t kMaxFiles = 1024;
constexpr off_t kMaxConfigBytes = 1 << 20;

const char* kUsage = R"(Usage: securenet-analyze [options] FILE...

Runs the sensor's parser, per-host counters, sampler and detector over pcap/pcapng files as
fast as the CPU allows, with the capture's timestamps as the clock (one tick per second of
packet time). Files are read in the order given, as one stream. Prints every alert as a JSON
line ({"event":"open"|"update"|"resolve","alert":{...}}, times in packet time) and a summary.

  --config FILE         securenet-control's config.json (thresholds, blacklist, networks);
                        default: the built-in defaults
  --json                JSON lines only, ending with {"event":"summary",...}
  --summary             the summary table only
  --updates             an update line every tick an alert is seen (default: only when its
                        severity changes)
  --host-capacity N     hosts in the table, 64..16777216 (default 65536)
  --decap inner|outer|both   hosts of tunnelled packets (as securenet-dataplane)
  --help                this text

Exit codes: 0 done, 1 unreadable file or config, 2 bad usage.
)";

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "securenet-analyze: %s (see --help)\n", msg.c_str());
  return 2;
}

struct Cli {
  AnalyzeOptions opts;
  std::string config;
  bool json_only = false, summary_only = false, help = false;
  std::vector<std::string> files;
};

Result<control::SecurityConfig> read_config(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return make_error("cannot read config file " + path);
  if (!S_ISREG(st.st_mode) || st.st_size > kMaxConfigBytes) {
    return make_error("config file " + path + " is not a regular file of at most 1 MiB");
  }
  return control::load_config_file(path);
}

// An Error is a usage problem.
Result<Cli> parse(int argc, char** argv) {
  enum { kConfig = 256, kJson, kSummary, kUpdates, kHostCap, kDecap, kHelp };
  static const option kLong[] = {{"config", 1, nullptr, kConfig},
                                 {"json", 0, nullptr, kJson},
                                 {"summary", 0, nullptr, kSummary},
                                 {"updates", 0, nullptr, kUpdates},
                                 {"host-capacity", 1, nullptr, kHostCap},
                                 {"decap", 1, nullptr, kDecap},
                                 {"help", 0, nullptr, kHelp},
                                 {nullptr, 0, nullptr, 0}};
  Cli c;
  opterr = 0;
  for (int o; (o = getopt_long(argc, argv, ":h", kLong, nullptr)) != -1;) {
    const std::string arg = optarg ? optarg : "";
    switch (o) {
      case kConfig:
        c.config = arg;
        break;
      case kJson:
        c.json_only = true;
        break;
      case kSummary:
        c.summary_only = true;
        break;
      case kUpdates:
        c.opts.every_update = true;
        break;
      case kHostCap: {
        char* end = nullptr;
        errno = 0;
        const unsigned long long v = std::strtoull(arg.c_str(), &end, 10);
        if (errno || arg.empty() || *end || arg[0] == '-' || v < 64 || v > (1ULL << 24)) {
          return make_error("--host-capacity wants a number in 64..16777216, got '" + arg + "'");
        }
        c.opts.host_capacity = v;
        break;
      }
      case kDecap:
        if (!decap_from_name(arg.c_str(), c.opts.parse.decap)) {
          return make_error("--decap must be inner, outer or both, got '" + arg + "'");
        }
        break;
      case 'h':
      case kHelp:
        c.help = true;
        break;
      case ':':
        return make_error(std::string("option ") + argv[optind - 1] + " needs a value");
      default:
        return make_error(std::string("unknown option ") + argv[optind - 1]);
    }
  }
  if (c.help) return c;
  if (c.json_only && c.summary_only) return make_error("--json and --summary exclude each other");
  for (int i = optind; i < argc; ++i) c.files.push_back(argv[i]);
  if (c.files.empty()) return make_error("no capture file given");
  if (c.files.size() > kMaxFiles)
    return make_error("at most " + std::to_string(kMaxFiles) + " files");
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  auto cli = parse(argc, argv);
  if (!cli) return usage_error(cli.error().message);
  if (cli->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!cli->config.empty()) {
    auto cfg = read_config(cli->config);
    if (!cfg) {
      std::fprintf(stderr, "securenet-analyze: %s\n", cfg.error().message.c_str());
      return 1;
    }
    cli->opts.config = *cfg;
  }
  const bool lines = !cli->summary_only;
  auto an = Analyzer::create(cli->opts, [lines](const char* ev, const control::Alert& a) {
    if (lines) std::printf("%s\n", event_line(ev, a).c_str());
  });
  if (!an) {
    std::fprintf(stderr, "securenet-analyze: %s\n", an.error().message.c_str());
    return 1;
  }
  for (const auto& f : cli->files) {
    if (auto st = (*an)->feed(f); !st) {
      std::fprintf(stderr, "securenet-analyze: %s\n", st.error().message.c_str());
      return 1;
    }
  }
  const AnalyzeSummary s = (*an)->finish();
  if (cli->json_only) {
    std::printf("%s\n", summary_line(s).c_str());
  } else {
    print_summary(s, stdout);
  }
  return 0;
}
