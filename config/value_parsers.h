#pragma once
// Parsers for the scalar value syntaxes of the configuration: integers,
// durations, sizes and booleans. Pure functions over text that has already
// had ${ENV} expanded; their error messages are written for operators and
// quote the offending text (these values are never secrets).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sidecar::config {

// Durations above this are refused as typos (and so that every consumer can
// convert them to timeval or Redis milliseconds without overflow).
inline constexpr std::chrono::milliseconds kMaxDuration{365LL * 24 * 3'600'000};

// Decimal digits only: no sign, no spaces, no 0x, no exponent.
Result<uint64_t> parseUnsigned(std::string_view text);

// <integer><unit> with unit ms, s, m or h ("500ms", "30s", "24h"); a bare
// integer means seconds. At most kMaxDuration.
Result<std::chrono::milliseconds> parseDuration(std::string_view text);

// <integer>[unit] in bytes. Units: KiB, MiB, GiB (powers of 1024) and KB, MB,
// GB (powers of 1000), case-sensitive, no space before the unit.
Result<uint64_t> parseSize(std::string_view text);

// true/True/TRUE or false/False/FALSE (the YAML 1.2 core schema).
Result<bool> parseBool(std::string_view text);

// "2 MiB", "1500 bytes": for messages about size limits.
std::string formatSize(uint64_t bytes);

// The text in double quotes for a message, cut to a readable length and with
// control characters escaped, so a message is always one printable line.
std::string quoteForMessage(std::string_view text);

}  // namespace sidecar::config
