#include "sessionstore/redis_lua.h"

#include <array>

#include "sessionstore/session_state_machine.h"

namespace sidecar::sessionstore {
namespace {

constexpr std::array<SessionState, 4> kStates = {SessionState::kInitializing,
                                                 SessionState::kInitialized, SessionState::kActive,
                                                 SessionState::kClosed};

// Helpers every script starts with. `local` throughout: Redis refuses
// scripts that create globals.
constexpr const char* kPreamble = R"lua(
local function owned()
  -- meta exists and belongs to this id (two ids sharing a hash tag fail closed)
  return redis.call('HGET', KEYS[1], 'id') == ARGV[1]
end
-- <prefix><name>. The prefix is KEYS[1] without its '{<tag>}:meta' (the
-- tag is hex, so the last '{' starts it even if the prefix had braces).
local function prefixed(name)
  return string.match(KEYS[1], '^(.*){[^{}]*}:meta$') .. name
end
-- Blob keys live outside the session's slot (docs/storage.md).
local function blobKey(ref)
  return prefixed('blob:' .. ref)
end
-- Content-addressed: a blob that exists already holds these bytes.
local function putBlob(key, bytes)
  if bytes ~= '' then redis.call('SET', key, bytes, 'PX', ARGV[3], 'NX') end
end
-- A session's blobs live at least as long as the session: compared as
-- absolute expiry times (PEXPIRETIME), so the clock advancing between two
-- commands of this script cannot leave a blob a millisecond short. Never
-- shortens a blob another session keeps longer. A missing blob stays
-- missing (-2; only create and complete_initialize have the bytes).
local function keepBlobs()
  local refs = redis.call('HMGET', KEYS[1], 'client_params_ref', 'server_result_ref')
  local until_ms = nil
  for i = 1, 2 do
    local ref = refs[i]
    if ref and ref ~= '' then
      until_ms = until_ms or redis.call('PEXPIRETIME', KEYS[1])
      local key = blobKey(ref)
      if redis.call('PEXPIRETIME', key) < until_ms then redis.call('PEXPIREAT', key, until_ms) end
    end
  end
end
-- Keys live `slack` past the idle TTL, so that appends and touches need to
-- refresh them only once per slack (refreshDue) and a session still lives
-- at least the idle TTL after its last use. A refresh is 8-9 commands: doing
-- it on every append was most of Redis' CPU per proxied request.
local function slack()
  return math.min(math.floor(tonumber(ARGV[3]) / 16), 60000)
end
local function lifetime()
  return tonumber(ARGV[3]) + slack()
end
-- `refreshed_ms` as read from meta (nil when never). Either direction counts,
-- so a node whose clock lags cannot hold refreshes off.
local function refreshDue(refreshed_ms)
  return not refreshed_ms or math.abs(tonumber(ARGV[2]) - tonumber(refreshed_ms)) >= slack()
end
-- The caller records ARGV[2] as meta's `refreshed_ms` in its own HSET.
local function refresh()
  local px = lifetime()
  redis.call('PEXPIRE', KEYS[1], px)
  redis.call('PEXPIRE', KEYS[2], px)  -- a no-op until the first event
  if KEYS[3] then redis.call('PEXPIRE', KEYS[3], px) end  -- likewise for starts
  if KEYS[4] then
    redis.call('ZADD', KEYS[4], tonumber(ARGV[2]) + px, ARGV[1])
    keepBlobs()
  end
end
-- HGETALL meta with every '<name>_ref' field answered as '<name>' and the
-- blob's bytes ('' and counted when the blob is gone). Old-format records
-- hold 'client_params'/'server_result' inline: those pass through.
-- -> {fields, XLEN events, missing blobs}
local function record(fields)
  local missing = 0
  for i = 1, #fields, 2 do
    local name = fields[i]
    if name == 'client_params_ref' or name == 'server_result_ref' then
      fields[i] = string.sub(name, 1, -5)
      local ref = fields[i + 1]
      if ref ~= '' then
        local bytes = redis.call('GET', blobKey(ref))
        if not bytes then
          bytes = ''
          missing = missing + 1
        end
        fields[i + 1] = bytes
      end
    end
  end
  return {fields, redis.call('XLEN', KEYS[2]), missing}
end
)lua";

constexpr const char* kCreate = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.error_reply('CONFLICT session exists')
end
-- Leftovers of an expired namesake: its stream would hold ids above our
-- seq, its starts index would point into a log that is not ours.
redis.call('DEL', KEYS[2], KEYS[3])
-- client_params and server_result go to blobs (KEYS[5], KEYS[6]); meta
-- keeps only their digests, so every value fits a listpack entry.
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'state', ARGV[4], 'protocol_version', ARGV[5],
  'client_params_ref', ARGV[7], 'server_result_ref', ARGV[9], 'fingerprint', ARGV[10],
  'created_ms', ARGV[11], 'last_seen_ms', ARGV[2], 'refreshed_ms', ARGV[2], 'seq', 0)
putBlob(KEYS[5], ARGV[6])
putBlob(KEYS[6], ARGV[8])
refresh()
return 'OK'
)lua";

// Shared by transition and complete_initialize: `to`, then `write` (may be
// nil) after the checks, plus extra fields.
constexpr const char* kMove = R"lua(
local function move(to, write, ...)
  local from = redis.call('HGET', KEYS[1], 'state')
  if not from or not owned() then
    return redis.error_reply('NOTFOUND unknown session')
  end
  local allowed = LEGAL[from]
  if not (allowed and allowed[to]) then
    return redis.error_reply('CONFLICT illegal transition ' .. from .. ' -> ' .. to)
  end
  redis.call('HSET', KEYS[1], 'state', to, 'last_seen_ms', ARGV[2], 'refreshed_ms', ARGV[2], ...)
  if write then write() end
  refresh()
  -- Nodes that admit requests from their own copy of the record drop it
  -- (RedisSessionStore's closed-session feed).
  if to == 'CLOSED' then redis.call('PUBLISH', prefixed('closed'), ARGV[1]) end
  return record(redis.call('HGETALL', KEYS[1]))
end
)lua";

constexpr const char* kTransitionBody = "return move(ARGV[4], nil)\n";
// The InitializeResult goes to its blob (KEYS[5]); an old-format record's
// inline copy is dropped so the reference answers.
constexpr const char* kCompleteBody = R"lua(
return move('INITIALIZED', function()
  putBlob(KEYS[5], ARGV[5])
  redis.call('HDEL', KEYS[1], 'server_result')
end, 'protocol_version', ARGV[4], 'server_result_ref', ARGV[6])
)lua";

constexpr const char* kAppend = R"lua(
-- One HMGET for every check, one HSET for every write to meta: each
-- redis.call costs about a microsecond of Lua overhead on top of the command.
local mark = 'w:' .. ARGV[5]
local meta = redis.call('HMGET', KEYS[1], 'id', 'seq', mark, 'refreshed_ms')
if ARGV[1] ~= '' and meta[1] ~= ARGV[1] then
  return redis.error_reply('NOTFOUND unknown session')
end
-- Exactly-once across retries: a writer numbers its batches increasingly per
-- log and resends a batch whose outcome it did not learn with the same number.
if tonumber(ARGV[6]) <= tonumber(meta[3] or '0') then
  return {0, 0}
end
local n = (#ARGV - 7) / 7
local first = tonumber(meta[2] or '0') + 1
local last = first + n - 1
local new_stream = false
for i = 0, n - 1 do
  local a = 8 + i * 7
  -- The entry id is the seq itself, so readEvents(after) is XRANGE (after +.
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], string.format('%d-0', first + i),
    'dir', ARGV[a], 'stream', ARGV[a + 1], 'sseq', ARGV[a + 2], 'ueid', ARGV[a + 3],
    'ts', ARGV[a + 4], 'msg', ARGV[a + 5], 'syn', ARGV[a + 6])
  -- streamStart: the seq before a stream's first event (stream seq 1; a
  -- stream's producer numbers from 1, a tail continues after it). NX keeps
  -- the first should a producer ever number twice.
  if KEYS[3] and ARGV[a + 2] == '1' and ARGV[a + 1] ~= '' then
    if redis.call('ZADD', KEYS[3], 'NX', first + i - 1, ARGV[a + 1]) == 1 then new_stream = true end
  end
end
-- MAXLEN ~ keeps at least the newest <maxlen> events: a stream whose first
-- event is older may have lost it, and with it what a resumption needs (its
-- requests). Its start goes then, so the index stays as bounded as the log;
-- checked once per 1024 events.
if KEYS[3] and math.floor(last / 1024) > math.floor((first - 1) / 1024) then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. string.format('%d', last - tonumber(ARGV[4])))
end
local fields = {mark, ARGV[6], 'seq', string.format('%d', last)}
if ARGV[1] ~= '' then
  fields[#fields + 1] = 'last_seen_ms'
  fields[#fields + 1] = ARGV[2]
end
-- The first event creates the events stream: it gets its TTL at once.
if first == 1 or refreshDue(meta[4]) then
  refresh()
  fields[#fields + 1] = 'refreshed_ms'
  fields[#fields + 1] = ARGV[2]
elseif new_stream then
  -- The starts index may have been created just now; never leave it without a TTL.
  redis.call('PEXPIRE', KEYS[3], lifetime())
end
redis.call('HSET', KEYS[1], unpack(fields))
-- One notice per call (per batch, not per event): watchers read the log.
if ARGV[7] ~= '' then redis.call('PUBLISH', ARGV[7], string.format('%d', last)) end
return {first, last}
)lua";

constexpr const char* kTouch = R"lua(
local meta = redis.call('HMGET', KEYS[1], 'id', 'refreshed_ms')
if meta[1] ~= ARGV[1] then return 0 end
if refreshDue(meta[2]) then
  refresh()
  redis.call('HSET', KEYS[1], 'last_seen_ms', ARGV[2], 'refreshed_ms', ARGV[2])
else
  redis.call('HSET', KEYS[1], 'last_seen_ms', ARGV[2])
end
return 1
)lua";

constexpr const char* kGet = R"lua(
local fields = redis.call('HGETALL', KEYS[1])
if #fields == 0 then return false end
return record(fields)
)lua";

constexpr const char* kRead = R"lua(
if not owned() then return redis.error_reply('NOTFOUND unknown session') end
return redis.call('XRANGE', KEYS[2], ARGV[2], '+', 'COUNT', ARGV[3])
)lua";

std::string build(ScriptId id) {
  std::string text = kPreamble;
  switch (id) {
    case ScriptId::kCreate:
      text += kCreate;
      break;
    case ScriptId::kTransition:
    case ScriptId::kCompleteInitialize:
      text.append("local LEGAL = ").append(legalTransitionsLua()).append("\n");
      text += kMove;
      text += id == ScriptId::kTransition ? kTransitionBody : kCompleteBody;
      break;
    case ScriptId::kAppend:
      text += kAppend;
      break;
    case ScriptId::kTouch:
      text += kTouch;
      break;
    case ScriptId::kGet:
      text += kGet;
      break;
    case ScriptId::kRead:
      text += kRead;
      break;
  }
  return text;
}

}  // namespace

std::string legalTransitionsLua() {
  std::string table = "{";
  for (SessionState from : kStates) {
    table.append(sessionStateName(from)).append("={");
    bool first = true;
    for (SessionState to : kStates) {
      if (!isLegalTransition(from, to)) continue;
      if (!first) table.append(",");
      table.append(sessionStateName(to)).append("=true");
      first = false;
    }
    table.append("},");
  }
  table.append("}");
  return table;
}

const std::string& luaSource(ScriptId id) {
  // Built once; the texts (and so their SHA-1 names) never change at run time.
  static const std::array<std::string, kScriptCount> kSources = [] {
    std::array<std::string, kScriptCount> sources;
    for (size_t i = 0; i < kScriptCount; ++i) sources[i] = build(static_cast<ScriptId>(i));
    return sources;
  }();
  return kSources[static_cast<size_t>(id)];
}

const char* scriptName(ScriptId id) noexcept {
  switch (id) {
    case ScriptId::kCreate:
      return "create";
    case ScriptId::kTransition:
      return "transition";
    case ScriptId::kCompleteInitialize:
      return "complete_initialize";
    case ScriptId::kAppend:
      return "append";
    case ScriptId::kTouch:
      return "touch";
    case ScriptId::kGet:
      return "get";
    case ScriptId::kRead:
      return "read";
  }
  return "unknown";
}

}  // namespace sidecar::sessionstore
