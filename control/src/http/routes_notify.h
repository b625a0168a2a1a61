// GET /api/alerts/{id}/actions: the notifications (and later the blocks) done for one alert.
#pragma once

#include "http/router.h"
#include "notify/delivery_log.h"

namespace securenet::control {

void register_notify_routes(Router& r, const DeliveryLog& log);

}  // namespace securenet::control
