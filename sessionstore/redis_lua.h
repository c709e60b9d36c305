#pragma once
// The Lua scripts of the Redis store (their contracts: docs/storage.md).
// Each runs atomically on the server, so two sidecars racing one
// transition cannot both win. Layouts shared by every session script:
//
//   KEYS[1] = <prefix>{tag}:meta   KEYS[2] = <prefix>{tag}:events
//   KEYS[3] = <prefix>{tag}:starts (absent for the sessionless log)
//   KEYS[4] = <prefix>sessions (index; absent for the sessionless log)
//   ARGV[1] = session id ("" for the sessionless log)
//   ARGV[2] = now (unix ms, the node's clock)   ARGV[3] = idle TTL (ms)
//
// client_params and server_result live in content-addressed STRING keys
// <prefix>blob:<sha256 hex> (SET NX); meta holds only the digests
// (client_params_ref, server_result_ref). Every refresh extends the
// session's blobs to at least the idle TTL; reads resolve them in the same
// call and also accept the old inline fields.
//
// Refused calls answer error replies whose first word is the outcome:
// NOTFOUND (no meta, or meta of another id), CONFLICT (exists / illegal
// transition). Scripts check everything before their first write, so a
// refused call changes nothing.

#include <cstddef>
#include <string>

namespace sidecar::sessionstore {

enum class ScriptId {
  kCreate,              // KEYS[5..6]: client_params, server_result blob keys;
                        //   ARGV[4..11]: state, protocol_version, client_params,
                        //   its ref, server_result, its ref, fingerprint,
                        //   created_ms -> "OK"
  kTransition,          // ARGV[4]: target state -> {meta fields (refs resolved),
                        //   XLEN events, missing blobs}
  kCompleteInitialize,  // KEYS[5]: server_result blob key; ARGV[4..6]:
                        //   protocol_version, server_result, its ref -> as kTransition
  kAppend,              // ARGV[4..7]: maxlen, writer, batch, wake channel ("": none);
                        //   then 7 per event (dir, stream, sseq, ueid, ts, msg, syn)
                        //   -> {first seq, last seq}; ZADD NX starts, PUBLISH wake last
  kTouch,               // -> 1, or 0 for an unknown session
  kGet,                 // KEYS[1..2] only -> as kTransition, or nil
  kRead,                // KEYS[1..2]; ARGV[2..3]: start id, count -> XRANGE reply
};
inline constexpr size_t kScriptCount = 7;

// The script's text. kTransition and kCompleteInitialize embed the legal
// transition table generated from isLegalTransition(), so the server-side
// copy cannot drift from session_state_machine.h.
const std::string& luaSource(ScriptId id);
const char* scriptName(ScriptId id) noexcept;

// The generated table, e.g. {INITIALIZING={INITIALIZED=true,CLOSED=true},...}
std::string legalTransitionsLua();

}  // namespace sidecar::sessionstore
