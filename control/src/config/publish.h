// Publishes the parts of the config the dataplane acts on into the segment's control
// block: the blacklist bitmaps and the sampling rate. Fields first, then generation is
// bumped with release so a worker that sees the new generation sees the new fields.
#pragma once

#include "config/security_config.h"
#include "securenet/shm_layout.h"

namespace securenet::control {

void publish_config(shm::ControlBlock& cb, const SecurityConfig& cfg);

}  // namespace securenet::control
