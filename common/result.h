#pragma once
// Result<T>: a value or an Error, without exceptions. Used on every layer's
// fallible path; the data plane never throws.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sidecar {

enum class ErrorCode {
  kInvalidArgument,    // caller passed something malformed
  kNotFound,           // the thing named does not exist
  kConflict,           // a concurrent change won, or the transition is illegal
  kUnavailable,        // a dependency (store, upstream) cannot be reached
  kTimeout,            // a deadline passed
  kResourceExhausted,  // a bound was hit (queue, memory, connections)
  kInternal,           // a bug or an unexpected library failure
};

const char* errorCodeName(ErrorCode code) noexcept;

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const noexcept { return std::holds_alternative<T>(state_); }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { assert(ok()); return std::get<T>(state_); }
  const T& value() const& { assert(ok()); return std::get<T>(state_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(state_)); }
  const Error& error() const { assert(!ok()); return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Result<void> spelled as a value type so templates stay uniform.
struct Ok {};
using Status = Result<Ok>;

inline Error makeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace sidecar
