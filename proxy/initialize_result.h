#pragma once
// Extracts the raw JSON of "result" from a JSON-RPC response (the
// InitializeResult the session record keeps). "" when there is none.

#include <string>
#include <string_view>

namespace sidecar::proxy {

std::string extractResultRaw(std::string_view response_message);

}  // namespace sidecar::proxy
