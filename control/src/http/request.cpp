#include "http/request.h"

#include <charconv>

#include "auth/jwt.h"
#include "securenet/common/json_writer.h"

namespace securenet::control {

std::string Request::user_id() const { return claims ? claims->sub : std::string(); }

std::optional<std::string_view> Request::q(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

Response json_response(std::string body, unsigned status) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response json_error(unsigned status, std::string_view error, std::string_view detail,
                    std::string_view field) {
  JsonWriter w;
  w.begin_object().field("error", error).field("detail", detail);
  if (!field.empty()) w.field("field", field);
  w.end_object();
  return json_response(w.take(), status);
}

std::optional<long long> query_int(const Request& r, std::string_view name, long long def,
                                   long long lo, long long hi, Response* err) {
  auto v = r.q(name);
  if (!v) return def;
  long long n = 0;
  auto res = std::from_chars(v->data(), v->data() + v->size(), n);
  if (v->empty() || res.ec != std::errc() || res.ptr != v->data() + v->size() || n < lo || n > hi) {
    *err = json_error(400, "invalid_parameter",
                      std::string(name) + ": must be an integer in " + std::to_string(lo) + ".." +
                          std::to_string(hi),
                      name);
    return std::nullopt;
  }
  return n;
}

}  // namespace securenet::control
