#include "proxy/credential_fingerprint.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <limits>

namespace sidecar::proxy {

std::string credentialFingerprint(std::string_view key, std::string_view authorization) {
  if (authorization.empty()) return {};

  // OpenSSL 3 may treat a null key pointer as "no key"; an empty key must still be a key.
  static const unsigned char kNoKeyBytes[1] = {0};
  const void* key_bytes = key.empty() ? kNoKeyBytes : static_cast<const void*>(key.data());

  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  const bool ok = key.size() <= static_cast<size_t>(std::numeric_limits<int>::max()) &&
                  HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()),
                       reinterpret_cast<const unsigned char*>(authorization.data()),
                       authorization.size(), mac, &mac_len) != nullptr;
  if (!ok) {
    // Only an allocation failure gets here. Returning "" would read as "no credential" and could
    // bind a credentialed session to anonymous callers, so stop instead, as on any other OOM.
    std::abort();
  }

  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(mac_len * 2);
  for (unsigned int i = 0; i < mac_len; ++i) {
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 0x0f]);
  }
  return out;
}

}  // namespace sidecar::proxy
