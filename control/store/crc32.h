// CRC-32 (IEEE 802.3, reflected 0xEDB88320) for spool records.
#pragma once

#include <cstddef>
#include <cstdint>

namespace securenet::store {

uint32_t crc32(const void* data, size_t len, uint32_t seed = 0);

}  // namespace securenet::store
