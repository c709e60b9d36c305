#pragma once
// Extracts the raw JSON of "result" from a JSON-RPC response (the
// InitializeResult the session record keeps). "" when there is none.

#include <string>
#include <string_view>

namespace sidecar::proxy {

std::string extractResultRaw(std::string_view response_message);

// The raw JSON of one member of a JSON object ("" when absent or not JSON),
// e.g. a request's "params" or a result's "capabilities".
std::string extractMemberRaw(std::string_view object_json, std::string_view member);

}  // namespace sidecar::proxy
