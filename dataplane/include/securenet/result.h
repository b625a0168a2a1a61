// Set-up code returns Result<T>: a value, or an error carrying errno and context.
// The packet path never uses it (it counts outcomes instead).
#pragma once

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace securenet {

struct Error {
  std::string message;  // one line, says what failed and what to do
  int err = 0;          // errno, when a system call failed
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;

inline Error make_error(std::string msg, int err = 0) { return Error{std::move(msg), err}; }

}  // namespace securenet
