// A small streaming JSON writer: correct string escaping (quotes, backslash, control
// characters, invalid UTF-8 replaced), finite numbers only (NaN/inf become null), commas
// placed automatically. Builds into one std::string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace securenet {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b);
  JsonWriter& value(int64_t v);
  JsonWriter& value(uint64_t v);
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(unsigned v) { return value(static_cast<uint64_t>(v)); }
  JsonWriter& value(double v);
  JsonWriter& null();
  JsonWriter& raw(std::string_view json);  // a pre-serialised JSON value
  template <typename T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void before_value();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

// `s` quoted and escaped as a JSON string (the one escaping of the project: both processes,
// the store's rows and the tokens use it).
void append_json_string(std::string& out, std::string_view s);
// The same, returned.
inline std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

}  // namespace securenet
