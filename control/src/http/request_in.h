// What the Dispatcher is given from a parsed Beast request: the one mapping the server
// (server.cpp) and the HTTP fuzzer (tests/fuzz/fuzz_http.cpp) both use.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string_view>

#include "http/dispatch.h"

namespace securenet::control {

// Views into `req`: valid while it lives.
HttpIn http_in(const boost::beast::http::request<boost::beast::http::string_body>& req,
               std::string_view peer);

}  // namespace securenet::control
