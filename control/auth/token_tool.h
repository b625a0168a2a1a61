// The one token minter behind `securenet-token` and `securenet-control token`: the token
// options, where the HS256 secret comes from, and the mint.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/jwt.h"
#include "securenet/result.h"

namespace securenet::auth {

struct TokenRequest {
  MintOptions mint;
  std::string secret_file;          // --secret-file (securenet-control: --jwt-secret-file)
  std::string default_secret_file;  // read last, when present (<state-dir>/jwt-secret)
  std::optional<int64_t> now;       // --now UNIX (default: the clock)
};

// Takes the token option `name` with its value: --user --email --role --app-role --issuer
// --audience --session-id --ttl --now --secret-file. false (no error) when `name` is not
// one of them; an error when the value is not valid (--ttl not > 0, --now not a number).
Result<bool> parse_token_option(std::string_view name, const std::string& value, TokenRequest& r);

// A secret file's content; trailing newlines are not part of it. Error when unreadable.
Result<std::string> read_secret_file(const std::string& path);

// The secret: secret_file (must be readable and non-empty), else SECURENET_JWT_SECRET,
// else default_secret_file when readable; an error when none gives one.
Result<std::string> token_secret(const TokenRequest& r);

// The compact HS256 token, or why not (no --user, no secret).
Result<std::string> mint_token(const TokenRequest& r);

}  // namespace securenet::auth
