// What a route handler sees and returns. Handlers are plain functions of a Request; the
// server owns sockets, parsing, auth, limits and timeouts.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <map>
#include <optional>
#include <ostream>  // boost/beast/http/verb.hpp needs it (Boost 1.74)
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace securenet::auth {
struct Claims;
}

namespace securenet::control {

struct Request {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string path;                                       // without the query
  std::map<std::string, std::string, std::less<>> query;  // decoded
  std::string_view body;
  std::vector<std::string> params;       // decoded {captures}, in order
  const auth::Claims* claims = nullptr;  // set on authenticated routes
  std::string_view peer;                 // client address ("" when unknown)
  std::string user_id() const;           // claims->sub or ""

  std::optional<std::string_view> q(std::string_view name) const;
};

struct Response {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  bool event_stream = false;  // hand the connection to the SSE hub instead
  // Set by the Dispatcher for the access log: the normalized path, the caller's user id.
  std::string access_path, access_user;
};

Response json_response(std::string body, unsigned status = 200);
// {"error": error, "detail": detail} (+ "field" when given)
Response json_error(unsigned status, std::string_view error, std::string_view detail,
                    std::string_view field = {});

// Parses an integer query parameter in [lo, hi]; on failure fills *err with a 400.
std::optional<long long> query_int(const Request& r, std::string_view name, long long def,
                                   long long lo, long long hi, Response* err);

}  // namespace securenet::control
