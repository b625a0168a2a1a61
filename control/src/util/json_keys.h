// Duplicate member names in JSON: simdjson (like most parsers) keeps every member of an
// object and a lookup finds one of them, so {"whitelist":[],"whitelist":["0.0.0.0/0"]}
// would silently mean one or the other. Request bodies (http/dispatch.cpp) and the config
// file (config/config_parse.cpp) are both refused with the name this finds.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

namespace securenet::control {

// The first member name that appears twice in one object, at any depth up to 64 levels
// ("a.b" style paths are not built: the bare name is enough to find it). nullopt when
// there is none.
std::optional<std::string> duplicate_json_key(simdjson::dom::element root);
// The same for a text; nullopt also when it is not valid JSON (the caller's own parser
// reports that).
std::optional<std::string> duplicate_json_key(std::string_view json);

}  // namespace securenet::control
