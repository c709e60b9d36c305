#pragma once
// LoadGenerator: drives real MCP sessions against one endpoint.
//
//   setup (initialize + notifications/initialized per session)
//     -> warm-up (tools/call, not recorded) -> measure (tools/call, recorded)
//     -> drain (in-flight requests finish) -> teardown (DELETE each session)
//
// Every connection carries one request at a time; tools/call requests go
// round-robin over the sessions. Latency runs from the request's write to the
// last byte of its response (SSE streams are read to their end). CPU time of
// the processes named on the command line is sampled at the start and end of
// the measured phase. Owns its connections; single event-loop thread.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/latency_histogram.h"
#include "bench/load_connection.h"
#include "bench/load_options.h"
#include "common/c_handles.h"

namespace sidecar::bench {

class LoadGenerator final : public ConnectionListener {
 public:
  LoadGenerator(event_base& base, const LoadOptions& options);
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;
  ~LoadGenerator() override;

  // Runs the event loop through every phase; prints the RESULT line.
  // Returns the process exit code.
  int run();

  void onResponse(LoadConnection& conn, const HttpResponseParser& response) override;
  void onFailure(LoadConnection& conn, const char* why) override;

 private:
  enum class Phase { kSetup, kWarmup, kMeasure, kDrain, kTeardown, kDone };
  enum class SessionState { kNew, kInitializing, kNotifying, kReady, kDeleting, kDeleted };
  struct Session {
    std::string id;
    SessionState state = SessionState::kNew;
  };
  struct CpuSample {
    std::optional<uint64_t> proxy, upstream, store;
    uint64_t self = 0;
  };

  void dispatch(LoadConnection& conn);
  void sendSetupStep(LoadConnection& conn, Session& session);
  void sendToolsCall(LoadConnection& conn);
  void onSetupResponse(LoadConnection& conn, const HttpResponseParser& response);
  void onMeasuredResponse(LoadConnection& conn, const HttpResponseParser& response);
  void startTraffic();
  void startMeasure();
  void startDrain();
  void maybeFinishDrain();
  void finish();
  void abort(std::string why);
  bool anyBusy() const;
  CpuSample sampleCpu() const;
  void appendPost(std::string_view session_id, std::string_view body);
  void printResult() const;

  static void onPhaseTimerCb(evutil_socket_t, short, void* arg) noexcept;
  static void onDeadlineCb(evutil_socket_t, short, void* arg) noexcept;

  event_base& base_;
  const LoadOptions& opt_;
  std::vector<std::unique_ptr<LoadConnection>> conns_;
  std::vector<Session> sessions_;
  EventPtr phase_timer_;
  EventPtr deadline_;
  Phase phase_ = Phase::kSetup;
  std::string aborted_;  // why the run stopped early, if it did

  size_t next_setup_ = 0;
  size_t ready_ = 0;
  size_t next_session_ = 0;
  size_t next_delete_ = 0;
  uint64_t next_id_ = 1;
  uint64_t consecutive_failures_ = 0;
  std::string request_;  // reused request buffer
  std::string body_;

  std::unique_ptr<LatencyHistogram> hist_;
  uint64_t measure_start_ns_ = 0;
  uint64_t last_completion_ns_ = 0;
  uint64_t issued_measured_ = 0;
  uint64_t completed_ = 0;
  uint64_t non2xx_ = 0;
  uint64_t errors_ = 0;
  uint64_t bad_body_ = 0;
  uint64_t body_bytes_ = 0;
  uint64_t deleted_ok_ = 0;
  std::map<std::string, uint64_t> error_kinds_;
  CpuSample cpu_start_, cpu_end_;
};

}  // namespace sidecar::bench
