#pragma once
// AdminApiBackend: SessionsBackend that asks the running daemon, over its
// admin listener (GET /sessions, GET /sessions/ID, GET /sessions/ID/events,
// DELETE /sessions/ID), for the sessions an in-memory store holds inside
// that process. Owned by the CLI wiring on the CLI's event_base, destroyed
// before it; answers arrive on later loop turns (see AdminHttpClient).
// HTTP 404 becomes kNotFound and 409 kConflict, so the command cannot tell
// this backend from StoreBackend.

#include <chrono>
#include <memory>
#include <string>

#include "cmd/admin_http_client.h"
#include "cmd/sessions_backend.h"
#include "config/config.h"

namespace sidecar::cmd {

class AdminApiBackend final : public SessionsBackend {
 public:
  // `admin` is the admin.listen of the daemon's configuration; a wildcard
  // host (0.0.0.0, ::) is dialled on loopback. kInvalidArgument when the
  // address cannot be dialled (port 0: the daemon's port is unknowable).
  static Result<std::unique_ptr<AdminApiBackend>> create(event_base& base,
                                                         const config::HostPort& admin,
                                                         std::chrono::seconds timeout);

  AdminApiBackend(event_base& base, const std::string& host, uint16_t port,
                  std::chrono::seconds timeout);

  CallHandle listSessions(Callback<std::vector<sessionstore::SessionRecord>> done) override;
  CallHandle getSession(const std::string& id,
                        Callback<sessionstore::SessionRecord> done) override;
  CallHandle readEvents(const std::string& id, uint64_t after_seq, size_t limit,
                        Callback<sessionstore::EventPage> done) override;
  CallHandle closeSession(const std::string& id,
                          Callback<sessionstore::SessionRecord> done) override;

  // The dialled "host:port" ("[v6]:port"), as messages name it.
  const std::string& address() const noexcept { return http_.address(); }

 private:
  AdminHttpClient http_;
};

}  // namespace sidecar::cmd
