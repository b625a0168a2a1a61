// Percent-decoding and query strings (the request target itself: http/target.h).
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

// Decodes a query string ("a=1&b=%41", without the '?') into `out` (last value wins, '+' is
// a space, empty pairs skipped); false on a malformed escape.
bool parse_query(std::string_view query, std::map<std::string, std::string, std::less<>>& out);

}  // namespace securenet::control
