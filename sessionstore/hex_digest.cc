#include "sessionstore/hex_digest.h"

#include <cstdlib>

#include <openssl/evp.h>

namespace sidecar::sessionstore {
namespace {

std::string hexDigest(const EVP_MD* md, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // Fails only on allocation failure inside libcrypto: nothing to recover.
  if (EVP_Digest(data.data(), data.size(), digest, &len, md, nullptr) != 1) std::abort();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(static_cast<size_t>(len) * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0x0f];
  }
  return out;
}

}  // namespace

std::string sha256Hex(std::string_view data) { return hexDigest(EVP_sha256(), data); }
std::string sha1Hex(std::string_view data) { return hexDigest(EVP_sha1(), data); }

}  // namespace sidecar::sessionstore
