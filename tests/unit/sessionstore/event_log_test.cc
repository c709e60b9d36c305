#include <catch2/catch.hpp>

#include <vector>

#include "sessionstore/event_log.h"

using sidecar::sessionstore::EventLog;
using sidecar::sessionstore::EventPage;
using sidecar::sessionstore::EventRecord;

namespace {
std::vector<uint64_t> seqsOf(const EventPage& page) {
  std::vector<uint64_t> seqs;
  for (const auto& e : page.events) seqs.push_back(e.seq);
  return seqs;
}
}  // namespace

TEST_CASE("a full event log drops the oldest and keeps numbering") {
  EventLog log(3);
  size_t dropped = 0;
  for (int i = 0; i < 5; ++i) dropped += log.append(EventRecord{}, 100);
  CHECK(dropped == 2);
  CHECK(log.size() == 3);
  CHECK(log.lastSeq() == 5);
  CHECK(seqsOf(log.read(0, 10)) == std::vector<uint64_t>{3, 4, 5});
  CHECK(seqsOf(log.read(3, 10)) == std::vector<uint64_t>{4, 5});
  CHECK(seqsOf(log.read(4, 1)) == std::vector<uint64_t>{5});
  CHECK(log.read(5, 10).next_after_seq == 5);
  CHECK(log.read(99, 10).events.empty());
  CHECK(log.read(99, 10).next_after_seq == 99);
}

TEST_CASE("the store stamps unix_ms only when the caller left it 0") {
  EventLog log(10);
  EventRecord given;
  given.unix_ms = 7;
  (void)log.append(EventRecord{}, 100);
  (void)log.append(given, 100);
  const auto page = log.read(0, 10);
  REQUIRE(page.events.size() == 2);
  CHECK(page.events[0].unix_ms == 100);
  CHECK(page.events[1].unix_ms == 7);
}

TEST_CASE("an event log bounded at zero keeps nothing but counts every drop") {
  EventLog log(0);
  CHECK(log.append(EventRecord{}, 1) == 1);
  CHECK(log.size() == 0);
  CHECK(log.lastSeq() == 1);
  CHECK(log.read(0, 10).events.empty());
}
