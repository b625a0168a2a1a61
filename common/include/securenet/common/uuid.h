// Random (version 4) UUIDs: alert, packet and session ids. They become database primary
// keys, so a replayed insert is idempotent; drawn from getrandom(2) (the kernel's CSPRNG),
// because session ids are security-relevant.
#pragma once

#include <string>
#include <string_view>

namespace securenet {

std::string new_uuid();  // "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx", lower case

// 8-4-4-4-12 hex digits (either case); the version is not checked.
bool is_uuid(std::string_view s);

}  // namespace securenet
