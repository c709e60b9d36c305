#include "cmd/admin_api_backend.h"

#include <cstdlib>
#include <memory>
#include <utility>

#include <event2/http.h>
#include <fmt/format.h>

#include "cmd/admin_json.h"

namespace sidecar::cmd {
namespace {

std::string encodePathPart(const std::string& part) {
  char* encoded = evhttp_uriencode(part.c_str(), static_cast<ev_ssize_t>(part.size()), 0);
  if (encoded == nullptr) std::abort();  // allocation failure
  std::string out(encoded);
  std::free(encoded);
  return out;
}

// Maps an HTTP reply to the backend's error vocabulary, or passes a 200's
// body to `parse`.
template <class T, class Parse>
Result<T> interpret(Result<HttpReply> reply, const std::string& address, Parse parse) {
  if (!reply.ok()) return reply.error();
  const HttpReply& r = reply.value();
  if (r.status == 200) return parse(r.body);
  std::string message = parseErrorJson(r.body);
  if (message.empty()) message = fmt::format("HTTP {}", r.status);
  if (r.status == 404) return makeError(ErrorCode::kNotFound, message);
  if (r.status == 409) return makeError(ErrorCode::kConflict, message);
  return makeError(r.status == 503 ? ErrorCode::kUnavailable : ErrorCode::kInternal,
                   fmt::format("the admin API at {} answered HTTP {}: {}", address, r.status,
                               message));
}

template <class T, class Parse>
AdminHttpClient::Callback translate(SessionsBackend::Callback<T> done, const std::string& address,
                                    Parse parse) {
  return [done = std::move(done), address, parse](Result<HttpReply> reply) mutable {
    done(interpret<T>(std::move(reply), address, parse));
  };
}

}  // namespace

Result<std::unique_ptr<AdminApiBackend>> AdminApiBackend::create(
    event_base& base, const config::HostPort& admin, std::chrono::seconds timeout) {
  if (admin.port == 0) {
    return makeError(ErrorCode::kInvalidArgument,
                     "admin.listen has port 0, so the daemon's admin port is chosen at "
                     "start-up and unknown here; give admin.listen a fixed port (or --set "
                     "admin.listen=...)");
  }
  // A daemon listening on every address is reachable on loopback.
  std::string host = admin.host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  return std::make_unique<AdminApiBackend>(base, host, admin.port, timeout);
}

AdminApiBackend::AdminApiBackend(event_base& base, const std::string& host, uint16_t port,
                                 std::chrono::seconds timeout)
    : http_(base, host, port, timeout) {}

CallHandle AdminApiBackend::listSessions(
    Callback<std::vector<sessionstore::SessionRecord>> done) {
  return http_.request(EVHTTP_REQ_GET, "/sessions",
                       translate(std::move(done), http_.address(), parseSessionListJson));
}

CallHandle AdminApiBackend::getSession(const std::string& id,
                                       Callback<sessionstore::SessionRecord> done) {
  return http_.request(EVHTTP_REQ_GET, fmt::format("/sessions/{}", encodePathPart(id)),
                       translate(std::move(done), http_.address(), parseSessionJson));
}

CallHandle AdminApiBackend::readEvents(const std::string& id, uint64_t after_seq, size_t limit,
                                       Callback<sessionstore::EventPage> done) {
  const std::string path =
      fmt::format("/sessions/{}/events?after={}&limit={}", encodePathPart(id), after_seq, limit);
  return http_.request(EVHTTP_REQ_GET, path,
                       translate(std::move(done), http_.address(), parseEventPageJson));
}

CallHandle AdminApiBackend::closeSession(const std::string& id,
                                         Callback<sessionstore::SessionRecord> done) {
  return http_.request(EVHTTP_REQ_DELETE, fmt::format("/sessions/{}", encodePathPart(id)),
                       translate(std::move(done), http_.address(), parseSessionJson));
}

}  // namespace sidecar::cmd
