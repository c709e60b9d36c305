#include "proxy/rehydration.h"
#include "common/timeval.h"

#include <fmt/format.h>

#include "proxy/initialize_result.h"
#include "proxy/session_id.h"

namespace sidecar::proxy {
namespace {

using sessionstore::Direction;
using sessionstore::SessionState;

constexpr size_t kLogPage = 1000;

std::string jsonString(std::string_view text) {
  std::string out = "\"";
  appendJsonEscaped(out, text);
  out += '"';
  return out;
}

}  // namespace

bool isSessionShapingMethod(std::string_view method) noexcept {
  return method == "logging/setLevel" || method == "resources/subscribe" ||
         method == "resources/unsubscribe";
}

Rehydration::Rehydration(const RehydrationDeps& deps, sessionstore::SessionRecord record,
                         HeaderList headers, uint64_t number, Done done)
    : deps_(deps),
      record_(std::move(record)),
      headers_(std::move(headers)),
      number_(number),
      done_(std::move(done)),
      ctx_(fmt::format("rehydrate-{}", number)),
      stream_id_(fmt::format("rehydration-{}", number)) {}

std::string Rehydration::syntheticId(const char* step) {
  return jsonString(fmt::format("mcp-sidecar:rehydrate:{}:{}:{}", number_, ++steps_, step));
}

void Rehydration::start() {
  deadline_.reset(evtimer_new(&deps_.base, &Rehydration::onDeadlineCb, this));
  const timeval tv = toTimeval(deps_.timeout.count());
  evtimer_add(deadline_.get(), &tv);
  started_us_ = deps_.clock.monotonicUs();
  deps_.log.info(ctx_, "rehydration_started", {{"session", record_.id}});

  const std::string id = syntheticId("initialize");
  const std::string body =
      fmt::format(R"({{"jsonrpc":"2.0","id":{},"method":"initialize","params":{}}})", id,
                  record_.client_params.empty() ? "{}" : record_.client_params);
  send(body, id, false, [this](Result<UpstreamReply> reply) { onInitializeAnswered(std::move(reply)); });
  // The replay list does not depend on the upstream: read it meanwhile.
  loadReplayLog(0);
}

void Rehydration::onInitializeAnswered(Result<UpstreamReply> reply) {
  initialize_us_ = upstream_us_;  // the first upstream call
  if (!reply.ok()) return fail(reply.error());
  const UpstreamReply& r = reply.value();
  if (r.status < 200 || r.status >= 300) {
    return fail(makeError(ErrorCode::kUnavailable, fmt::format("initialize answered {}", r.status)));
  }
  if (!isValidSessionId(r.session_id)) {
    return fail(makeError(ErrorCode::kConflict, "the upstream minted no usable session id"));
  }
  upstream_session_id_ = r.session_id;
  const JsonRpcMessage* result = nullptr;
  for (const auto& m : r.messages) {
    recordSynthetic(Direction::kServerToClient, m.raw);
    if (m.kind == MessageKind::kResultResponse) result = &m;
  }
  if (result == nullptr) return fail(makeError(ErrorCode::kConflict, "initialize failed upstream"));
  if (result->protocol_version != record_.protocol_version) {
    return fail(makeError(ErrorCode::kConflict,
                          fmt::format("the upstream negotiated {} instead of {}",
                                      result->protocol_version, record_.protocol_version)));
  }
  const std::string now_caps = extractMemberRaw(extractResultRaw(result->raw), "capabilities");
  const std::string then_caps = extractMemberRaw(record_.server_result, "capabilities");
  if (now_caps != then_caps) {
    return fail(makeError(ErrorCode::kConflict, "the upstream now declares different capabilities"));
  }
  if (record_.state == SessionState::kActive) {
    sendInitialized();
  } else {
    handshake_done_ = true;
    replayWhenReady();
  }
}

void Rehydration::sendInitialized() {
  send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", {}, true,
       [this](Result<UpstreamReply> reply) {
         if (!reply.ok()) return fail(reply.error());
         if (reply.value().status < 200 || reply.value().status >= 300) {
           return fail(makeError(ErrorCode::kUnavailable,
                                 fmt::format("initialized answered {}", reply.value().status)));
         }
         handshake_done_ = true;
         replayWhenReady();
       });
}

void Rehydration::loadReplayLog(uint64_t after_seq) {
  store_call_ = deps_.store.readEvents(
      record_.id, after_seq, kLogPage,
      [this](Result<sessionstore::EventPage> page) { onLogPage(std::move(page)); });
}

void Rehydration::onLogPage(Result<sessionstore::EventPage> page) {
  if (!page.ok()) {
    return fail(makeError(ErrorCode::kInternal, "session store: " + page.error().message));
  }
  JsonRpcParser parser;
  for (const auto& event : page.value().events) {
    if (event.synthetic || event.direction != Direction::kClientToServer) continue;
    auto parsed = parser.parse(event.message);
    if (!parsed.ok()) continue;
    for (const auto& m : parsed.value().messages) {
      if (m.kind == MessageKind::kRequest && isSessionShapingMethod(m.method)) {
        replays_.push_back({m.method, extractMemberRaw(m.raw, "params")});
      }
    }
  }
  if (page.value().events.size() == kLogPage) return loadReplayLog(page.value().next_after_seq);
  log_loaded_ = true;
  replayWhenReady();
}

void Rehydration::replayWhenReady() {
  if (log_loaded_ && handshake_done_ && next_replay_ == 0) replayNext();
}

void Rehydration::replayNext() {
  if (next_replay_ == replays_.size()) return succeed();
  const Replay& replay = replays_[next_replay_++];
  const std::string id = syntheticId("replay");
  std::string body = fmt::format(R"({{"jsonrpc":"2.0","id":{},"method":{})", id, jsonString(replay.method));
  if (!replay.params_raw.empty()) body += ",\"params\":" + replay.params_raw;
  body += '}';
  send(body, id, true, [this](Result<UpstreamReply> reply) {
    if (!reply.ok()) return fail(reply.error());
    for (const auto& m : reply.value().messages) recordSynthetic(Direction::kServerToClient, m.raw);
    replayNext();
  });
}

void Rehydration::send(const std::string& body, std::string expect_id, bool with_session,
                       UpstreamCall::Done done) {
  recordSynthetic(Direction::kClientToServer, body);
  HeaderList headers = headers_;
  headers.emplace_back("Content-Type", "application/json");
  headers.emplace_back("Accept", "application/json, text/event-stream");
  if (with_session) {
    headers.emplace_back("Mcp-Session-Id", upstream_session_id_);
    headers.emplace_back("MCP-Protocol-Version", record_.protocol_version);
  }
  auto timed = [this, sent_us = deps_.clock.monotonicUs(),
                done = std::move(done)](Result<UpstreamReply> reply) {
    upstream_us_ += deps_.clock.monotonicUs() - sent_us;
    done(std::move(reply));
  };
  call_ = std::make_unique<UpstreamCall>(deps_.pool, deps_.deferred, EVHTTP_REQ_POST,
                                         std::move(headers), body, std::move(expect_id),
                                         std::move(timed));
  call_->start();
}

void Rehydration::recordSynthetic(Direction direction, std::string raw) {
  sessionstore::EventRecord event;
  event.direction = direction;
  event.stream_id = stream_id_;
  event.stream_seq = ++stream_seq_;
  event.unix_ms = deps_.clock.nowUnixMs();
  event.message = std::move(raw);
  event.synthetic = true;
  std::vector<sessionstore::EventRecord> batch;
  batch.push_back(std::move(event));
  deps_.store.appendEvents(record_.id, std::move(batch));
}

void Rehydration::succeed() {
  if (finished_) return;
  finished_ = true;
  deadline_.reset();
  // duration - initialize is what the sidecar adds to the upstream's own
  // initialize (docs/performance.md, rehydration target).
  const int64_t duration_us = deps_.clock.monotonicUs() - started_us_;
  deps_.log.info(ctx_, "rehydration_done",
                 {{"session", record_.id},
                  {"replayed", replays_.size()},
                  {"duration_us", duration_us},
                  {"upstream_us", upstream_us_},
                  {"initialize_us", initialize_us_}});
  done_(upstream_session_id_);
}

void Rehydration::fail(Error error) {
  if (finished_) return;
  // An oversized upstream answer is the upstream's fault, not a busy node.
  if (error.code == ErrorCode::kResourceExhausted) error.code = ErrorCode::kUnavailable;
  finished_ = true;
  deadline_.reset();
  call_.reset();
  store_call_.cancel();
  deps_.log.warn(ctx_, "rehydration_failed",
                 {{"session", record_.id}, {"code", errorCodeName(error.code)}, {"error", error.message}});
  done_(std::move(error));
}

void Rehydration::onDeadlineCb(evutil_socket_t, short, void* arg) noexcept {
  static_cast<Rehydration*>(arg)->fail(makeError(ErrorCode::kTimeout, "rehydration deadline passed"));
}

}  // namespace sidecar::proxy
