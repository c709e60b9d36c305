#include "proxy/jsonrpc_parser.h"

#include <utility>

#include "common/logger.h"

namespace sidecar::proxy {

namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

constexpr std::string_view kJsonWhitespace = " \t\n\r";

// A parser that once saw a huge body would otherwise pin that much memory (the copy buffer plus
// simdjson's indexes, a multiple of the input) for as long as it lives.
constexpr size_t kRetainedBytes = 1024 * 1024;

std::string_view trimRight(std::string_view s) {
  const size_t last = s.find_last_not_of(kJsonWhitespace);
  return last == std::string_view::npos ? std::string_view() : s.substr(0, last + 1);
}

std::string_view trim(std::string_view s) {
  const size_t first = s.find_first_not_of(kJsonWhitespace);
  return first == std::string_view::npos ? std::string_view() : trimRight(s.substr(first));
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? . simdjson only checks a number when
// asked for its value, and converting would reject valid ones (1e400) or lose the exact text.
bool isJsonNumber(std::string_view s) {
  size_t i = 0;
  const auto digits = [&] {
    const size_t start = i;
    while (i < s.size() && isDigit(s[i])) ++i;
    return i - start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

// Numbers and atoms are checked on their token (trailing whitespace already trimmed).
error_code checkTokenScalar(od::json_type type, std::string_view token) {
  switch (type) {
    case od::json_type::number:
      return isJsonNumber(token) ? SUCCESS : simdjson::NUMBER_ERROR;
    case od::json_type::boolean:
      if (token == "true") return SUCCESS;
      return token == "false" ? SUCCESS : simdjson::T_ATOM_ERROR;
    case od::json_type::null:
      return token == "null" ? SUCCESS : simdjson::N_ATOM_ERROR;
    default:
      return simdjson::INCORRECT_TYPE;
  }
}

Error parseError(error_code code) {
  return makeError(ErrorCode::kInvalidArgument,
                   std::string("parse error: ") + simdjson::error_message(code));
}

Error invalidRequest(std::string_view why) {
  return makeError(ErrorCode::kInvalidArgument, "invalid request: " + std::string(why));
}

// What one message object set, gathered in a single pass in document order. Views point into
// the padded buffer or simdjson's string buffer, both valid until the next iterate().
struct MessageScan {
  bool has_jsonrpc = false;
  bool jsonrpc_ok = false;
  bool has_method = false;
  bool method_is_string = false;
  bool has_id = false;
  bool id_type_ok = false;
  bool has_params = false;
  bool params_structured = false;
  bool has_result = false;
  bool has_error = false;
  bool error_is_object = false;
  std::string_view duplicate;  // first repeated significant member
  std::string_view params_span;
  const char* id_token = nullptr;  // where the id's token starts in the input
  std::string_view params_version;
  std::string_view result_version;
};

// Decides the kind from a completed scan; returns why it is not JSON-RPC 2.0, or "".
std::string judge(const MessageScan& scan, JsonRpcMessage& out) {
  if (!scan.duplicate.empty()) return "duplicate \"" + std::string(scan.duplicate) + "\" member";
  if (!scan.has_jsonrpc) return "missing \"jsonrpc\":\"2.0\"";
  if (!scan.jsonrpc_ok) return "\"jsonrpc\" must be \"2.0\"";
  if (scan.has_id && !scan.id_type_ok) return "\"id\" must be a string, a number or null";
  if (scan.has_method) {
    if (!scan.method_is_string) return "\"method\" must be a string";
    if (scan.has_result || scan.has_error) return "a request cannot carry \"result\" or \"error\"";
    if (scan.has_params && !scan.params_structured) {
      return "\"params\" must be an object or an array";
    }
    out.kind = scan.has_id ? MessageKind::kRequest : MessageKind::kNotification;
    if (out.method == "initialize") {
      // Replayed verbatim when a session is rehydrated; other methods' params are not kept.
      out.params_raw = std::string(scan.params_span);
      out.protocol_version = std::string(scan.params_version);
    }
    return {};
  }
  if (scan.has_result && scan.has_error) {
    return "a response cannot carry both \"result\" and \"error\"";
  }
  if (!scan.has_result && !scan.has_error) return "no \"method\", \"result\" or \"error\" member";
  if (!scan.has_id) return "a response must carry \"id\"";
  if (scan.has_error) {
    if (!scan.error_is_object) return "\"error\" must be an object";
    out.kind = MessageKind::kErrorResponse;
    return {};
  }
  out.kind = MessageKind::kResultResponse;
  out.protocol_version = std::string(scan.result_version);
  return {};
}

// Walks one document, validating every value it passes over, and extracts messages.
// Only syntax errors are returned as error codes; semantic problems go to `invalid`.
class Walker {
 public:
  Walker(od::document& doc, std::string_view input, size_t max_depth)
      : doc_(doc), input_(input), max_depth_(max_depth) {}

  // `depth` counts the containers enclosing the value.
  error_code value(od::value& v, size_t depth) {
    od::json_type type;
    if (auto e = v.type().get(type)) return e;
    switch (type) {
      case od::json_type::object: {
        if (depth >= max_depth_) return simdjson::DEPTH_ERROR;
        od::object o;
        if (auto e = v.get_object().get(o)) return e;
        return object(o, depth + 1, nullptr);
      }
      case od::json_type::array: {
        if (depth >= max_depth_) return simdjson::DEPTH_ERROR;
        od::array a;
        if (auto e = v.get_array().get(a)) return e;
        for (auto element : a) {
          od::value child;
          if (auto e = std::move(element).get(child)) return e;
          if (auto e = value(child, depth + 1)) return e;
        }
        return SUCCESS;
      }
      case od::json_type::string: {
        std::string_view s;  // unescaping is what validates escapes
        return v.get_string().get(s);
      }
      default:
        return checkTokenScalar(type, trimRight(v.raw_json_token()));
    }
  }

  // Members of `o` sit at `depth`. With `protocol_version`, a direct string member of that name
  // is captured.
  error_code object(od::object& o, size_t depth, std::string_view* protocol_version) {
    for (auto field_result : o) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return e;
      od::value& v = field.value();
      if (protocol_version != nullptr && key == "protocolVersion") {
        od::json_type type;
        if (auto e = v.type().get(type)) return e;
        if (type == od::json_type::string) {
          if (auto e = v.get_string().get(*protocol_version)) return e;
          continue;
        }
      }
      if (auto e = value(v, depth)) return e;
    }
    return SUCCESS;
  }

  // A message object starting at `start`, its members at `depth`.
  error_code message(od::object& o, const char* start, size_t depth, JsonRpcMessage& out,
                     std::string& invalid) {
    MessageScan scan;
    for (auto field_result : o) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return e;
      if (auto e = member(key, field.value(), depth, scan, out)) return e;
    }
    out.raw = std::string(spanFrom(start));
    if (scan.id_token != nullptr) out.id_offset = static_cast<size_t>(scan.id_token - start);
    invalid = judge(scan, out);
    return SUCCESS;
  }

  // Text from `start` to the end of the value just walked: the iterator now rests on the next
  // token (or past the end), so trim the whitespace in between.
  std::string_view spanFrom(const char* start) {
    const char* end = nullptr;
    if (doc_.current_location().get(end) != SUCCESS) end = input_.data() + input_.size();
    return trimRight(std::string_view(start, static_cast<size_t>(end - start)));
  }

 private:
  error_code member(std::string_view key, od::value& v, size_t depth, MessageScan& scan,
                    JsonRpcMessage& out) {
    bool* seen = nullptr;
    if (key == "jsonrpc") seen = &scan.has_jsonrpc;
    if (key == "method") seen = &scan.has_method;
    if (key == "id") seen = &scan.has_id;
    if (key == "params") seen = &scan.has_params;
    if (key == "result") seen = &scan.has_result;
    if (key == "error") seen = &scan.has_error;
    if (seen == nullptr) return value(v, depth);
    if (*seen && scan.duplicate.empty()) scan.duplicate = key;
    *seen = true;

    od::json_type type;
    if (auto e = v.type().get(type)) return e;
    const bool is_string = type == od::json_type::string;
    const bool is_object = type == od::json_type::object;
    if (key == "jsonrpc" && is_string) {
      std::string_view version;
      if (auto e = v.get_string().get(version)) return e;
      scan.jsonrpc_ok = version == "2.0";
      return SUCCESS;
    }
    if (key == "method" && is_string) {
      std::string_view method;
      if (auto e = v.get_string().get(method)) return e;
      out.method = std::string(method);
      scan.method_is_string = true;
      return SUCCESS;
    }
    if (key == "id" && (is_string || type == od::json_type::number ||
                        type == od::json_type::null)) {
      const std::string_view token = trimRight(v.raw_json_token());
      if (auto e = value(v, depth)) return e;
      out.id_raw = std::string(token);
      scan.id_token = token.data();
      scan.id_type_ok = true;
      return SUCCESS;
    }
    if (key == "params") {
      const char* start = v.raw_json_token().data();
      error_code e = SUCCESS;
      if (is_object) {
        if (depth >= max_depth_) return simdjson::DEPTH_ERROR;
        od::object o;
        if ((e = v.get_object().get(o))) return e;
        e = object(o, depth + 1, &scan.params_version);
      } else {
        e = value(v, depth);
      }
      if (e) return e;
      scan.params_structured = is_object || type == od::json_type::array;
      scan.params_span = spanFrom(start);
      return SUCCESS;
    }
    if (key == "result" && is_object) {
      if (depth >= max_depth_) return simdjson::DEPTH_ERROR;
      od::object o;
      if (auto e = v.get_object().get(o)) return e;
      return object(o, depth + 1, &scan.result_version);
    }
    if (key == "error") scan.error_is_object = is_object;
    return value(v, depth);
  }

  od::document& doc_;
  std::string_view input_;
  size_t max_depth_;
};

}  // namespace

const char* messageKindName(MessageKind kind) noexcept {
  switch (kind) {
    case MessageKind::kRequest: return "request";
    case MessageKind::kNotification: return "notification";
    case MessageKind::kResultResponse: return "result";
    case MessageKind::kErrorResponse: return "error";
  }
  return "unknown";
}

JsonRpcParser::JsonRpcParser(size_t max_depth) : max_depth_(max_depth) {}

Result<ParsedBody> JsonRpcParser::parse(std::string_view body) {
  Result<ParsedBody> result = parseOnce(body);
  if (body.size() > kRetainedBytes) {
    buffer_ = std::string();
    parser_ = od::parser();
  }
  return result;
}

Result<ParsedBody> JsonRpcParser::parseOnce(std::string_view body) {
  // On-demand reads up to SIMDJSON_PADDING bytes past the end; keep them ours and initialised.
  buffer_.clear();
  buffer_.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  buffer_.append(body);
  buffer_.append(simdjson::SIMDJSON_PADDING, '\0');
  const std::string_view input(buffer_.data(), body.size());
  const std::string_view text = trim(input);

  // simdjson's debug builds assert that no container opens at its own max_depth or deeper (it
  // does not report an error); the walker stops at max_depth_, so give simdjson one level more.
  const size_t simdjson_depth = max_depth_ + 1;
  if (parser_.max_depth() != simdjson_depth || parser_.capacity() < body.size()) {
    const size_t capacity = body.size() > parser_.capacity() ? body.size() : parser_.capacity();
    if (auto e = parser_.allocate(capacity, simdjson_depth)) return parseError(e);
  }

  od::document doc;
  if (auto e = parser_.iterate(buffer_.data(), body.size(), buffer_.size()).get(doc)) {
    return parseError(e);
  }
  od::json_type type;
  if (auto e = doc.type().get(type)) return parseError(e);

  Walker walker(doc, input, max_depth_);
  ParsedBody out;
  std::string invalid;
  if (type == od::json_type::object) {
    od::object o;
    if (auto e = doc.get_object().get(o)) return parseError(e);
    out.messages.emplace_back();
    if (auto e = walker.message(o, text.data(), 1, out.messages.back(), invalid)) {
      return parseError(e);
    }
  } else if (type == od::json_type::array) {
    out.is_batch = true;
    od::array a;
    if (auto e = doc.get_array().get(a)) return parseError(e);
    size_t index = 0;
    for (auto element : a) {
      od::value v;
      if (auto e = std::move(element).get(v)) return parseError(e);
      od::json_type element_type;
      if (auto e = v.type().get(element_type)) return parseError(e);
      std::string why;
      if (element_type == od::json_type::object) {
        const char* start = v.raw_json_token().data();
        od::object o;
        if (auto e = v.get_object().get(o)) return parseError(e);
        JsonRpcMessage message;
        if (auto e = walker.message(o, start, 2, message, why)) return parseError(e);
        out.messages.push_back(std::move(message));
      } else {
        if (auto e = walker.value(v, 1)) return parseError(e);
        why = "not an object";
      }
      // Keep walking after the first bad element: a later syntax error must still win.
      if (!why.empty() && invalid.empty()) {
        invalid = "batch element " + std::to_string(index) + ": " + why;
      }
      ++index;
    }
    if (index == 0) invalid = "empty batch";
  } else {
    // A lone scalar: valid JSON (then an invalid request) only if it is one well-formed token.
    std::string_view token;
    if (auto e = doc.raw_json_token().get(token)) return parseError(e);
    token = trimRight(token);
    if (token.data() + token.size() != text.data() + text.size()) {
      return parseError(simdjson::TRAILING_CONTENT);
    }
    std::string_view unescaped;
    const error_code e = type == od::json_type::string ? doc.get_string().get(unescaped)
                                                        : checkTokenScalar(type, token);
    if (e) return parseError(e);
    return invalidRequest("expected an object or an array");
  }

  // The root container is done; any token left is garbage after the document.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS) {
    return parseError(simdjson::TRAILING_CONTENT);
  }
  if (!invalid.empty()) return invalidRequest(invalid);
  return out;
}

std::string withId(const JsonRpcMessage& message, std::string_view id_raw) {
  if (message.id_offset == std::string::npos) return message.raw;
  std::string out = message.raw;
  out.replace(message.id_offset, message.id_raw.size(), id_raw);
  return out;
}

std::string jsonRpcErrorBody(std::string_view id_raw, int code, std::string_view message) {
  std::string out = R"({"jsonrpc":"2.0","id":)";
  out.append(id_raw.empty() ? std::string_view("null") : id_raw);
  out += R"(,"error":{"code":)";
  out += std::to_string(code);
  out += R"(,"message":")";
  appendJsonEscaped(out, message);
  out += "\"}}";
  return out;
}

}  // namespace sidecar::proxy
