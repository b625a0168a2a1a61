// GET /api/alerts/{id}/capture: a stored attack capture decoded server-side with the
// dataplane's parser (issue 16 item 2): its summary, the host's sent/received packets and
// bytes per second of packet time, the top peers and ports, and the first `max_rows`
// packets (time, src, dst, protocol, ports, TCP flags, length; no payload).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace securenet::control {

// nullopt when the pcap image is malformed.
std::optional<std::string> capture_view_json(const std::string& pcap, const std::string& summary,
                                             size_t max_rows);

}  // namespace securenet::control
