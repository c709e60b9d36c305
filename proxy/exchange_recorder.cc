#include "proxy/exchange_recorder.h"

namespace sidecar::proxy {

void ExchangeRecorder::bindSession(std::string session_id) {
  session_id_ = std::move(session_id);
  binding_ = Binding::kSession;
  flush();
}

void ExchangeRecorder::bindSessionless() {
  binding_ = Binding::kSessionless;
  flush();
}

uint64_t ExchangeRecorder::record(sessionstore::Direction direction, std::string raw_message,
                                  std::string upstream_event_id) {
  sessionstore::EventRecord event;
  event.direction = direction;
  event.stream_id = stream_id_;
  event.stream_seq = ++stream_seq_;
  event.upstream_event_id = std::move(upstream_event_id);
  event.unix_ms = clock_.nowUnixMs();
  event.message = std::move(raw_message);
  batch_.push_back(std::move(event));
  return stream_seq_;
}

void ExchangeRecorder::flush() {
  if (batch_.empty()) return;
  switch (binding_) {
    case Binding::kUnbound:
      return;
    case Binding::kSession:
      store_.appendEvents(session_id_, std::move(batch_));
      break;
    case Binding::kSessionless:
      store_.appendSessionlessEvents(std::move(batch_));
      break;
  }
  batch_.clear();
}

}  // namespace sidecar::proxy
