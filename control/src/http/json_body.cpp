#include "http/json_body.h"

#include <cctype>

namespace securenet::control {

namespace {

// The media type of a Content-Type value (before any ';'), trimmed, equals `want`
// (lower case) ignoring case.
bool media_type_is(std::string_view ct, std::string_view want) {
  auto semi = ct.find(';');
  std::string_view type = ct.substr(0, semi);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  if (type.size() != want.size()) return false;
  for (size_t i = 0; i < type.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(type[i])) != want[i]) return false;
  }
  return true;
}

}  // namespace

bool is_json_media_type(std::string_view ct) { return media_type_is(ct, "application/json"); }

bool is_capture_media_type(std::string_view ct) {
  return media_type_is(ct, "application/vnd.tcpdump.pcap") ||
         media_type_is(ct, "application/octet-stream");
}

}  // namespace securenet::control
