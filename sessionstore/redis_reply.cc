#include "sessionstore/redis_reply.h"

#include <charconv>

#include <hiredis/hiredis.h>

namespace sidecar::sessionstore {

RedisReply RedisReply::copyOf(const redisReply& reply) {
  RedisReply out;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      out.type = Type::kString;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Type::kStatus;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Type::kError;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Type::kInteger;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Type::kArray;
      out.elements.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i) {
        // A nil element inside an array arrives as a NIL reply, never NULL.
        out.elements.push_back(copyOf(*reply.element[i]));
      }
      break;
    default:
      out.type = Type::kNil;
      break;
  }
  return out;
}

std::string_view RedisReply::errorCode() const noexcept {
  if (type != Type::kError) return {};
  const std::string_view text(str);
  return text.substr(0, text.find(' '));
}

std::optional<long long> RedisReply::asInteger() const noexcept {
  if (type == Type::kInteger) return integer;
  if (type != Type::kString && type != Type::kStatus) return std::nullopt;
  long long value = 0;
  const auto [end, ec] = std::from_chars(str.data(), str.data() + str.size(), value);
  if (ec != std::errc() || end != str.data() + str.size()) return std::nullopt;
  return value;
}

}  // namespace sidecar::sessionstore
