#pragma once
// Lowercase hex digests (libcrypto), for the Redis key hash tags and for
// the SHA-1 names Redis gives Lua scripts. Pure functions.

#include <string>
#include <string_view>

namespace sidecar::sessionstore {

std::string sha256Hex(std::string_view data);
std::string sha1Hex(std::string_view data);

}  // namespace sidecar::sessionstore
