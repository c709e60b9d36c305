#pragma once
// JSON renderings of session records and event pages, shared by the admin
// endpoints and the CLI. Raw JSON fields (initialize params, results,
// messages) are embedded as JSON values, not strings.

#include <string>
#include <vector>

#include "sessionstore/session_store.h"

namespace sidecar::proxy {

std::string sessionToJson(const sessionstore::SessionRecord& record);
std::string sessionListToJson(const std::vector<sessionstore::SessionRecord>& records);
std::string eventToJson(const sessionstore::EventRecord& event);
std::string eventPageToJson(const sessionstore::EventPage& page);

}  // namespace sidecar::proxy
