// Request-body checks shared by every route that reads JSON.
#pragma once

#include <string_view>

#include "util/json_keys.h"  // duplicate_json_key: also used for the config file

namespace securenet::control {

// True when a Content-Type value's media type is application/json (parameters such as
// "; charset=utf-8" allowed; case-insensitive).
bool is_json_media_type(std::string_view content_type);
// True for a capture file's media types: application/vnd.tcpdump.pcap and
// application/octet-stream (parameters allowed; case-insensitive).
bool is_capture_media_type(std::string_view content_type);

}  // namespace securenet::control
