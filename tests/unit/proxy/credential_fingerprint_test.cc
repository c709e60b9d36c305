#include <catch2/catch.hpp>

#include <string>

#include "proxy/credential_fingerprint.h"

using sidecar::proxy::credentialFingerprint;

TEST_CASE("fingerprint: RFC 4231 HMAC-SHA256 test vectors") {
  // Test case 1.
  CHECK(credentialFingerprint(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: a key shorter than the output.
  CHECK(credentialFingerprint("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block size is hashed first.
  CHECK(credentialFingerprint(std::string(131, '\xaa'),
                              "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("fingerprint: no credential, no fingerprint") {
  CHECK(credentialFingerprint("key", "").empty());
  CHECK(credentialFingerprint("", "").empty());
}

TEST_CASE("fingerprint: keyed, exact and lowercase hex") {
  const std::string a = credentialFingerprint("k1", "Bearer abc");
  CHECK(a.size() == 64);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a == credentialFingerprint("k1", "Bearer abc"));
  CHECK(a != credentialFingerprint("k2", "Bearer abc"));
  CHECK(a != credentialFingerprint("k1", "Bearer abd"));
  CHECK(a != credentialFingerprint("k1", "bearer abc"));
  // An empty key still produces a (well-defined) HMAC, not "".
  // (Value from Python's hmac module; OpenSSL's own CLI refuses an empty key.)
  CHECK(credentialFingerprint("", "Bearer abc") ==
        "168d353ab77c20ad31de4e6975bf8866dfe6255ff7a2c7aa02c803e6022d553e");
  // Binary-safe: embedded NULs count.
  CHECK(credentialFingerprint(std::string("k\0x", 3), "v") !=
        credentialFingerprint(std::string("k\0y", 3), "v"));
}
