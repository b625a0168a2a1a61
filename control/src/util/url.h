// Splitting a request target into path and query, and percent-decoding.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace securenet::control {

// Decodes %XX (and '+' as space when plus_is_space); nullopt on a malformed escape.
// The value of one hex digit (0-15), or -1.
int hex_digit(char c);

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

struct Target {
  std::string path;  // still percent-encoded (routing decodes captures itself)
  std::map<std::string, std::string, std::less<>> query;  // decoded; last value wins
};
std::optional<Target> split_target(std::string_view target);

}  // namespace securenet::control
