#pragma once
// The per-session marks that streams keep in the store (SessionStore
// leases), named in one place:
//
//   stream:<id>        the node producing a request stream renews it
//   tail:<id>          a node replaying that stream to a resumed client renews
//                      it (an orphaned producer keeps going while it is held)
//   standalone         a standalone GET is open on some node (copies listen)
//   standalone-cursor  the session seq the last standalone GET delivered up to

#include <string>
#include <string_view>

namespace sidecar::proxy::stream_leases {

inline std::string producer(std::string_view stream_id) { return "stream:" + std::string(stream_id); }
inline std::string tail(std::string_view stream_id) { return "tail:" + std::string(stream_id); }
inline constexpr std::string_view kStandalone = "standalone";
inline constexpr std::string_view kStandaloneCursor = "standalone-cursor";

}  // namespace sidecar::proxy::stream_leases
