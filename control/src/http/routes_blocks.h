// GET /api/blocks (viewer), POST /api/blocks and DELETE /api/blocks/{ip} (admin): the BGP
// blocks of block/blocker.h (API.md "Blocks").
#pragma once

#include "block/blocker.h"
#include "http/router.h"

namespace securenet::control {

void register_block_routes(Router& r, Blocker& blocker);

}  // namespace securenet::control
