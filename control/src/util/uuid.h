// The detector's source of alert ids (one UUID implementation: securenet/common/uuid.h).
#pragma once

#include <string>

#include "securenet/common/uuid.h"

namespace securenet::control {

class UuidGenerator {
 public:
  std::string next() { return new_uuid(); }
};

}  // namespace securenet::control
