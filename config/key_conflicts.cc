#include "config/key_conflicts.h"

#include <fmt/format.h>

namespace sidecar::config {
namespace {

bool isWildcard(const std::string& host) { return host == "0.0.0.0" || host == "::"; }

bool isLoopback(const std::string& host) { return host.rfind("127.", 0) == 0 || host == "::1"; }

// Two listeners collide when the ports match and the addresses overlap (equal,
// or either binds every address). Port 0 never collides: the kernel picks.
bool bindsOverlap(const HostPort& a, const HostPort& b) {
  return a.port != 0 && a.port == b.port &&
         (a.host == b.host || isWildcard(a.host) || isWildcard(b.host));
}

// A connection to target reaches the listener. Without asking the kernel for
// this machine's addresses, a wildcard listener is only known to be reached
// through loopback: an upstream on another host may well use the same port.
bool reaches(const HostPort& target, const HostPort& listener) {
  return listener.port != 0 && target.port == listener.port &&
         (target.host == listener.host ||
          (isWildcard(listener.host) && (isLoopback(target.host) || isWildcard(target.host))));
}

}  // namespace

std::vector<KeyConflict> findKeyConflicts(const Config& config) {
  std::vector<KeyConflict> out;
  const HostPort& listen = config.listen;
  const HostPort& admin = config.admin.listen;
  const HostPort upstream{config.upstream.host, config.upstream.port};
  if (bindsOverlap(listen, admin)) {
    out.push_back({"listen", "admin.listen",
                   fmt::format("listen and admin.listen both use port {} on overlapping addresses",
                               admin.port)});
  }
  if (reaches(upstream, listen)) {
    out.push_back({"listen", "upstream.url",
                   "upstream.url targets the sidecar's own listen address: requests would loop"});
  }
  if (reaches(upstream, admin)) {
    out.push_back({"admin.listen", "upstream.url",
                   "upstream.url targets the sidecar's own admin.listen address"});
  }
  return out;
}

}  // namespace sidecar::config
