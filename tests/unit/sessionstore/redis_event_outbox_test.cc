// RedisEventOutbox against a scripted fake sender: batching per turn, one
// batch in flight per log, resends with the same number, the outage bound,
// and reads that wait for earlier appends.

#include <catch2/catch.hpp>

#include <deque>
#include <string>

#include "common/c_handles.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "log_capture.h"
#include "sessionstore/redis_event_outbox.h"

using namespace sidecar;
using namespace sidecar::sessionstore;
using sidecar::sessionstore::test::LogCapture;

namespace {

struct Sent {
  std::string log;
  OutboxBatch batch;
  RedisEventOutbox::BatchDone done;
};

class OutboxFixture {
 public:
  explicit OutboxFixture(size_t buffer_events = 100)
      : base_(event_base_new()),
        logger_(LogLevel::kDebug, LogFormat::kText, log_.file()),
        outbox_(
            *base_, logger_, metrics_, OutboxLimits{buffer_events, 3, 1 << 20},
            [this] { return ready; },
            [this](const std::string& log, const OutboxBatch& batch,
                   RedisEventOutbox::BatchDone done) {
              sent.push_back(Sent{log, batch, std::move(done)});
            }) {}

  void turn() { event_base_loop(base_.get(), EVLOOP_ONCE | EVLOOP_NONBLOCK); }
  void append(const std::string& log, std::initializer_list<const char*> messages) {
    std::vector<EventRecord> events;
    for (const char* m : messages) {
      EventRecord e;
      e.message = m;
      events.push_back(std::move(e));
    }
    outbox_.append(log, std::move(events));
  }
  // Answers the oldest unanswered send.
  Sent answer(BatchOutcome outcome) {
    Sent s = std::move(sent.front());
    sent.pop_front();
    s.done(outcome);
    return s;
  }
  static std::vector<std::string> messages(const OutboxBatch& b) {
    std::vector<std::string> out;
    for (const auto& e : b.events) out.push_back(e.message);
    return out;
  }
  uint64_t dropped(std::string_view reason) {
    return metrics_
        .counter("sidecar_store_events_dropped_total", "", "reason=\"" + std::string(reason) + "\"")
        .value();
  }
  int64_t buffered() { return metrics_.gauge("sidecar_store_buffered_events", "").value(); }

  bool ready = true;
  std::deque<Sent> sent;
  LogCapture& log() { return log_; }
  RedisEventOutbox& outbox() { return outbox_; }

 private:
  EventBasePtr base_;
  LogCapture log_;
  Logger logger_;
  MetricsRegistry metrics_;
  RedisEventOutbox outbox_;
};

}  // namespace

TEST_CASE("outbox: one batch per log per turn, at most one in flight, in order") {
  OutboxFixture f;
  f.append("s-1", {"a", "b"});
  f.append("s-2", {"x"});
  f.append("s-1", {"c"});
  CHECK(f.sent.empty());  // nothing leaves inside the call
  f.turn();
  REQUIRE(f.sent.size() == 2);
  CHECK(f.sent[0].log == "s-1");
  CHECK(OutboxFixture::messages(f.sent[0].batch) == std::vector<std::string>{"a", "b", "c"});
  CHECK(f.sent[1].log == "s-2");

  f.append("s-1", {"d", "e", "f", "g"});  // s-1 has a batch in flight: these wait
  f.turn();
  CHECK(f.sent.size() == 2);
  CHECK(f.buffered() == 8);
  f.answer(BatchOutcome::kApplied);  // s-1's first batch: the next one leaves (max 3)
  REQUIRE(f.sent.size() == 2);
  CHECK(OutboxFixture::messages(f.sent[1].batch) == std::vector<std::string>{"d", "e", "f"});
  CHECK(f.sent[1].batch.number > f.sent[0].batch.number);
  f.answer(BatchOutcome::kApplied);  // s-2
  f.answer(BatchOutcome::kApplied);  // s-1 d,e,f
  REQUIRE(f.sent.size() == 1);
  CHECK(OutboxFixture::messages(f.sent[0].batch) == std::vector<std::string>{"g"});
  f.answer(BatchOutcome::kApplied);
  CHECK(f.buffered() == 0);
  CHECK(f.outbox().heldEvents() == 0);
}

TEST_CASE("outbox: an unknown outcome is resent unchanged, before anything newer") {
  OutboxFixture f;
  f.append("s-1", {"a", "b"});
  f.turn();
  const uint64_t number = f.sent.front().batch.number;
  f.ready = false;
  f.answer(BatchOutcome::kRetry);
  f.append("s-1", {"c"});
  f.turn();
  CHECK(f.sent.empty());  // nothing is sent while Redis is unreachable
  f.ready = true;
  f.outbox().onReady();
  REQUIRE(f.sent.size() == 1);
  CHECK(f.sent[0].batch.number == number);  // the script skips it if it ran already
  CHECK(OutboxFixture::messages(f.sent[0].batch) == std::vector<std::string>{"a", "b"});
  f.answer(BatchOutcome::kApplied);
  REQUIRE(f.sent.size() == 1);
  CHECK(OutboxFixture::messages(f.sent[0].batch) == std::vector<std::string>{"c"});
}

TEST_CASE("outbox: the outage bound drops what does not fit, counted and logged once") {
  OutboxFixture f(5);
  f.ready = false;
  f.append("s-1", {"1", "2", "3"});
  f.append("s-2", {"4", "5", "6", "7"});  // two fit
  f.append("", {"8"});
  CHECK(f.outbox().heldEvents() == 5);
  CHECK(f.buffered() == 5);
  CHECK(f.dropped("buffer_full") == 3);
  const std::string text = f.log().text();
  CHECK(text.find("reason=buffer_full") != std::string::npos);
  CHECK(text.find("reason=buffer_full") == text.rfind("reason=buffer_full"));

  f.ready = true;
  f.outbox().onReady();
  REQUIRE(f.sent.size() == 2);
  f.answer(BatchOutcome::kApplied);
  f.answer(BatchOutcome::kApplied);
  f.ready = false;  // a second outage logs again
  f.append("s-1", {"a", "b", "c", "d", "e", "f"});
  CHECK(f.dropped("buffer_full") == 4);
  const std::string again = f.log().text();
  CHECK(again.find("reason=buffer_full") != again.rfind("reason=buffer_full"));
}

TEST_CASE("outbox: refused batches are counted, never silent") {
  OutboxFixture f;
  f.append("gone", {"a", "b"});
  f.append("bad", {"c"});
  f.turn();
  f.answer(BatchOutcome::kUnknownSession);
  f.answer(BatchOutcome::kFailed);
  CHECK(f.dropped("unknown_session") == 2);
  CHECK(f.dropped("redis_error") == 1);
  CHECK(f.log().contains("reason=unknown_session"));
  CHECK(f.log().contains("reason=redis_error"));
  CHECK(f.outbox().heldEvents() == 0);
}

TEST_CASE("outbox: reads wait for earlier appends only, and an outage releases them") {
  OutboxFixture f;
  bool read_idle = false;
  f.outbox().whenSettled("s-1", [&] { read_idle = true; });
  CHECK(read_idle);  // nothing pending: runs at once

  f.append("s-1", {"a"});
  bool read_after_a = false;
  bool all_settled = false;
  f.outbox().whenSettled("s-1", [&] { read_after_a = true; });
  f.outbox().whenAllSettled([&] { all_settled = true; });
  REQUIRE(f.sent.size() == 1);  // the read pushed the batch out without waiting a turn
  f.append("s-1", {"b"});       // appended after the read: not waited for
  f.answer(BatchOutcome::kApplied);
  CHECK(read_after_a);
  CHECK(all_settled);

  bool released = false;
  f.turn();  // "b" leaves
  f.outbox().whenSettled("s-1", [&] { released = true; });
  CHECK_FALSE(released);
  f.ready = false;
  f.outbox().onLost();
  CHECK(released);  // the read goes ahead and fails fast instead of waiting on Redis
}
