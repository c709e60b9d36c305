#include "proxy/admin_server.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

#include <event2/keyvalq_struct.h>
#include <fmt/format.h>

#include "proxy/mcp_listener.h"
#include "proxy/session_json.h"

namespace sidecar::proxy {
namespace {

constexpr size_t kDefaultEventPage = 1000;
constexpr size_t kMaxEventPage = 10000;

uint64_t queryNumber(const evkeyvalq& query, const char* name, uint64_t fallback) {
  const char* v = evhttp_find_header(&query, name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(v, &end, 10);
  return (end && *end == '\0') ? n : fallback;
}

std::string decodePathPart(std::string_view part) {
  size_t len = 0;
  char* decoded = evhttp_uridecode(std::string(part).c_str(), 0, &len);
  if (decoded == nullptr) return {};
  std::string out(decoded, len);
  std::free(decoded);
  return out;
}

}  // namespace

AdminServer::AdminServer(event_base& base, const config::Config& cfg,
                         sessionstore::SessionStore& store, MetricsRegistry& metrics, Logger& log,
                         ReadinessFn readiness)
    : cfg_(cfg),
      store_(store),
      metrics_(metrics),
      log_(log),
      readiness_(std::move(readiness)),
      http_(evhttp_new(&base)) {
  if (!http_) std::abort();
  evhttp_set_allowed_methods(http_.get(), EVHTTP_REQ_GET | EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD);
  evhttp_set_default_content_type(http_.get(), nullptr);
  evhttp_set_timeout(http_.get(), 30);
  evhttp_set_gencb(http_.get(), &AdminServer::onRequestCb, this);
}

Status AdminServer::bind() {
  auto port = bindHttp(*http_, cfg_.admin.listen, nullptr);
  if (!port.ok()) return port.error();
  bound_port_ = port.value();
  log_.info("admin", "admin_listening",
            {{"addr", fmt::format("{}:{}", cfg_.admin.listen.host, bound_port_)}});
  return Ok{};
}

void AdminServer::onRequestCb(evhttp_request* req, void* arg) noexcept {
  static_cast<AdminServer*>(arg)->onRequest(req);
}

void AdminServer::onRequest(evhttp_request* req) {
  const evhttp_uri* uri = evhttp_request_get_evhttp_uri(req);
  const char* raw_path = uri ? evhttp_uri_get_path(uri) : nullptr;
  const std::string_view path = raw_path ? raw_path : "";
  const evhttp_cmd_type method = evhttp_request_get_command(req);
  const bool deletable = path.rfind("/sessions/", 0) == 0 && path.size() > 10;
  if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD &&
      !(method == EVHTTP_REQ_DELETE && deletable)) {
    evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
                      deletable ? "GET, HEAD, DELETE" : "GET, HEAD");
    return replyError(req, 405, "method not allowed");
  }
  if (path == "/healthz") {
    reply(req, 200, "application/json", "{\"status\":\"alive\"}");
  } else if (path == "/readyz") {
    const Readiness r = readiness_();
    reply(req, r.ready ? 200 : 503, "application/json", r.json);
  } else if (path == "/metrics") {
    reply(req, 200, "text/plain; version=0.0.4", metrics_.renderPrometheus());
  } else if (path == "/sessionless/events") {
    handleEvents(req, {}, true);
  } else if (path == "/sessions" || path.rfind("/sessions/", 0) == 0) {
    handleSessions(req, path.size() > 10 ? path.substr(10) : std::string_view());
  } else {
    replyError(req, 404, "no such admin endpoint");
  }
}

void AdminServer::handleSessions(evhttp_request* req, std::string_view rest) {
  const bool is_delete = evhttp_request_get_command(req) == EVHTTP_REQ_DELETE;
  if (rest.empty()) {
    const uint64_t call = ++next_call_;
    pending_[call] = store_.listSessions([this, req, call](auto listed) {
      if (!listed.ok()) {
        replyError(req, 503, listed.error().message);
      } else {
        reply(req, 200, "application/json", sessionListToJson(listed.value()));
      }
      pending_.erase(call);
    });
    return;
  }
  constexpr std::string_view kEventsSuffix = "/events";
  if (rest.size() > kEventsSuffix.size() &&
      rest.substr(rest.size() - kEventsSuffix.size()) == kEventsSuffix) {
    return handleEvents(req, decodePathPart(rest.substr(0, rest.size() - kEventsSuffix.size())),
                        false);
  }
  const std::string id = decodePathPart(rest);
  const uint64_t call = ++next_call_;
  if (is_delete) {
    pending_[call] = store_.transition(
        id, sessionstore::SessionState::kClosed, [this, req, call, id](auto moved) {
          if (!moved.ok()) {
            const bool missing = moved.error().code == ErrorCode::kNotFound;
            replyError(req, missing ? 404 : 409, moved.error().message);
          } else {
            log_.info("admin", "session_closed_by_operator", {{"session", id}});
            reply(req, 200, "application/json", sessionToJson(moved.value()));
          }
          pending_.erase(call);
        });
    return;
  }
  pending_[call] = store_.getSession(id, [this, req, call](auto found) {
    if (!found.ok()) {
      replyError(req, 503, found.error().message);
    } else if (!found.value().has_value()) {
      replyError(req, 404, "session not found");
    } else {
      reply(req, 200, "application/json", sessionToJson(*found.value()));
    }
    pending_.erase(call);
  });
}

void AdminServer::handleEvents(evhttp_request* req, const std::string& session_id,
                               bool sessionless) {
  evkeyvalq query{};
  query.tqh_first = nullptr;
  query.tqh_last = &query.tqh_first;
  const evhttp_uri* uri = evhttp_request_get_evhttp_uri(req);
  if (const char* q = uri ? evhttp_uri_get_query(uri) : nullptr) evhttp_parse_query_str(q, &query);
  const uint64_t after = queryNumber(query, "after", 0);
  const uint64_t limit = std::min<uint64_t>(queryNumber(query, "limit", kDefaultEventPage), kMaxEventPage);
  evhttp_clear_headers(&query);

  const uint64_t call = ++next_call_;
  auto done = [this, req, call](Result<sessionstore::EventPage> page) {
    if (!page.ok()) {
      const bool missing = page.error().code == ErrorCode::kNotFound;
      replyError(req, missing ? 404 : 503, page.error().message);
    } else {
      reply(req, 200, "application/json", eventPageToJson(page.value()));
    }
    pending_.erase(call);
  };
  pending_[call] = sessionless ? store_.readSessionlessEvents(after, limit, done)
                               : store_.readEvents(session_id, after, limit, done);
}

void AdminServer::reply(evhttp_request* req, int status, std::string_view content_type,
                        std::string_view body) {
  evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                    std::string(content_type).c_str());
  EvBufferPtr buf(evbuffer_new());
  evbuffer_add(buf.get(), body.data(), body.size());
  evhttp_send_reply(req, status, nullptr, buf.get());
}

void AdminServer::replyError(evhttp_request* req, int status, std::string_view message) {
  std::string body = "{\"error\":\"";
  appendJsonEscaped(body, message);
  body += "\"}";
  reply(req, status, "application/json", body);
}

}  // namespace sidecar::proxy
