// Request-body checks shared by every route that reads JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace securenet::control {

// The first member name that appears twice in one object, at any depth ("a.b" style
// paths are not built: the bare name is enough to find it). nullopt when there is none
// or when the body is not valid JSON (the route's own parser reports that).
std::optional<std::string> duplicate_json_key(std::string_view body);

// True when a Content-Type value's media type is application/json (parameters such as
// "; charset=utf-8" allowed; case-insensitive).
bool is_json_media_type(std::string_view content_type);

}  // namespace securenet::control
