#include "proxy/log_tail.h"

#include <event2/event.h>

#include <cstdlib>

#include "common/timeval.h"
#include "proxy/sse_parser.h"
#include "proxy/stream_leases.h"

namespace sidecar::proxy {
namespace {

using sessionstore::Direction;
using sessionstore::EventRecord;

constexpr size_t kPageEvents = 256;

}  // namespace

LogTail::LogTail(sessionstore::SessionStore& store, event_base& base, Logger& log,
                 const Clock& clock, const config::Config& cfg, LogTailTarget target,
                 LogTailSink sink)
    : store_(store),
      log_(log),
      clock_(clock),
      cfg_(cfg.streams),
      cursor_ttl_(cfg.session.idle_ttl),
      target_(std::move(target)),
      sink_(std::move(sink)),
      timer_(event_new(&base, -1, EV_PERSIST, &LogTail::onTimerCb, this)) {}

void LogTail::start() {
  if (target_.from.kind == StreamKind::kStandalone) {
    // First, so that a copy mapped from now on knows to listen.
    renewLeases();
    if (target_.resumed) {
      follow(target_.from.position);
      return;
    }
    read_call_ = store_.readLease(target_.session_id, std::string(stream_leases::kStandaloneCursor),
                                 [this](Result<std::optional<std::string>> cursor) {
                                   // No cursor: no standalone GET delivered anything yet,
                                   // so everything the copies sent is due.
                                   uint64_t after = 0;
                                   if (!cursor.ok()) {
                                     after = target_.log_end;  // better a gap than repeats
                                   } else if (cursor.value().has_value()) {
                                     after = std::strtoull(cursor.value()->c_str(), nullptr, 10);
                                   }
                                   follow(after);
                                 });
    return;
  }
  read_call_ = store_.streamStart(
      target_.session_id, target_.from.stream_id,
      [this](Result<std::optional<uint64_t>> found) {
        if (!found.ok()) {
          sink_.reject(local_errors::storeUnavailable({}, "resume_lookup_failed"));
          return;
        }
        if (!found.value().has_value()) {
          log_.info(target_.ctx, "resume_unknown_stream",
                    {{"session", target_.session_id}, {"stream", target_.from.stream_id}});
          sink_.reject(local_errors::unknownEventId());
          return;
        }
        follow(*found.value());
      });
}

void LogTail::follow(uint64_t after_seq) {
  cursor_ = after_seq;
  // A request stream's reply starts once its first page is read: a stream
  // that is over with nothing after the id gets no reply stream at all.
  if (target_.from.kind == StreamKind::kStandalone) beginOnce();
  watch_ = store_.watchSession(target_.session_id, [this] { pump(); });
  // The timer is the safety net for lost wakes and, for request streams,
  // the lease check; it starts with the first read.
  const auto period = cfg_.lease_ttl / 3;
  const timeval tv = toTimeval(std::max<int64_t>(period.count(), 1));
  event_add(timer_.get(), &tv);
  if (target_.from.kind == StreamKind::kRequest) renewLeases();
  pump();
}

void LogTail::resume() {
  if (!waiting_for_client_ || done_) return;
  waiting_for_client_ = false;
  pump();
}

void LogTail::pump() {
  if (done_) return;
  if (reading_) {
    read_again_ = true;
    return;
  }
  if (sink_.client_full()) {
    waiting_for_client_ = true;
    return;
  }
  reading_ = true;
  read_again_ = false;
  read_call_ = store_.readEvents(target_.session_id, cursor_, kPageEvents,
                                 [this](Result<sessionstore::EventPage> page) { onPage(std::move(page)); });
}

void LogTail::onPage(Result<sessionstore::EventPage> page) {
  reading_ = false;
  if (!page.ok()) {
    // The timer tries again; the client keeps its connection meanwhile.
    log_.warn(target_.ctx, "resume_read_failed", {{"error", page.error().message}});
    return;
  }
  const bool full_page = page.value().events.size() >= kPageEvents;
  for (const EventRecord& event : page.value().events) {
    cursor_ = std::max(cursor_, event.seq);
    consider(event);
    if (done_) return;
  }
  cursor_ = std::max(cursor_, page.value().next_after_seq);
  saveCursor();
  const bool complete = saw_request_ && unanswered_.empty();
  if (target_.from.kind == StreamKind::kRequest && first_page_ && !full_page) {
    first_page_ = false;
    if (complete && sent_ == 0) {
      done_ = true;
      event_del(timer_.get());
      watch_.cancel();
      sink_.nothing_more();
      return;
    }
    beginOnce();
  }
  if (target_.from.kind == StreamKind::kRequest && complete) {
    finish();
    return;
  }
  if (full_page || read_again_) {
    pump();
  } else if (lease_lapsed_) {
    endWithLapsedProducer();
  }
}

void LogTail::consider(const EventRecord& event) {
  if (target_.from.kind == StreamKind::kStandalone) {
    if (event.direction != Direction::kServerToClient || !isListenStream(event.stream_id)) return;
    emit(serializeSseEvent({formatEventId(StreamKind::kStandalone, target_.from.stream_id, event.seq),
                            true, {}, event.message, std::nullopt}));
    return;
  }
  if (event.stream_id != target_.from.stream_id) return;
  last_stream_seq_ = std::max(last_stream_seq_, event.stream_seq);
  auto parsed = json_.parse(event.message);
  if (!parsed.ok()) return;
  for (const auto& message : parsed.value().messages) {
    if (event.direction == Direction::kClientToServer) {
      if (message.kind == MessageKind::kRequest) {
        saw_request_ = true;
        unanswered_.insert(message.id_raw);
      }
    } else if (message.kind == MessageKind::kResultResponse ||
               message.kind == MessageKind::kErrorResponse) {
      unanswered_.erase(message.id_raw);
    }
  }
  if (event.direction != Direction::kServerToClient || event.stream_seq <= target_.from.position) {
    return;
  }
  emit(serializeSseEvent({formatEventId(StreamKind::kRequest, target_.from.stream_id, event.stream_seq),
                          true, {}, event.message, std::nullopt}));
}

void LogTail::beginOnce() {
  if (begun_) return;
  begun_ = true;
  const bool standalone = target_.from.kind == StreamKind::kStandalone;
  sink_.begin(formatEventId(target_.from.kind, target_.from.stream_id,
                            standalone ? cursor_ : target_.from.position));
}

void LogTail::emit(std::string sse_bytes) {
  beginOnce();
  ++sent_;
  sink_.emit(std::move(sse_bytes));
}

void LogTail::saveCursor() {
  if (target_.from.kind != StreamKind::kStandalone || cursor_ == cursor_saved_) return;
  // Fire and forget: lost, it costs a re-delivery of one page at worst.
  cursor_saved_ = cursor_;
  store_.putLease(target_.session_id, std::string(stream_leases::kStandaloneCursor), std::to_string(cursor_),
                  cursor_ttl_);
}

void LogTail::renewLeases() {
  // A request stream's tail keeps its orphaned producer going; a standalone
  // stream keeps every node's copy listening upstream.
  const std::string name = target_.from.kind == StreamKind::kRequest
                               ? stream_leases::tail(target_.from.stream_id)
                               : std::string(stream_leases::kStandalone);
  store_.putLease(target_.session_id, name, target_.ctx, cfg_.lease_ttl);
}

void LogTail::checkLease() {
  if (done_ || target_.from.kind != StreamKind::kRequest) return;
  lease_call_ = store_.readLease(
      target_.session_id, stream_leases::producer(target_.from.stream_id),
      [this](Result<std::optional<std::string>> holder) {
        if (!holder.ok() || holder.value().has_value()) return;
        // No producer any more: read what it left, then end the stream.
        lease_lapsed_ = true;
        if (!reading_) pump();
      });
}

void LogTail::endWithLapsedProducer() {
  log_.warn(target_.ctx, "resume_producer_lost",
            {{"session", target_.session_id},
             {"stream", target_.from.stream_id},
             {"unanswered", static_cast<int64_t>(unanswered_.size())}});
  // The errors go into the stream's log like any message, so a later
  // resumption replays them instead of finding the stream open forever.
  std::vector<sessionstore::EventRecord> records;
  for (const std::string& id : unanswered_) {
    sessionstore::EventRecord record;
    record.direction = Direction::kServerToClient;
    record.stream_id = target_.from.stream_id;
    record.stream_seq = ++last_stream_seq_;
    record.unix_ms = clock_.nowUnixMs();
    record.message = jsonRpcErrorBody(
        id, kJsonRpcServerError, "mcp-sidecar: the node producing this stream stopped before the response");
    emit(serializeSseEvent({formatEventId(StreamKind::kRequest, target_.from.stream_id, record.stream_seq),
                            true, {}, record.message, std::nullopt}));
    records.push_back(std::move(record));
  }
  store_.appendEvents(target_.session_id, std::move(records));
  finish();
}

void LogTail::finish() {
  if (done_) return;
  done_ = true;
  event_del(timer_.get());
  watch_.cancel();
  lease_call_.cancel();
  sink_.end();
}

void LogTail::onTimerCb(evutil_socket_t, short, void* arg) noexcept {
  auto* self = static_cast<LogTail*>(arg);
  if (!self->done_) self->renewLeases();
  self->checkLease();
  self->pump();
}

}  // namespace sidecar::proxy
