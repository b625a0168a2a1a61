// Publishes the parts of the config the dataplane acts on into the segment's control
// block: the blacklist bitmaps and the sampling rate, with generation + 1, all under the
// block's sequence lock (shm::write_control), so no worker copies half of it.
#pragma once

#include "config/security_config.h"
#include "securenet/shm_layout.h"

namespace securenet::control {

void publish_config(shm::ControlBlock& cb, const SecurityConfig& cfg);

}  // namespace securenet::control
