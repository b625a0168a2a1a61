#include "config/protocols.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace securenet::control {

namespace {

struct NamedProto {
  const char* name;
  uint16_t number;
};
// IANA protocol numbers (the ones an operator is likely to name).
constexpr NamedProto kIpProtos[] = {
    {"HOPOPT", 0},       {"ICMP", 1},     {"IGMP", 2},     {"GGP", 3},        {"IPIP", 4},
    {"IPV4", 4},         {"ST", 5},       {"TCP", 6},      {"EGP", 8},        {"IGP", 9},
    {"UDP", 17},         {"DCCP", 33},    {"IPV6", 41},    {"RSVP", 46},      {"GRE", 47},
    {"ESP", 50},         {"AH", 51},      {"ICMPV6", 58},  {"IPV6-ICMP", 58}, {"EIGRP", 88},
    {"OSPF", 89},        {"OSPFIGP", 89}, {"ETHERIP", 97}, {"ENCAP", 98},     {"PIM", 103},
    {"IPCOMP", 108},     {"VRRP", 112},   {"L2TP", 115},   {"SCTP", 132},     {"UDPLITE", 136},
    {"MPLS-IN-IP", 137},
};

struct NamedService {
  const char* name;
  std::initializer_list<uint16_t> tcp;
  std::initializer_list<uint16_t> udp;
};
const NamedService kServices[] = {
    {"FTP", {20, 21}, {}},
    {"SSH", {22}, {}},
    {"TELNET", {23}, {}},
    {"SMTP", {25}, {}},
    {"DNS", {53}, {53}},
    {"TFTP", {}, {69}},
    {"HTTP", {80}, {}},
    {"POP3", {110}, {}},
    {"RPC", {111}, {111}},
    {"NTP", {}, {123}},
    {"NETBIOS", {137, 138, 139}, {137, 138, 139}},
    {"IMAP", {143}, {}},
    {"SNMP", {161, 162}, {161, 162}},
    {"LDAP", {389}, {389}},
    {"HTTPS", {443}, {}},
    {"SMB", {139, 445}, {}},
    {"SYSLOG", {}, {514}},
    {"RSH", {514}, {}},
    {"RLOGIN", {513}, {}},
    {"MSSQL", {1433}, {1434}},
    {"NFS", {2049}, {2049}},
    {"MYSQL", {3306}, {}},
    {"RDP", {3389}, {3389}},
    {"UPNP", {}, {1900}},
    {"SSDP", {}, {1900}},
    {"MDNS", {}, {5353}},
    {"LLMNR", {5355}, {5355}},
    {"VNC", {5900}, {}},
    {"REDIS", {6379}, {}},
    {"IRC", {6667}, {}},
};

std::string upper(std::string_view s) {
  std::string u(s);
  for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

std::optional<unsigned> parse_uint(std::string_view s, unsigned max) {
  unsigned v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || v > max) {
    return std::nullopt;
  }
  return v;
}

void add_class(BlacklistEntry& e, shm::ProtoClass c) { e.classes.set(static_cast<size_t>(c)); }

}  // namespace

const char* ip_proto_name(unsigned n) {
  for (const auto& p : kIpProtos) {
    if (p.number == n) return p.name;  // the first name of a number is its canonical one
  }
  return nullptr;
}

std::optional<BlacklistEntry> parse_blacklist_entry(std::string_view text, std::string* why) {
  BlacklistEntry e;
  std::string u = upper(text);
  if (u.empty()) {
    *why = "empty protocol name";
    return std::nullopt;
  }
  // "tcp/23", "udp/69"
  if (auto slash = u.find('/'); slash != std::string::npos) {
    auto proto = u.substr(0, slash);
    auto port = parse_uint(std::string_view(u).substr(slash + 1), 65535);
    if ((proto != "TCP" && proto != "UDP") || !port) {
      *why = "unknown service '" + std::string(text) +
             "' (expected tcp/PORT or udp/PORT, port 0..65535)";
      return std::nullopt;
    }
    bool tcp = proto == "TCP";
    e.kind = tcp ? BlacklistEntry::Kind::kTcpPort : BlacklistEntry::Kind::kUdpPort;
    (tcp ? e.tcp_ports : e.udp_ports).push_back(static_cast<uint16_t>(*port));
    add_class(e, tcp ? shm::ProtoClass::kTcp : shm::ProtoClass::kUdp);
    e.label = (tcp ? "tcp/" : "udp/") + std::to_string(*port);
    return e;
  }
  if (std::isdigit(static_cast<unsigned char>(u[0]))) {
    auto n = parse_uint(u, 255);
    if (!n) {
      *why = "protocol number '" + std::string(text) + "' is not in 0..255";
      return std::nullopt;
    }
    e.numbers.push_back(static_cast<uint16_t>(*n));
    add_class(e, proto_class_of(*n));
    e.label = std::to_string(*n);
    return e;
  }
  for (const auto& p : kIpProtos) {
    if (u == p.name) {
      e.numbers.push_back(p.number);
      add_class(e, proto_class_of(p.number));
      e.label = u;
      return e;
    }
  }
  for (const auto& s : kServices) {
    if (u == s.name) {
      e.kind = s.tcp.size() ? BlacklistEntry::Kind::kTcpPort : BlacklistEntry::Kind::kUdpPort;
      e.tcp_ports.assign(s.tcp.begin(), s.tcp.end());
      e.udp_ports.assign(s.udp.begin(), s.udp.end());
      if (!e.tcp_ports.empty()) add_class(e, shm::ProtoClass::kTcp);
      if (!e.udp_ports.empty()) add_class(e, shm::ProtoClass::kUdp);
      e.label = u;
      return e;
    }
  }
  *why = "unknown protocol '" + std::string(text) + "'";
  return std::nullopt;
}

CompiledBlacklist compile_blacklist(const std::vector<BlacklistEntry>& entries) {
  CompiledBlacklist c;
  c.entries = entries;
  for (const auto& e : entries) {
    for (auto n : e.numbers) c.ip_protos.set(n);
    for (auto p : e.tcp_ports) c.tcp_ports.set(p);
    for (auto p : e.udp_ports) c.udp_ports.set(p);
  }
  return c;
}

namespace {
template <size_t N>
void store_bits(uint64_t* words, const std::bitset<N>& bits) {
  for (size_t w = 0; w < N / 64; ++w) {
    uint64_t v = 0;
    for (size_t b = 0; b < 64; ++b)
      if (bits.test(w * 64 + b)) v |= 1ULL << b;
    words[w] = v;
  }
}
}  // namespace

void write_blacklist(shm::ControlConfig& c, const CompiledBlacklist& bl) {
  store_bits(c.proto_blacklist, bl.ip_protos);
  store_bits(c.tcp_port_blacklist, bl.tcp_ports);
  store_bits(c.udp_port_blacklist, bl.udp_ports);
}

}  // namespace securenet::control
