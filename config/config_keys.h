#pragma once
// The table of configuration keys: every dotted key path, whether it holds a
// single value or a list, and how its text (already ${ENV}-expanded) is parsed
// and range-checked into Config. The loader walks YAML and --set overrides
// against this table; no other file maps key names onto fields. Defaults are
// not here: they are the member initialisers in config.h.

#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/config.h"

namespace sidecar::config {

struct KeySpec {
  std::string_view path;  // "upstream.connect_timeout"
  bool is_list = false;
  // Single-value keys: parses the whole value into config. List keys: parses
  // and appends one item.
  Status (*apply)(Config& config, const std::string& text) = nullptr;
  // List keys only: empties the list, so that a file or --set replaces the
  // default list rather than appending to it.
  void (*clear)(Config& config) = nullptr;
};

std::span<const KeySpec> configKeys();

// nullptr when path names no value (it may still be a section).
const KeySpec* findKey(std::string_view path);

// True for the paths that hold keys ("store", "store.redis", ...).
bool isSection(std::string_view path);

// The known path an unknown one was probably meant to be (a sibling with a
// close spelling, or the same name in another section); empty if none.
std::string suggestKey(std::string_view path);

}  // namespace sidecar::config
