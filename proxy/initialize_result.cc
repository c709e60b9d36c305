#include "proxy/initialize_result.h"

#include <simdjson.h>

namespace sidecar::proxy {

std::string extractResultRaw(std::string_view response_message) {
  // Runs once per session creation, so a local parser is fine here.
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(response_message);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) return {};
  simdjson::ondemand::object message;
  if (doc.get_object().get(message) != simdjson::SUCCESS) return {};
  simdjson::ondemand::object result;
  if (message["result"].get_object().get(result) != simdjson::SUCCESS) return {};
  std::string_view raw;
  if (result.raw_json().get(raw) != simdjson::SUCCESS) return {};
  return std::string(raw);
}

}  // namespace sidecar::proxy
