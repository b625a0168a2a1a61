// Random (version 4) UUIDs for alert ids: they become database primary keys later, so a
// replayed insert is idempotent. Seeded once from std::random_device (/dev/urandom).
#pragma once

#include <random>
#include <string>
#include <string_view>

namespace securenet::control {

class UuidGenerator {
 public:
  UuidGenerator();
  std::string next();

 private:
  std::mt19937_64 rng_;
};

bool is_uuid(std::string_view s);

}  // namespace securenet::control
