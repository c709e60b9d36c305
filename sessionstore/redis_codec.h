#pragma once
// Codecs between the session model and what the Redis scripts take and
// answer. Pure functions, no I/O. Field names and encodings are part of the
// stored format (docs/storage.md); changing one needs a migration.
//
//   meta HASH:     id, state, protocol_version, client_params_ref,
//                  server_result_ref, fingerprint, created_ms, last_seen_ms,
//                  seq, w:<writer>...  (older records: client_params,
//                  server_result inline instead of the two refs)
//   blob STRING:   the bytes a ref names (SHA-256 hex of them)
//   stream entry:  dir ("c" client->server, "s" server->client), stream,
//                  sseq, ueid, ts (unix ms), msg, syn ("1" synthetic, "0")

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sessionstore/redis_reply.h"
#include "sessionstore/session.h"
#include "sessionstore/session_store.h"

namespace sidecar::sessionstore {

// Counted by every reader of records (store and lister share the family).
inline constexpr std::string_view kMissingBlobsMetric = "sidecar_store_blobs_missing_total";
inline constexpr std::string_view kMissingBlobsHelp =
    "Session values whose blob had gone from Redis (answered empty)";

// The blob reference of a value: lowercase SHA-256 hex of its bytes, or ""
// for an empty value (no blob is stored).
std::string blobRef(std::string_view bytes);

// The create script's ARGV[4..11]; the refs come from blobRef().
std::vector<std::string> encodeCreateArgs(const SessionRecord& record,
                                          std::string client_params_ref,
                                          std::string server_result_ref);

// The seven values of one stream entry, appended to the append script's ARGV.
void encodeEventArgs(const EventRecord& event, std::vector<std::string>& args);

// {meta fields, XLEN events[, missing blobs]} (the get/transition
// scripts' answer) as a record; nil, or meta that belongs to another id, is
// nullopt. kInternal when the shape or a field is not what the scripts
// write. `missing_blobs`, if given, receives how many referenced blobs were
// gone (their values answer empty).
Result<std::optional<SessionRecord>> decodeRecordReply(const RedisReply& reply,
                                                       std::string_view expected_id,
                                                       uint64_t* missing_blobs = nullptr);

// An XRANGE answer as a page. next_after_seq is the last seq returned, or
// after_seq when the page is empty (as EventLog::read answers).
Result<EventPage> decodeEventPage(const RedisReply& reply, uint64_t after_seq);

// HGET streams <stream_id> (streamStart): nil -> nullopt, else the seq.
Result<std::optional<uint64_t>> decodeOptionalSeq(const RedisReply& reply);

// GET of a lease: nil -> nullopt, else the holder.
Result<std::optional<std::string>> decodeOptionalText(const RedisReply& reply);

// A script's error reply as an Error: NOTFOUND -> kNotFound, CONFLICT ->
// kConflict (outcomes the caller expects), anything else -> kInternal.
Error errorFromReply(const RedisReply& reply);

// "<seq>-0" -> seq; nullopt for ids the store did not write.
std::optional<uint64_t> seqFromStreamId(std::string_view id);

}  // namespace sidecar::sessionstore
