// securenet-token: prints a Supabase-compatible HS256 access token (the minter itself is
// token_tool.h, shared with `securenet-control token`).
//   securenet-token --user <uuid> [--email E] [--role R] [--issuer I] [--audience A]
//                   [--ttl SECONDS] [--session-id S] (--secret-file PATH | env
//                   SECURENET_JWT_SECRET)
#include <cstdio>
#include <iostream>
#include <string>

#include "auth/token_tool.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: securenet-token --user <uuid> [--email E] [--role R] [--issuer I]\n"
               "       [--app-role viewer|operator|admin]\n"
               "       [--audience A] [--ttl SECONDS] [--session-id S] [--now UNIX]\n"
               "       (--secret-file PATH | environment SECURENET_JWT_SECRET)\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  securenet::auth::TokenRequest r;
  for (int i = 1; i < argc; ++i) {
    if (i + 1 >= argc) return usage();
    std::string a = argv[i];
    auto taken = securenet::auth::parse_token_option(a, argv[++i], r);
    if (!taken || !*taken) return usage();
  }
  if (r.mint.sub.empty()) return usage();
  auto token = securenet::auth::mint_token(r);
  if (!token) {
    std::fprintf(stderr, "securenet-token: %s\n", token.error().message.c_str());
    return 1;
  }
  std::cout << *token << '\n';
  return 0;
}
