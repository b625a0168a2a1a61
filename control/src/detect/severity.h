// Alert severities (LOW..CRITICAL) and counts by severity; alert.h and the snapshot use it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace securenet::control {

enum class Severity : uint8_t { kLow = 0, kMedium, kHigh, kCritical };
inline constexpr size_t kSeverityCount = 4;
using SeverityCounts = std::array<uint64_t, kSeverityCount>;  // indexed by Severity
const char* to_string(Severity s);
std::optional<Severity> parse_severity(std::string_view s);  // "HIGH", case-insensitive
inline Severity escalate(Severity s) {
  return s == Severity::kCritical ? s : static_cast<Severity>(static_cast<int>(s) + 1);
}

}  // namespace securenet::control
