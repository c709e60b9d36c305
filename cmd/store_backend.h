#pragma once
// StoreBackend: SessionsBackend over any SessionStore, for stores the CLI
// can open itself (Redis: sessions shared between nodes). The wiring owns
// the store, built on the CLI's private event_base; this adapter only
// borrows it and must be destroyed before it. The store's completions
// already arrive on a later loop turn, so this adds no queue of its own:
// each call hands the store a small translating callback and returns the
// store's CallHandle.

#include "cmd/sessions_backend.h"
#include "sessionstore/session_store.h"

namespace sidecar::cmd {

class StoreBackend final : public SessionsBackend {
 public:
  explicit StoreBackend(sessionstore::SessionStore& store) : store_(store) {}

  CallHandle listSessions(Callback<std::vector<sessionstore::SessionRecord>> done) override;
  CallHandle getSession(const std::string& id,
                        Callback<sessionstore::SessionRecord> done) override;
  CallHandle readEvents(const std::string& id, uint64_t after_seq, size_t limit,
                        Callback<sessionstore::EventPage> done) override;
  CallHandle closeSession(const std::string& id,
                          Callback<sessionstore::SessionRecord> done) override;

 private:
  sessionstore::SessionStore& store_;
};

}  // namespace sidecar::cmd
