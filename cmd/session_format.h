#pragma once
// What the `sessions` subcommands print. Human output: a table for lists
// and event trails (times as ISO-8601 UTC with milliseconds, messages cut
// to kMessageCellWidth), "key: value" lines for one record. --json output
// uses the admin API's shapes (proxy/session_json.h), so a script can read
// either interchangeably: one document for a record or a list, and one
// event object per line (NDJSON) so that a followed trail can stream.
// Pure functions: no I/O, no clock.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sessionstore/session_store.h"

namespace sidecar::cmd {

inline constexpr size_t kMessageCellWidth = 100;

// "2023-11-14T22:13:20.000Z"; "-" for 0 (never set).
std::string formatUtcMs(int64_t unix_ms);

// Header row ID STATE PROTOCOL CREATED LAST-SEEN EVENTS, then one row per record.
std::string sessionTable(const std::vector<sessionstore::SessionRecord>& records);
// Every field of one record, including the raw initialize params and result.
std::string sessionDetail(const sessionstore::SessionRecord& record);

// The event table streams page by page, so its columns have fixed widths
// instead of widths measured over every row.
std::string eventTableHeader();
std::string eventTableRows(const std::vector<sessionstore::EventRecord>& events);

// One event as the admin API renders it inside {"events":[...]}.
std::string eventJson(const sessionstore::EventRecord& event);
// eventJson() of each event, one per line.
std::string eventJsonLines(const std::vector<sessionstore::EventRecord>& events);

// The admin API's documents, newline-terminated.
std::string sessionListJsonDocument(const std::vector<sessionstore::SessionRecord>& records);
std::string sessionJsonDocument(const sessionstore::SessionRecord& record);

}  // namespace sidecar::cmd
