// Config validation: every field, every error, the field is named, nothing applied halfway.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/config_file.h"
#include "config/protocols.h"
#include "config/publish.h"
#include "config/security_config.h"

using namespace securenet;
using namespace securenet::control;

namespace {

ConfigParseResult apply(const std::string& json) {
  return apply_config_json(SecurityConfig::defaults(), json);
}

void expect_error(const std::string& json, const std::string& field,
                  const std::string& detail_part) {
  auto r = apply(json);
  ASSERT_FALSE(r.ok) << json;
  EXPECT_EQ(r.error.field, field) << json;
  EXPECT_NE(r.error.detail.find(detail_part), std::string::npos)
      << json << " -> " << r.error.detail;
}

}  // namespace

TEST(Config, DefaultsMatchTheDesign) {
  auto c = SecurityConfig::defaults();
  EXPECT_EQ(c.traffic_threshold_pps, 1000);
  EXPECT_EQ(c.connection_rate_per_min, 100);
  ASSERT_EQ(c.protocol_blacklist.size(), 2u);
  EXPECT_EQ(c.protocol_blacklist[0].label, "ICMP");
  EXPECT_EQ(c.protocol_blacklist[1].label, "IGMP");
  EXPECT_EQ(c.home_networks.size(), 4u);
  EXPECT_TRUE(c.internal(*parse_ip_text("192.168.1.10")));
  EXPECT_TRUE(c.internal(*parse_ip_text("fd12::1")));
  EXPECT_FALSE(c.internal(*parse_ip_text("8.8.8.8")));
  EXPECT_EQ(c.escalation_factor, 10);
  EXPECT_DOUBLE_EQ(c.clear_ratio, 0.8);
}

TEST(Config, AppliesEveryFieldAtOnce) {
  auto r = apply(R"({"traffic_threshold_pps":500,"connection_rate_per_min":30,
    "protocol_blacklist":["gre","tcp/23",47,"TELNET","udp/69"],
    "home_networks":["10.1.0.0/16","2001:db8::/32"],"whitelist":["10.1.2.3","10.9.0.0/24"],
    "subnet_thresholds":[{"cidr":"10.1.0.0/16","traffic_threshold_pps":50000},
                         {"cidr":"2001:db8:1::/48","traffic_threshold_pps":7}],
    "escalation_factor":4,"clear_ratio":0.5,"clear_hold_s":0,"sample_one_in":0,"updated_at_ms":5})");
  ASSERT_TRUE(r.ok) << r.error.detail;
  const auto& c = r.config;
  EXPECT_EQ(c.traffic_threshold_pps, 500);
  EXPECT_EQ(c.connection_rate_per_min, 30);
  ASSERT_EQ(c.protocol_blacklist.size(), 5u);
  EXPECT_EQ(c.protocol_blacklist[0].label, "GRE");
  EXPECT_EQ(c.protocol_blacklist[1].label, "tcp/23");
  EXPECT_EQ(c.protocol_blacklist[2].label, "47");
  EXPECT_EQ(c.whitelist.size(), 2u);
  EXPECT_TRUE(c.whitelisted(*parse_ip_text("10.1.2.3")));
  EXPECT_FALSE(c.whitelisted(*parse_ip_text("10.1.2.4")));
  EXPECT_EQ(c.host_threshold(*parse_ip_text("10.1.9.9")), 50000);
  EXPECT_EQ(c.host_threshold(*parse_ip_text("10.2.9.9")), 500);
  EXPECT_EQ(c.host_threshold(*parse_ip_text("2001:db8:1::5")), 7);
  EXPECT_EQ(c.escalation_factor, 4);
  EXPECT_EQ(c.clear_ratio, 0.5);
  EXPECT_EQ(c.clear_hold_s, 0);
  EXPECT_EQ(c.sample_one_in, 0u);
}

TEST(Config, SubsetKeepsOtherFields) {
  auto r = apply(R"({"traffic_threshold_pps":2000})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.config.traffic_threshold_pps, 2000);
  EXPECT_EQ(r.config.protocol_blacklist.size(), 2u);
  EXPECT_EQ(r.config.connection_rate_per_min, 100);
}

TEST(Config, MalformedBodies) {
  for (const char* j : {"", "{", "not json", "{\"a\":}", "[1,2]", "42", "\"x\""}) {
    auto r = apply(j);
    EXPECT_FALSE(r.ok) << j;
    EXPECT_TRUE(r.error.field.empty()) << j;
  }
}

TEST(Config, NumberFieldsRejectWrongTypesAndRanges) {
  for (std::string f : {"traffic_threshold_pps", "connection_rate_per_min", "escalation_factor",
                        "clear_ratio", "clear_hold_s", "sample_one_in"}) {
    expect_error("{\"" + f + "\":\"10\"}", f, "must be a number");
    expect_error("{\"" + f + "\":true}", f, "must be a number");
    expect_error("{\"" + f + "\":null}", f, "must be a number");
    expect_error("{\"" + f + "\":[1]}", f, "must be a number");
    expect_error("{\"" + f + "\":-1}", f, "out of range");
    expect_error("{\"" + f + "\":1e300}", f, "out of range");
  }
  expect_error(R"({"traffic_threshold_pps":0})", "traffic_threshold_pps", "out of range");
  expect_error(R"({"connection_rate_per_min":0})", "connection_rate_per_min", "out of range");
  expect_error(R"({"escalation_factor":1})", "escalation_factor", "out of range");
  expect_error(R"({"clear_ratio":0})", "clear_ratio", "out of range");
  expect_error(R"({"clear_ratio":1.5})", "clear_ratio", "out of range");
  expect_error(R"({"clear_hold_s":100000})", "clear_hold_s", "out of range");
  expect_error(R"({"sample_one_in":2.5})", "sample_one_in", "whole number");
}

TEST(Config, BlacklistErrorsNameTheEntry) {
  expect_error(R"({"protocol_blacklist":"ICMP"})", "protocol_blacklist", "must be an array");
  expect_error(R"({"protocol_blacklist":["ICMP","FOO"]})", "protocol_blacklist",
               "protocol_blacklist[1]: unknown protocol 'FOO'");
  expect_error(R"({"protocol_blacklist":[256]})", "protocol_blacklist", "not in 0..255");
  expect_error(R"({"protocol_blacklist":[-1]})", "protocol_blacklist", "not in 0..255");
  expect_error(R"({"protocol_blacklist":["300"]})", "protocol_blacklist", "not in 0..255");
  expect_error(R"({"protocol_blacklist":["tcp/70000"]})", "protocol_blacklist", "unknown service");
  expect_error(R"({"protocol_blacklist":["icmp/3"]})", "protocol_blacklist", "unknown service");
  expect_error(R"({"protocol_blacklist":["tcp/"]})", "protocol_blacklist", "unknown service");
  expect_error(R"({"protocol_blacklist":[""]})", "protocol_blacklist", "empty");
  expect_error(R"({"protocol_blacklist":[true]})", "protocol_blacklist", "must be a protocol name");
  expect_error(R"({"protocol_blacklist":[{"a":1}]})", "protocol_blacklist",
               "must be a protocol name");
  expect_error(R"({"protocol_blacklist":[1.5]})", "protocol_blacklist", "must be a protocol name");
}

TEST(Config, CidrListErrors) {
  for (std::string f : {"home_networks", "whitelist"}) {
    expect_error("{\"" + f + "\":\"10.0.0.0/8\"}", f, "must be an array");
    expect_error("{\"" + f + "\":[5]}", f, f + "[0]: must be a CIDR string");
    expect_error("{\"" + f + "\":[\"10.0.0.0/8\",\"10.0.0.0/33\"]}", f,
                 f + "[1]: '10.0.0.0/33': prefix length above 32");
    expect_error("{\"" + f + "\":[\"fd00::/129\"]}", f, "above 128");
    expect_error("{\"" + f + "\":[\"10.0.0/8\"]}", f, "not an IPv4 or IPv6 address");
    expect_error("{\"" + f + "\":[\"10.0.0.0/x\"]}", f, "not a number");
  }
}

TEST(Config, SubnetThresholdErrors) {
  const std::string f = "subnet_thresholds";
  expect_error(R"({"subnet_thresholds":{}})", f, "must be an array");
  expect_error(R"({"subnet_thresholds":["10.0.0.0/8"]})", f, "must be an object");
  expect_error(R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8"}]})", f,
               "subnet_thresholds[0]: give at least one threshold (traffic_sent_pps, ");
  expect_error(R"({"subnet_thresholds":[{"traffic_threshold_pps":5}]})", f, "missing cidr");
  expect_error(R"({"subnet_thresholds":[{"cidr":"bad","traffic_threshold_pps":5}]})", f,
               "subnet_thresholds[0].cidr");
  expect_error(R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","traffic_threshold_pps":0}]})", f,
               "subnet_thresholds[0].traffic_threshold_pps");
  expect_error(R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","traffic_threshold_pps":"5"}]})", f,
               "must be a number");
  expect_error(R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","traffic_threshold_pps":5,"x":1}]})",
               f, "unknown field 'x'");
}

TEST(Config, SubnetConnectionRateIsParsedAlongsideTheOldForm) {
  auto r = apply(R"({"subnet_thresholds":[{"cidr":"10.1.0.0/16","traffic_threshold_pps":50000},
    {"cidr":"10.1.2.0/24","connection_rate_per_min":5000},
    {"cidr":"fd00:1::/32","traffic_threshold_pps":9,"connection_rate_per_min":3}]})");
  ASSERT_TRUE(r.ok) << r.error.detail;
  const auto& s = r.config.subnet_thresholds;
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].traffic_threshold_pps, 50000);  // the old form means what it meant
  EXPECT_FALSE(s[0].connection_rate_per_min.has_value());
  EXPECT_FALSE(s[1].traffic_threshold_pps.has_value());
  EXPECT_EQ(s[1].connection_rate_per_min, 5000);
  EXPECT_EQ(s[2].traffic_threshold_pps, 9);
  EXPECT_EQ(s[2].connection_rate_per_min, 3);
  // GET returns each entry with only the fields it sets.
  std::string json = config_to_json(r.config);
  EXPECT_NE(json.find(R"({"cidr":"10.1.0.0/16","traffic_sent_pps":50000})"), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"({"cidr":"10.1.2.0/24","connection_rate_per_min":5000})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"({"cidr":"fd00:1::/32","traffic_sent_pps":9,"connection_rate_per_min":3})"),
            std::string::npos)
      << json;
  auto again = apply(json);
  ASSERT_TRUE(again.ok) << again.error.detail;
  EXPECT_EQ(config_to_json(again.config), json);
}

TEST(Config, SubnetConnectionRateErrorsNameTheEntry) {
  const std::string f = "subnet_thresholds";
  expect_error(R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","traffic_threshold_pps":5},
    {"cidr":"10.1.0.0/16","connection_rate_per_min":5},{"cidr":"10.2.0.0/16"}]})",
               f, "subnet_thresholds[2]: give at least one threshold (traffic_sent_pps, ");
  expect_error(R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","connection_rate_per_min":0}]})", f,
               "subnet_thresholds[0].connection_rate_per_min: ");
  expect_error(R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","connection_rate_per_min":-3}]})", f,
               "subnet_thresholds[0].connection_rate_per_min: ");
  expect_error(R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","connection_rate_per_min":1e13}]})", f,
               "subnet_thresholds[0].connection_rate_per_min: ");
  expect_error(R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","traffic_threshold_pps":1.5e12}]})", f,
               "subnet_thresholds[0].traffic_threshold_pps: ");
  expect_error(R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","connection_rate_per_min":"9"}]})", f,
               "subnet_thresholds[0].connection_rate_per_min: must be a number");
  expect_error(
      R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","connection_rate_per_min":9,"conn":1}]})", f,
      "unknown field 'conn'");
  // The limit itself is accepted.
  EXPECT_TRUE(
      apply(R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","connection_rate_per_min":1e12}]})").ok);
}

TEST(Config, SubnetThresholdsResolvePerFieldIndependently) {
  auto r =
      apply(R"({"traffic_threshold_pps":1000,"connection_rate_per_min":100,"subnet_thresholds":[
    {"cidr":"10.1.0.0/16","traffic_threshold_pps":50000,"connection_rate_per_min":400},
    {"cidr":"10.1.2.0/24","connection_rate_per_min":5000},
    {"cidr":"10.1.2.128/25","traffic_threshold_pps":70},
    {"cidr":"2001:db8::/32","connection_rate_per_min":20},
    {"cidr":"2001:db8:1::/48","traffic_threshold_pps":8}]})");
  ASSERT_TRUE(r.ok) << r.error.detail;
  const auto& c = r.config;
  auto ip = [](const char* t) { return *parse_ip_text(t); };
  // The /24 sets only the connection rate: the traffic threshold still comes from the /16.
  EXPECT_EQ(c.host_threshold(ip("10.1.2.9")), 50000);
  EXPECT_EQ(c.host_connection_rate(ip("10.1.2.9")), 5000);
  // The /25 sets only traffic: the connection rate still comes from the /24.
  EXPECT_EQ(c.host_threshold(ip("10.1.2.200")), 70);
  EXPECT_EQ(c.host_connection_rate(ip("10.1.2.200")), 5000);
  EXPECT_EQ(c.host_threshold(ip("10.1.9.9")), 50000);
  EXPECT_EQ(c.host_connection_rate(ip("10.1.9.9")), 400);
  EXPECT_EQ(c.host_threshold(ip("10.2.0.1")), 1000);
  EXPECT_EQ(c.host_connection_rate(ip("10.2.0.1")), 100);
  EXPECT_EQ(c.host_threshold(ip("2001:db8:1::5")), 8);
  EXPECT_EQ(c.host_connection_rate(ip("2001:db8:1::5")), 20);
  EXPECT_EQ(c.host_threshold(ip("2001:db8:2::5")), 1000);
  EXPECT_EQ(c.host_connection_rate(ip("2001:db8:2::5")), 20);
  EXPECT_EQ(c.host_connection_rate(ip("2001:db9::5")), 100);
  EXPECT_EQ(c.min_traffic_threshold(), 8);
  EXPECT_EQ(c.min_connection_rate(), 20);
}

TEST(Config, UnknownFieldIsRefused) {
  expect_error(R"({"traffic_treshold_pps":5})", "traffic_treshold_pps", "unknown field");
}

TEST(Config, DuplicateKeysAreRefusedNamingTheKey) {
  // Last value wins would let a second "whitelist" hide behind the first one a reader sees.
  expect_error(R"({"whitelist":[],"whitelist":["0.0.0.0/0","::/0"]})", "whitelist",
               "\"whitelist\" appears twice");
  expect_error(
      R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","cidr":"0.0.0.0/0","traffic_threshold_pps":5}]})",
      "cidr", "\"cidr\" appears twice");
  EXPECT_TRUE(apply(R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","traffic_threshold_pps":5},
                       {"cidr":"10.1.0.0/16","traffic_threshold_pps":6}]})")
                  .ok);  // one per object is fine
}

TEST(Config, FileWithDuplicateKeysIsRefused) {
  auto dir =
      std::filesystem::temp_directory_path() / ("sn-control-dup-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "config.json").string();
  std::ofstream(path) << R"({"traffic_threshold_pps":10,"traffic_threshold_pps":1e12})";
  auto r = load_config_file(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("\"traffic_threshold_pps\" appears twice"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
  std::filesystem::remove_all(dir);
}

TEST(Config, NothingAppliedHalfway) {
  auto base = SecurityConfig::defaults();
  auto r = apply_config_json(base, R"({"traffic_threshold_pps":5,"protocol_blacklist":["NOPE"]})");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(base.traffic_threshold_pps, 1000);  // the caller keeps its config untouched
}

TEST(Config, RoundTripsThroughJson) {
  auto r = apply(R"({"protocol_blacklist":["GRE","tcp/23"],"whitelist":["10.1.2.0/24"],
    "subnet_thresholds":[{"cidr":"fd00:1::/32","traffic_threshold_pps":9}]})");
  ASSERT_TRUE(r.ok);
  auto again = apply(config_to_json(r.config));
  ASSERT_TRUE(again.ok) << again.error.detail;
  EXPECT_EQ(config_to_json(again.config), config_to_json(r.config));
}

TEST(Config, FileLoadSave) {
  auto dir =
      std::filesystem::temp_directory_path() / ("sn-control-cfg-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "config.json").string();
  auto missing = load_config_file(path);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->traffic_threshold_pps, 1000);
  auto c = SecurityConfig::defaults();
  c.traffic_threshold_pps = 1234;
  c.updated_at_ms = 42;
  c.subnet_thresholds = {{*parse_cidr("10.1.0.0/16"), 9000, std::nullopt},
                         {*parse_cidr("10.1.2.0/24"), std::nullopt, 4000}};
  ASSERT_TRUE(save_config_file(path, config_to_json(c)).ok());
  auto back = load_config_file(path);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->traffic_threshold_pps, 1234);
  EXPECT_EQ(back->updated_at_ms, 42);
  ASSERT_EQ(back->subnet_thresholds.size(), 2u);
  EXPECT_EQ(back->subnet_thresholds[0].traffic_threshold_pps, 9000);
  EXPECT_FALSE(back->subnet_thresholds[0].connection_rate_per_min.has_value());
  EXPECT_FALSE(back->subnet_thresholds[1].traffic_threshold_pps.has_value());
  EXPECT_EQ(back->subnet_thresholds[1].connection_rate_per_min, 4000);
  EXPECT_EQ(back->host_connection_rate(*parse_ip_text("10.1.2.3")), 4000);
  // A file written before connection-rate overrides existed still loads and means the same.
  std::ofstream(path)
      << R"({"subnet_thresholds":[{"cidr":"10.1.0.0/16","traffic_threshold_pps":50000}]})";
  auto old = load_config_file(path);
  ASSERT_TRUE(old.ok()) << old.error().message;
  EXPECT_EQ(old->host_threshold(*parse_ip_text("10.1.0.1")), 50000);
  EXPECT_EQ(old->host_connection_rate(*parse_ip_text("10.1.0.1")), 100);
  std::ofstream(path) << "{\"traffic_threshold_pps\":-5}";
  auto bad = load_config_file(path);
  EXPECT_FALSE(bad.ok());
  std::filesystem::remove_all(dir);
}

TEST(Protocols, NamesNumbersAndServices) {
  std::string why;
  auto icmp = parse_blacklist_entry("icmp", &why);
  ASSERT_TRUE(icmp);
  EXPECT_EQ(icmp->numbers, std::vector<uint16_t>{1});
  EXPECT_TRUE(icmp->classes.test(static_cast<size_t>(shm::ProtoClass::kIcmp)));
  auto v6 = parse_blacklist_entry("ICMPV6", &why);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->numbers, std::vector<uint16_t>{58});
  for (const char* n : {"IGMP", "GRE", "ESP", "AH", "SCTP", "OSPF", "PIM", "VRRP", "UDPLITE"}) {
    auto e = parse_blacklist_entry(n, &why);
    ASSERT_TRUE(e) << n;
    EXPECT_TRUE(e->kind == BlacklistEntry::Kind::kIpProto);
  }
  auto telnet = parse_blacklist_entry("telnet", &why);
  ASSERT_TRUE(telnet);
  EXPECT_EQ(telnet->tcp_ports, std::vector<uint16_t>{23});
  auto tftp = parse_blacklist_entry("TFTP", &why);
  ASSERT_TRUE(tftp);
  EXPECT_EQ(tftp->udp_ports, std::vector<uint16_t>{69});
  for (const char* n : {"FTP", "SMB", "RDP", "SNMP"})
    EXPECT_TRUE(parse_blacklist_entry(n, &why)) << n;
  auto p = parse_blacklist_entry("udp/161", &why);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->label, "udp/161");
}

TEST(Protocols, CompiledIntoTheControlBlock) {
  std::string why;
  std::vector<BlacklistEntry> list = {
      *parse_blacklist_entry("ICMP", &why), *parse_blacklist_entry("GRE", &why),
      *parse_blacklist_entry("tcp/23", &why), *parse_blacklist_entry("TFTP", &why)};
  auto cb = std::make_unique<shm::ControlBlock>();
  SecurityConfig cfg = SecurityConfig::defaults();
  cfg.protocol_blacklist = list;
  cfg.sample_one_in = 77;
  uint64_t gen = cb->generation.load();
  publish_config(*cb, cfg);
  EXPECT_EQ(cb->generation.load(), gen + 1);
  EXPECT_EQ(cb->sample_one_in.load(), 77u);
  EXPECT_EQ(cb->proto_blacklist[0].load(), (1ULL << 1) | (1ULL << 47));
  EXPECT_EQ(cb->proto_blacklist[1].load(), 0u);
  EXPECT_EQ(cb->tcp_port_blacklist[0].load(), 1ULL << 23);
  EXPECT_EQ(cb->udp_port_blacklist[1].load(), 1ULL << (69 - 64));
}
