#pragma once
// RedisReply: an owned copy of a hiredis reply. hiredis frees its reply as
// soon as the reply callback returns, so RedisConnection copies every reply
// into this value before anything else looks at it; nothing outside
// redis_connection.cc ever sees a redisReply*.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisReply;

namespace sidecar::sessionstore {

struct RedisReply {
  enum class Type { kString, kArray, kInteger, kNil, kStatus, kError };

  Type type = Type::kNil;
  long long integer = 0;
  std::string str;                   // kString, kStatus, kError
  std::vector<RedisReply> elements;  // kArray

  static RedisReply copyOf(const redisReply& reply);

  bool isError() const noexcept { return type == Type::kError; }
  bool isNil() const noexcept { return type == Type::kNil; }
  bool isArray() const noexcept { return type == Type::kArray; }
  // The first word of an error reply ("NOSCRIPT", "CONFLICT", ...), or "".
  std::string_view errorCode() const noexcept;
  // An integer reply, or a string reply holding a decimal integer.
  std::optional<long long> asInteger() const noexcept;
};

}  // namespace sidecar::sessionstore
