#include "http/request_in.h"

namespace securenet::control {

namespace http = boost::beast::http;

HttpIn http_in(const http::request<http::string_body>& req, std::string_view peer) {
  auto header = [&req](http::field f) -> std::string_view {
    auto it = req.find(f);
    return it == req.end() ? std::string_view{}
                           : std::string_view(it->value().data(), it->value().size());
  };
  HttpIn in{req.method(), {req.target().data(), req.target().size()}, req.body(), {}};
  in.authorization = header(http::field::authorization);
  in.host = header(http::field::host);
  in.origin = header(http::field::origin);
  in.content_type = header(http::field::content_type);
  in.peer = peer;
  return in;
}

}  // namespace securenet::control
