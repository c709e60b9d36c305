#pragma once
// Checks that involve more than one key: listeners that would collide and an
// upstream that is the sidecar itself. Pure; the loader runs it once every
// value has parsed and places each conflict at the key that was set last.

#include <string>
#include <vector>

#include "config/config.h"

namespace sidecar::config {

struct KeyConflict {
  std::string first_key;   // "listen"
  std::string second_key;  // "admin.listen": reported here if it was set
  std::string message;
};

std::vector<KeyConflict> findKeyConflicts(const Config& config);

}  // namespace sidecar::config
