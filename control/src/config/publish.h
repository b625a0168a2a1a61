// Publishes the parts of the config the dataplane acts on into the segment's control
// block: the blacklist bitmaps and the sampling rate, with generation + 1, all under the
// block's sequence lock (shm::write_control), so no worker copies half of it.
#pragma once

#include "config/security_config.h"
#include "securenet/shm_layout.h"

namespace securenet::control {

// Issue 17: ControlBlock::traffic_trigger, the lowest traffic_sent threshold (global or any
// subnet override) in packets per sliding second; 0 (off) when the dataplane cannot count
// that high. The control plane confirms each crossing against the host's own threshold.
uint64_t traffic_trigger(const SecurityConfig& cfg);

// Issue 17: ControlBlock::syn_trigger, half the lowest connection_rate_per_min (global or
// any override): a worker's entry with more SYNs than that is pushed (once per epoch) as a
// connection-rate crossing; half, so a sender whose SYNs two workers share is still pushed.
// The control plane counts the host's sliding minute and applies its own threshold.
uint64_t syn_trigger(const SecurityConfig& cfg);

void publish_config(shm::ControlBlock& cb, const SecurityConfig& cfg);

}  // namespace securenet::control
