#pragma once
// Parsers for the admin API's JSON (proxy/session_json.h writes it): the
// inverse of sessionToJson, sessionListToJson and eventPageToJson, so the
// CLI holds the same records whether it asked the daemon or a store. Raw
// JSON fields (client_params, server_result, message) come back as their
// exact text, not re-serialised; JSON null becomes "". Unknown keys are
// ignored so a newer daemon does not break an older CLI. Pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sessionstore/session_store.h"

namespace sidecar::cmd {

Result<sessionstore::SessionRecord> parseSessionJson(std::string_view body);
Result<std::vector<sessionstore::SessionRecord>> parseSessionListJson(std::string_view body);
Result<sessionstore::EventPage> parseEventPageJson(std::string_view body);

// The message of an admin error body {"error":"..."}; "" when there is none.
std::string parseErrorJson(std::string_view body);

}  // namespace sidecar::cmd
