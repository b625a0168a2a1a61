// securenet-token: prints a Supabase-compatible HS256 access token.
//   securenet-token --user <uuid> [--email E] [--role R] [--issuer I] [--audience A]
//                   [--ttl SECONDS] [--session-id S] (--secret-file PATH | env SECURENET_JWT_SECRET)
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "auth/jwt.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: securenet-token --user <uuid> [--email E] [--role R] [--issuer I]\n"
               "       [--app-role viewer|operator|admin]\n"
               "       [--audience A] [--ttl SECONDS] [--session-id S] [--now UNIX]\n"
               "       (--secret-file PATH | environment SECURENET_JWT_SECRET)\n");
  return 2;
}

// A secret file holds the secret; one trailing newline is not part of it.
bool read_secret(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  securenet::auth::MintOptions o;
  std::string secret_file;
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (i + 1 >= argc) return usage();
    std::string v = argv[++i];
    if (a == "--user") o.sub = v;
    else if (a == "--email") o.email = v;
    else if (a == "--role") o.role = v;
    else if (a == "--app-role") o.app_role = v;
    else if (a == "--issuer") o.issuer = v;
    else if (a == "--audience") o.audience = v;
    else if (a == "--session-id") o.session_id = v;
    else if (a == "--secret-file") secret_file = v;
    else if (a == "--ttl") o.ttl_s = std::strtoll(v.c_str(), nullptr, 10);
    else if (a == "--now") now = std::strtoll(v.c_str(), nullptr, 10);
    else return usage();
  }
  if (o.sub.empty() || o.ttl_s <= 0) return usage();
  std::string secret;
  if (!secret_file.empty()) {
    if (!read_secret(secret_file, secret)) {
      std::fprintf(stderr, "securenet-token: cannot read %s\n", secret_file.c_str());
      return 1;
    }
  } else if (const char* env = std::getenv("SECURENET_JWT_SECRET")) {
    secret = env;
  }
  if (secret.empty()) {
    std::fprintf(stderr, "securenet-token: no secret (--secret-file or SECURENET_JWT_SECRET)\n");
    return 1;
  }
  std::cout << securenet::auth::mint_hs256(secret, o, now) << '\n';
  return 0;
}
