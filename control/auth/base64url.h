// Base64url (RFC 4648 section 5) without padding, as used by JWS and JWK.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace securenet::auth {

std::string base64url_encode(std::string_view bytes);
// Strict: alphabet A-Z a-z 0-9 - _ only, no '=' padding, no whitespace, and the
// unused low bits of the last character must be zero. nullopt on any violation.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace securenet::auth
