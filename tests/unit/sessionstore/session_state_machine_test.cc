#include <catch2/catch.hpp>

#include <set>
#include <utility>

#include "sessionstore/session_state_machine.h"

using sidecar::sessionstore::isLegalTransition;
using sidecar::sessionstore::SessionState;
using sidecar::sessionstore::sessionStateName;

TEST_CASE("the transition table is exactly the diagram") {
  using S = SessionState;
  // The arrows of the diagram in session_state_machine.h, and nothing else.
  const std::set<std::pair<S, S>> legal = {
      {S::kInitializing, S::kInitialized}, {S::kInitialized, S::kActive},
      {S::kInitializing, S::kClosed},      {S::kInitialized, S::kClosed},
      {S::kActive, S::kClosed},
  };
  const S all[] = {S::kInitializing, S::kInitialized, S::kActive, S::kClosed};
  for (S from : all) {
    for (S to : all) {
      INFO(sessionStateName(from) << " -> " << sessionStateName(to));
      CHECK(isLegalTransition(from, to) == (legal.count({from, to}) == 1));
    }
  }
}

TEST_CASE("the table is usable at compile time") {
  static_assert(isLegalTransition(SessionState::kInitializing, SessionState::kInitialized));
  static_assert(!isLegalTransition(SessionState::kClosed, SessionState::kClosed));
  SUCCEED();
}
