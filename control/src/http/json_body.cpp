#include "http/json_body.h"

#include <simdjson.h>

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
      if (std::find(seen.begin(), seen.end(), field.key) != seen.end()) return std::string(field.key);
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

std::optional<std::string> duplicate_json_key(std::string_view body) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return std::nullopt;
  return scan(root, 0);
}

bool is_json_media_type(std::string_view ct) {
  auto semi = ct.find(';');
  std::string_view type = ct.substr(0, semi);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  constexpr std::string_view kJson = "application/json";
  if (type.size() != kJson.size()) return false;
  for (size_t i = 0; i < type.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(type[i])) != kJson[i]) return false;
  }
  return true;
}

}  // namespace securenet::control
