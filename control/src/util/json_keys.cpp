#include "util/json_keys.h"

#include <algorithm>
#include <vector>

namespace securenet::control {

namespace {

constexpr int kMaxDepth = 64;

std::optional<std::string> scan(simdjson::dom::element e, int depth) {
  if (depth > kMaxDepth) return std::nullopt;
  simdjson::dom::object obj;
  if (e.get(obj) == simdjson::SUCCESS) {
    std::vector<std::string_view> seen;
    for (auto field : obj) {
      if (std::find(seen.begin(), seen.end(), field.key) != seen.end())
        return std::string(field.key);
      seen.push_back(field.key);
      if (auto d = scan(field.value, depth + 1)) return d;
    }
    return std::nullopt;
  }
  simdjson::dom::array arr;
  if (e.get(arr) == simdjson::SUCCESS) {
    for (auto item : arr) {
      if (auto d = scan(item, depth + 1)) return d;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> duplicate_json_key(simdjson::dom::element root) { return scan(root, 0); }

std::optional<std::string> duplicate_json_key(std::string_view json) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return std::nullopt;
  return scan(root, 0);
}

}  // namespace securenet::control
