#pragma once
// RedisKeys: the Redis key schema (docs/storage.md draws it with examples).
//
//   <prefix>{<tag>}:meta        HASH   one session's record, seq counter, writer marks
//   <prefix>{<tag>}:events      STREAM one session's events, entry id "<seq>-0"
//   <prefix>{<tag>}:starts      ZSET   member = stream id, score = the seq before that stream's first
//                                      event (the append script: ZADD NX at the event with
//                                      stream seq 1; dropped once that event may be trimmed)
//   <prefix>{<tag>}:lease:<name> STRING a lease's holder, PX = the lease's TTL
//   <prefix>sessions            ZSET   member = session id, score = expiry (unix ms)
//   <prefix>blob:<sha256 hex>   STRING client_params / InitializeResult bytes, shared by
//                                      every session with the same content (no hash
//                                      tag: outside the session's slot)
//   <prefix>{sessionless}:meta  HASH   the sessionless log's seq counter and writer marks
//   <prefix>{sessionless}:events STREAM the sessionless log
//
// Pub/sub channels (not keys; named alike so one prefix isolates a deployment):
//
//   <prefix>{<tag>}:wake        the append script publishes a session's last seq
//   <prefix>bus                 the broadcast bus between nodes
//   <prefix>closed              the transition script publishes each session it closes
//
// Every key of one session carries the same hash tag, so a session lives in
// one Redis Cluster slot and a Lua script may touch all of them. The tag is
// 16 lowercase hex characters of SHA-256(id), not the id itself: ids come
// from upstream servers, may be long, and may contain braces, which would
// change what Redis hashes. Two live ids sharing a tag (about n^2 / 2^65 for
// n live sessions) would share keys, so every script compares the id stored
// in meta with the id asked for and fails closed (CONFLICT on create,
// NOTFOUND otherwise) instead of mixing two sessions.
//
// The prefix must not contain '{' or '}': Redis would hash the prefix's tag
// instead, putting every key in one slot (RedisSessionStore warns).

#include <string>
#include <string_view>

namespace sidecar::sessionstore {

// 16 lowercase hex characters of SHA-256(id).
std::string sessionHashTag(std::string_view id);

struct SessionKeys {
  std::string meta;
  std::string events;
  std::string starts;
  std::string wake;  // a channel, not a key ("" for the sessionless log)
};

class RedisKeys {
 public:
  explicit RedisKeys(std::string prefix);

  SessionKeys session(std::string_view id) const;
  std::string lease(std::string_view id, std::string_view name) const;
  // <prefix>blob:<ref>, ref = SHA-256 hex of the bytes (blobRef()).
  std::string blob(std::string_view ref) const;
  const std::string& index() const noexcept { return index_; }
  const std::string& bus() const noexcept { return bus_; }
  const std::string& closed() const noexcept { return closed_; }
  const SessionKeys& sessionless() const noexcept { return sessionless_; }
  const std::string& prefix() const noexcept { return prefix_; }

 private:
  std::string prefix_;
  std::string index_;
  std::string bus_;
  std::string closed_;
  SessionKeys sessionless_;
};

}  // namespace sidecar::sessionstore
