#include "bench/load_generator.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "bench/proc_cpu.h"

namespace sidecar::bench {
namespace {

constexpr std::string_view kInitialize =
    R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
    R"("capabilities":{},"clientInfo":{"name":"bench_load","version":"1.0.0"}}})";
constexpr std::string_view kInitialized = R"({"jsonrpc":"2.0","method":"notifications/initialized"})";
// A run that fails this many times in a row is not measuring anything.
constexpr uint64_t kMaxConsecutiveFailures = 1000;

bool isSuccess(int status) { return status >= 200 && status < 300; }

timeval toTimeval(double seconds) {
  const auto us = static_cast<int64_t>(seconds * 1e6);
  return timeval{static_cast<time_t>(us / 1'000'000), static_cast<suseconds_t>(us % 1'000'000)};
}

void appendNumber(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  (void)ec;
  out.append(buf, end);
}

std::string perRequest(const std::optional<uint64_t>& a, const std::optional<uint64_t>& b,
                       uint64_t requests) {
  if (!a || !b || requests == 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", double(*b - *a) / double(requests));
  return buf;
}

}  // namespace

LoadGenerator::LoadGenerator(event_base& base, const LoadOptions& options)
    : base_(base),
      opt_(options),
      sessions_(options.sessions),
      phase_timer_(evtimer_new(&base, &LoadGenerator::onPhaseTimerCb, this)),
      deadline_(evtimer_new(&base, &LoadGenerator::onDeadlineCb, this)),
      hist_(std::make_unique<LatencyHistogram>()) {
  if (!phase_timer_ || !deadline_) std::abort();
  for (uint32_t i = 0; i < options.connections; ++i) {
    conns_.push_back(std::make_unique<LoadConnection>(base, options.target, *this, options.timeout_ms));
  }
  request_.reserve(1024);
  body_.reserve(512);
}

LoadGenerator::~LoadGenerator() = default;

int LoadGenerator::run() {
  const timeval cap = toTimeval(opt_.max_run_s);
  event_add(deadline_.get(), &cap);
  for (auto& conn : conns_) dispatch(*conn);
  event_base_dispatch(&base_);
  printResult();
  if (!aborted_.empty()) {
    std::fprintf(stderr, "bench_load[%s]: %s\n", opt_.label.c_str(), aborted_.c_str());
    return 1;
  }
  return completed_ > 0 ? 0 : 1;
}

void LoadGenerator::appendPost(std::string_view session_id, std::string_view body) {
  request_.clear();
  request_.append("POST ").append(opt_.path).append(" HTTP/1.1\r\nHost: ").append(opt_.host_header);
  request_.append("\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n");
  if (!session_id.empty()) {
    request_.append("Mcp-Session-Id: ").append(session_id);
    request_.append("\r\nMcp-Protocol-Version: 2025-06-18\r\n");
  }
  request_.append("Content-Length: ");
  appendNumber(request_, body.size());
  request_.append("\r\n\r\n").append(body);
}

// ---- phases -----------------------------------------------------------------

void LoadGenerator::dispatch(LoadConnection& conn) {
  switch (phase_) {
    case Phase::kSetup:
      if (next_setup_ < sessions_.size()) {
        conn.tag = static_cast<int>(next_setup_);
        sendSetupStep(conn, sessions_[next_setup_++]);
      }
      return;
    case Phase::kWarmup:
    case Phase::kMeasure:
      sendToolsCall(conn);
      return;
    case Phase::kDrain:
      maybeFinishDrain();
      return;
    case Phase::kTeardown:
      while (next_delete_ < sessions_.size()) {
        Session& s = sessions_[next_delete_];
        conn.tag = static_cast<int>(next_delete_++);
        if (s.state != SessionState::kReady) continue;
        s.state = SessionState::kDeleting;
        request_.clear();
        request_.append("DELETE ").append(opt_.path).append(" HTTP/1.1\r\nHost: ").append(opt_.host_header);
        request_.append("\r\nMcp-Session-Id: ").append(s.id);
        request_.append("\r\nMcp-Protocol-Version: 2025-06-18\r\n\r\n");
        conn.send(request_);
        return;
      }
      if (!anyBusy()) finish();
      return;
    case Phase::kDone:
      return;
  }
}

void LoadGenerator::sendSetupStep(LoadConnection& conn, Session& session) {
  if (session.state == SessionState::kNew) {
    session.state = SessionState::kInitializing;
    appendPost({}, kInitialize);
  } else {
    session.state = SessionState::kNotifying;
    appendPost(session.id, kInitialized);
  }
  conn.send(request_);
}

void LoadGenerator::sendToolsCall(LoadConnection& conn) {
  if (phase_ == Phase::kMeasure) {
    if (opt_.requests > 0 && issued_measured_ >= opt_.requests) {
      startDrain();
      return;
    }
    ++issued_measured_;
  }
  const size_t index = next_session_++ % sessions_.size();
  conn.tag = static_cast<int>(index);
  const uint64_t id = next_id_++;
  body_.clear();
  body_.append(R"({"jsonrpc":"2.0","id":)");
  appendNumber(body_, id);
  body_.append(R"(,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"},)");
  body_.append(R"("_meta":{"progressToken":)");
  appendNumber(body_, id);
  body_.append("}}}");
  appendPost(sessions_[index].id, body_);
  conn.send(request_);
}

void LoadGenerator::startTraffic() {
  phase_ = Phase::kWarmup;
  if (opt_.warmup_s <= 0) {
    startMeasure();
  } else {
    const timeval tv = toTimeval(opt_.warmup_s);
    event_add(phase_timer_.get(), &tv);
  }
  for (auto& conn : conns_) {
    if (!conn->busy()) dispatch(*conn);
  }
}

void LoadGenerator::startMeasure() {
  phase_ = Phase::kMeasure;
  cpu_start_ = sampleCpu();
  measure_start_ns_ = monotonicNs();
  last_completion_ns_ = measure_start_ns_;
  const timeval tv = toTimeval(opt_.duration_s);
  event_add(phase_timer_.get(), &tv);
}

void LoadGenerator::startDrain() {
  if (phase_ != Phase::kMeasure) return;
  phase_ = Phase::kDrain;
  event_del(phase_timer_.get());
  maybeFinishDrain();
}

void LoadGenerator::maybeFinishDrain() {
  if (phase_ != Phase::kDrain || anyBusy()) return;
  cpu_end_ = sampleCpu();
  phase_ = Phase::kTeardown;
  if (!opt_.delete_sessions) {
    finish();
    return;
  }
  for (auto& conn : conns_) dispatch(*conn);
}

void LoadGenerator::finish() {
  phase_ = Phase::kDone;
  event_del(deadline_.get());
  event_base_loopbreak(&base_);
}

void LoadGenerator::abort(std::string why) {
  if (aborted_.empty()) aborted_ = std::move(why);
  if (phase_ == Phase::kMeasure || phase_ == Phase::kDrain) cpu_end_ = sampleCpu();
  finish();
}

bool LoadGenerator::anyBusy() const {
  for (const auto& conn : conns_) {
    if (conn->busy()) return true;
  }
  return false;
}

LoadGenerator::CpuSample LoadGenerator::sampleCpu() const {
  return CpuSample{groupCpuMicros(opt_.proxy_pids), groupCpuMicros(opt_.upstream_pids),
                   groupCpuMicros(opt_.store_pids), selfCpuMicros()};
}

// ---- responses --------------------------------------------------------------

void LoadGenerator::onResponse(LoadConnection& conn, const HttpResponseParser& response) {
  consecutive_failures_ = 0;
  switch (phase_) {
    case Phase::kSetup:
      onSetupResponse(conn, response);
      return;
    case Phase::kWarmup:
    case Phase::kMeasure:
    case Phase::kDrain:
      onMeasuredResponse(conn, response);
      return;
    case Phase::kTeardown:
      if (isSuccess(response.status())) ++deleted_ok_;
      sessions_[static_cast<size_t>(conn.tag)].state = SessionState::kDeleted;
      dispatch(conn);
      return;
    case Phase::kDone:
      return;
  }
}

void LoadGenerator::onSetupResponse(LoadConnection& conn, const HttpResponseParser& response) {
  Session& session = sessions_[static_cast<size_t>(conn.tag)];
  if (!isSuccess(response.status())) {
    abort("setup: HTTP " + std::to_string(response.status()) +
          (session.state == SessionState::kInitializing ? " to initialize" : " to notifications/initialized"));
    return;
  }
  if (session.state == SessionState::kInitializing) {
    if (response.sessionId().empty()) {
      abort("setup: initialize answered without Mcp-Session-Id");
      return;
    }
    session.id = response.sessionId();
    sendSetupStep(conn, session);  // notifications/initialized on the same connection
    return;
  }
  session.state = SessionState::kReady;
  if (++ready_ == sessions_.size()) {
    startTraffic();
    return;
  }
  dispatch(conn);
}

void LoadGenerator::onMeasuredResponse(LoadConnection& conn, const HttpResponseParser& response) {
  const uint64_t now = monotonicNs();
  if (phase_ != Phase::kWarmup && conn.startedNs() >= measure_start_ns_) {
    hist_->record((now - conn.startedNs()) / 1000);
    last_completion_ns_ = now;
    ++completed_;
    body_bytes_ += response.bodyBytes();
    if (!isSuccess(response.status())) {
      ++non2xx_;
    } else {
      const bool sse = response.isEventStream();
      const bool wrong_type = (opt_.expect == Expect::kSse && !sse) || (opt_.expect == Expect::kJson && sse);
      if (wrong_type || response.body().find("\"result\"") == std::string_view::npos) ++bad_body_;
    }
  }
  dispatch(conn);
}

void LoadGenerator::onFailure(LoadConnection& conn, const char* why) {
  if (phase_ == Phase::kSetup) {
    abort(std::string("setup: ") + why);
    return;
  }
  if (phase_ == Phase::kMeasure || phase_ == Phase::kDrain) {
    if (conn.startedNs() >= measure_start_ns_) {
      ++errors_;
      ++error_kinds_[why];
    }
  }
  if (++consecutive_failures_ > kMaxConsecutiveFailures) {
    abort(std::string("too many consecutive failures, last: ") + why);
    return;
  }
  dispatch(conn);
}

void LoadGenerator::onPhaseTimerCb(evutil_socket_t, short, void* arg) noexcept {
  auto* self = static_cast<LoadGenerator*>(arg);
  if (self->phase_ == Phase::kWarmup) {
    self->startMeasure();
  } else {
    self->startDrain();
  }
}

void LoadGenerator::onDeadlineCb(evutil_socket_t, short, void* arg) noexcept {
  static_cast<LoadGenerator*>(arg)->abort("hard time limit (--max-run) reached");
}

// ---- report -----------------------------------------------------------------

void LoadGenerator::printResult() const {
  const uint64_t end_ns = last_completion_ns_ > measure_start_ns_ ? last_completion_ns_ : measure_start_ns_;
  const double seconds = measure_start_ns_ == 0 ? 0.0 : double(end_ns - measure_start_ns_) / 1e9;
  const double rps = seconds > 0 ? double(completed_) / seconds : 0.0;
  std::string kinds;
  for (const auto& [kind, count] : error_kinds_) {
    if (!kinds.empty()) kinds += ',';
    kinds.append(kind).append(":").append(std::to_string(count));
  }
  std::printf(
      "RESULT label=%s ok=%d sessions=%zu connections=%zu requests=%llu seconds=%.3f rps=%.1f "
      "p50_us=%llu p90_us=%llu p99_us=%llu p999_us=%llu max_us=%llu mean_us=%.1f non2xx=%llu "
      "errors=%llu bad_body=%llu body_bytes=%llu deleted=%llu proxy_cpu_us_per_req=%s "
      "upstream_cpu_us_per_req=%s store_cpu_us_per_req=%s loadgen_cpu_us_per_req=%s error_kinds=%s\n",
      opt_.label.c_str(), aborted_.empty() && completed_ > 0 ? 1 : 0, sessions_.size(), conns_.size(),
      static_cast<unsigned long long>(completed_), seconds, rps,
      static_cast<unsigned long long>(hist_->quantile(0.50)),
      static_cast<unsigned long long>(hist_->quantile(0.90)),
      static_cast<unsigned long long>(hist_->quantile(0.99)),
      static_cast<unsigned long long>(hist_->quantile(0.999)),
      static_cast<unsigned long long>(hist_->max()), hist_->mean(),
      static_cast<unsigned long long>(non2xx_), static_cast<unsigned long long>(errors_),
      static_cast<unsigned long long>(bad_body_), static_cast<unsigned long long>(body_bytes_),
      static_cast<unsigned long long>(deleted_ok_),
      perRequest(cpu_start_.proxy, cpu_end_.proxy, completed_).c_str(),
      perRequest(cpu_start_.upstream, cpu_end_.upstream, completed_).c_str(),
      perRequest(cpu_start_.store, cpu_end_.store, completed_).c_str(),
      perRequest(std::optional<uint64_t>(cpu_start_.self), std::optional<uint64_t>(cpu_end_.self),
                 completed_).c_str(),
      kinds.empty() ? "-" : kinds.c_str());
  std::fflush(stdout);
}

}  // namespace sidecar::bench
