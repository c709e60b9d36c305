#include "sessionstore/redis_keys.h"

#include <utility>

#include "sessionstore/hex_digest.h"

namespace sidecar::sessionstore {
namespace {

constexpr size_t kTagChars = 16;

SessionKeys keysForTag(const std::string& prefix, std::string_view tag) {
  // Built with append, not operator+ chains: GCC 12 at -O3 reports a false
  // -Wrestrict on some concatenations.
  std::string base;
  base.reserve(prefix.size() + tag.size() + 3);
  base.append(prefix).append("{").append(tag).append("}:");
  SessionKeys keys;
  keys.meta = base;
  keys.meta.append("meta");
  keys.events = base;
  keys.events.append("events");
  keys.streams = std::move(base);
  keys.streams.append("streams");
  return keys;
}

}  // namespace

std::string sessionHashTag(std::string_view id) { return sha256Hex(id).substr(0, kTagChars); }

RedisKeys::RedisKeys(std::string prefix)
    : prefix_(std::move(prefix)),
      index_(prefix_),
      sessionless_(keysForTag(prefix_, "sessionless")) {
  index_.append("sessions");
}

SessionKeys RedisKeys::session(std::string_view id) const {
  return keysForTag(prefix_, sessionHashTag(id));
}

}  // namespace sidecar::sessionstore
