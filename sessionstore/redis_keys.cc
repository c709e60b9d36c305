#include "sessionstore/redis_keys.h"

#include <utility>

#include "sessionstore/hex_digest.h"

namespace sidecar::sessionstore {
namespace {

constexpr size_t kTagChars = 16;

// "<prefix>{<tag>}:<name>". Built with append, not operator+ chains: GCC 12
// at -O3 reports a false -Wrestrict on some concatenations.
std::string taggedKey(std::string_view prefix, std::string_view tag, std::string_view name) {
  std::string key;
  key.reserve(prefix.size() + tag.size() + name.size() + 3);
  key.append(prefix).append("{").append(tag).append("}:").append(name);
  return key;
}

SessionKeys keysForTag(const std::string& prefix, std::string_view tag) {
  SessionKeys keys;
  keys.meta = taggedKey(prefix, tag, "meta");
  keys.events = taggedKey(prefix, tag, "events");
  keys.starts = taggedKey(prefix, tag, "starts");
  keys.wake = taggedKey(prefix, tag, "wake");
  return keys;
}

}  // namespace

std::string sessionHashTag(std::string_view id) { return sha256Hex(id).substr(0, kTagChars); }

RedisKeys::RedisKeys(std::string prefix)
    : prefix_(std::move(prefix)),
      index_(prefix_),
      bus_(prefix_),
      closed_(prefix_),
      sessionless_(keysForTag(prefix_, "sessionless")) {
  index_.append("sessions");
  bus_.append("bus");
  closed_.append("closed");
  // Nobody watches the sessionless log; its appends publish nothing.
  sessionless_.wake.clear();
}

SessionKeys RedisKeys::session(std::string_view id) const {
  return keysForTag(prefix_, sessionHashTag(id));
}

std::string RedisKeys::lease(std::string_view id, std::string_view name) const {
  std::string key = taggedKey(prefix_, sessionHashTag(id), "lease:");
  key.append(name);
  return key;
}

std::string RedisKeys::blob(std::string_view ref) const {
  std::string key;
  key.reserve(prefix_.size() + 5 + ref.size());
  key.append(prefix_).append("blob:").append(ref);
  return key;
}

}  // namespace sidecar::sessionstore
