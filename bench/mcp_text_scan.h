#pragma once
// Quick string scans that pull a top-level JSON-RPC member out of a request
// body without a JSON parser. Good enough for the benchmark upstream, which
// only ever sees bench_load's (and the proxies' verbatim copies of its)
// single-message bodies: it takes the FIRST occurrence of the key anywhere
// in the text, does not unescape strings and does not handle batches. A real
// server must parse the JSON (the sidecar uses simdjson).

#include <string_view>

namespace sidecar::bench {

// Position just after `"key"` and the following colon, or npos.
inline size_t afterKey(std::string_view json, std::string_view key) noexcept {
  size_t pos = 0;
  while ((pos = json.find(key, pos)) != std::string_view::npos) {
    const size_t end = pos + key.size();
    if (pos > 0 && json[pos - 1] == '"' && end < json.size() && json[end] == '"') {
      size_t p = end + 1;
      while (p < json.size() && (json[p] == ' ' || json[p] == '\t' || json[p] == '\n' || json[p] == '\r')) ++p;
      if (p < json.size() && json[p] == ':') {
        ++p;
        while (p < json.size() && (json[p] == ' ' || json[p] == '\t' || json[p] == '\n' || json[p] == '\r')) ++p;
        return p;
      }
    }
    pos = end;
  }
  return std::string_view::npos;
}

// The string value of `"key": "value"` (unescaped characters only), or "".
inline std::string_view stringMember(std::string_view json, std::string_view key) noexcept {
  const size_t p = afterKey(json, key);
  if (p == std::string_view::npos || json[p] != '"') return {};
  const size_t close = json.find('"', p + 1);
  if (close == std::string_view::npos) return {};
  return json.substr(p + 1, close - p - 1);
}

// The raw text of a scalar member (number, string with quotes, null), or "".
inline std::string_view scalarMember(std::string_view json, std::string_view key) noexcept {
  const size_t p = afterKey(json, key);
  if (p == std::string_view::npos) return {};
  if (json[p] == '"') {
    const size_t close = json.find('"', p + 1);
    return close == std::string_view::npos ? std::string_view{} : json.substr(p, close - p + 1);
  }
  size_t end = p;
  while (end < json.size() && json[end] != ',' && json[end] != '}' && json[end] != ']' &&
         json[end] != ' ' && json[end] != '\n' && json[end] != '\r' && json[end] != '\t') {
    ++end;
  }
  return json.substr(p, end - p);
}

}  // namespace sidecar::bench
