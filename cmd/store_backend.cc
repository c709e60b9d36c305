#include "cmd/store_backend.h"

#include <optional>
#include <utility>

#include <fmt/format.h>

namespace sidecar::cmd {

using sessionstore::SessionRecord;
using sessionstore::SessionState;

CallHandle StoreBackend::listSessions(Callback<std::vector<SessionRecord>> done) {
  return store_.listSessions(std::move(done));
}

CallHandle StoreBackend::getSession(const std::string& id, Callback<SessionRecord> done) {
  // The store answers "unknown" as an empty optional; the CLI treats it as
  // an error like every other backend does, so one place maps it to exit 1.
  return store_.getSession(
      id, [id, done = std::move(done)](Result<std::optional<SessionRecord>> found) {
        if (!found.ok()) return done(found.error());
        if (!found.value().has_value()) {
          return done(makeError(ErrorCode::kNotFound, fmt::format("session {} not found", id)));
        }
        done(std::move(*found.value()));
      });
}

CallHandle StoreBackend::readEvents(const std::string& id, uint64_t after_seq, size_t limit,
                                    Callback<sessionstore::EventPage> done) {
  return store_.readEvents(id, after_seq, limit, std::move(done));
}

CallHandle StoreBackend::closeSession(const std::string& id, Callback<SessionRecord> done) {
  // Every state may move to CLOSED except CLOSED itself, so the store's
  // kConflict here means exactly "closed already".
  return store_.transition(id, SessionState::kClosed, std::move(done));
}

}  // namespace sidecar::cmd
