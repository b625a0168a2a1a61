// web/src/api/types.ts read by the tests that check it against the real API
// (api_types_test, fleet_test): the fields an interface declares, and whether a served
// JSON object has each of them with the declared JSON type.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace sn_test {

inline std::string read_types_ts() {
  std::ifstream f(SECURENET_WEB_TYPES_TS);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The body between the braces that follow `marker` (nested braces kept).
inline std::string body_after(const std::string& text, const std::string& marker) {
  size_t at = text.find(marker);
  if (at == std::string::npos) return {};
  size_t open = text.find('{', at);
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}' && --depth == 0) return text.substr(open + 1, i - open - 1);
  }
  return {};
}

// Top-level fields of an interface or object-type body: name -> declared type text.
inline std::map<std::string, std::string> ts_fields(const std::string& body) {
  std::map<std::string, std::string> out;
  int depth = 0;
  size_t i = 0;
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while (i < body.size()) {
    char c = body[i];
    if (c == '{' || c == '<' || c == '(' || c == '[') ++depth;
    if (c == '}' || c == '>' || c == ')' || c == ']') --depth;
    if (depth == 0 && ident(c) && (i == 0 || !ident(body[i - 1]))) {
      size_t j = i;
      while (j < body.size() && ident(body[j])) ++j;
      size_t k = j;
      if (k < body.size() && body[k] == '?') ++k;
      if (k < body.size() && body[k] == ':') {
        size_t end = k + 1;
        int d = 0;
        for (; end < body.size(); ++end) {  // the type runs to ';' or a newline at depth 0
          char e = body[end];
          if (e == '{' || e == '<' || e == '(') ++d;
          if (e == '}' || e == '>' || e == ')') --d;
          if (d == 0 && (e == ';' || e == '\n')) break;
        }
        std::string type = body.substr(k + 1, end - k - 1);
        type.erase(0, type.find_first_not_of(' '));
        out[body.substr(i, j - i)] = type;
        i = end;
        continue;
      }
      i = j;
      continue;
    }
    ++i;
  }
  return out;
}

inline bool json_matches(simdjson::dom::element v, const std::string& type) {
  using simdjson::dom::element_type;
  const element_type t = v.type();
  if (t == element_type::NULL_VALUE) return type.find("null") != std::string::npos;
  if (type.rfind("number", 0) == 0) {
    return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
  }
  if (type.rfind("string", 0) == 0 || type[0] == '\'') return t == element_type::STRING;
  if (type.rfind("Record<", 0) == 0 || type.rfind("Partial<", 0) == 0 || type[0] == '{')
    return t == element_type::OBJECT;
  if (type.find("[]") != std::string::npos) return t == element_type::ARRAY;
  return true;  // a named type (Alert, User): its own interface is checked where it is served
}

// Every field declared in `body` is present in `obj` with a matching JSON type.
inline void expect_declared_fields_served(const std::string& what, const std::string& body,
                                          simdjson::dom::element obj) {
  const auto fields = ts_fields(body);
  ASSERT_FALSE(fields.empty()) << what << " not found in types.ts";
  for (const auto& [name, type] : fields) {
    auto v = obj[name];
    const bool optional = body.find(name + "?:") != std::string::npos;
    if (v.error()) {
      EXPECT_TRUE(optional) << what << "." << name
                            << " is declared in types.ts but the API does not send it";
      continue;
    }
    EXPECT_TRUE(json_matches(v.value(), type))
        << what << "." << name << ": API value " << simdjson::to_string(v.value())
        << " does not match the declared type '" << type << "'";
  }
}

}  // namespace sn_test
