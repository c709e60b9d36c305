#include "proxy/initialize_result.h"

#include <simdjson.h>

namespace sidecar::proxy {

std::string extractResultRaw(std::string_view response_message) {
  return extractMemberRaw(response_message, "result");
}

std::string extractMemberRaw(std::string_view object_json, std::string_view member) {
  // Runs once per session creation or rehydration: a local parser is fine.
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(object_json);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) return {};
  simdjson::ondemand::object outer;
  if (doc.get_object().get(outer) != simdjson::SUCCESS) return {};
  simdjson::ondemand::value value;
  if (outer.find_field_unordered(member).get(value) != simdjson::SUCCESS) return {};
  simdjson::ondemand::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) return {};
  std::string_view raw;
  if (type == simdjson::ondemand::json_type::object) {
    simdjson::ondemand::object as_object;
    if (value.get_object().get(as_object) != simdjson::SUCCESS ||
        as_object.raw_json().get(raw) != simdjson::SUCCESS) {
      return {};
    }
  } else if (type == simdjson::ondemand::json_type::array) {
    simdjson::ondemand::array as_array;
    if (value.get_array().get(as_array) != simdjson::SUCCESS ||
        as_array.raw_json().get(raw) != simdjson::SUCCESS) {
      return {};
    }
  } else {
    raw = value.raw_json_token();
  }
  return std::string(raw);
}

}  // namespace sidecar::proxy
