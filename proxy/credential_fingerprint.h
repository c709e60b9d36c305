#pragma once
// Credential fingerprint: binds a session to the Authorization value that created it without
// storing the credential itself (the store and the logs only ever see the fingerprint). Keyed, so
// a leaked store does not allow offline guessing of short tokens.

#include <string>
#include <string_view>

namespace sidecar::proxy {

// Lowercase hex HMAC-SHA256(key, authorization) over the exact header bytes (no normalisation:
// "Bearer x" and "bearer x" differ); "" when `authorization` is empty (no credential).
std::string credentialFingerprint(std::string_view key, std::string_view authorization);

}  // namespace sidecar::proxy
