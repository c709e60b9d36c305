#pragma once
// SessionsBackend: what the `sessions` subcommands need from wherever the
// sessions live. Two implementations: AdminApiBackend asks the running
// daemon over its admin HTTP listener (store.kind=memory: the sessions exist
// only inside that process), StoreBackend reads a shared store directly
// (store.kind=redis). Both run on an event_base owned by the CLI wiring
// (sessions_cli.cc); SessionsCommand drives that loop.
//
// Same contract as SessionStore: every answer arrives through the callback
// on a later loop turn, never from inside the call, and destroying the
// returned CallHandle drops the callback.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/call_handle.h"
#include "common/result.h"
#include "sessionstore/session_store.h"

namespace sidecar::cmd {

class SessionsBackend {
 public:
  template <class T>
  using Callback = std::function<void(Result<T>)>;

  virtual ~SessionsBackend() = default;

  // Every session the store still holds, CLOSED ones included.
  virtual CallHandle listSessions(Callback<std::vector<sessionstore::SessionRecord>> done) = 0;
  // kNotFound for an unknown or expired id.
  virtual CallHandle getSession(const std::string& id,
                                Callback<sessionstore::SessionRecord> done) = 0;
  // Events with seq > after_seq, at most `limit`; kNotFound for an unknown id.
  virtual CallHandle readEvents(const std::string& id, uint64_t after_seq, size_t limit,
                                Callback<sessionstore::EventPage> done) = 0;
  // Moves the session to CLOSED and answers the record after the move.
  // kNotFound for an unknown id, kConflict when it is CLOSED already.
  virtual CallHandle closeSession(const std::string& id,
                                  Callback<sessionstore::SessionRecord> done) = 0;
};

}  // namespace sidecar::cmd
