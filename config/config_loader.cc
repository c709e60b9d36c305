#include "config/config_loader.h"

#include <cerrno>
#include <cstdio>
#include <map>
#include <memory>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "config/config_keys.h"
#include "config/key_conflicts.h"
#include "config/value_parsers.h"

namespace sidecar::config {
namespace {

// Configuration files are small; a bigger one is a mistake (a log, /dev/zero).
constexpr size_t kMaxFileBytes = 1 << 20;

struct Where {
  std::string file;
  int line = 0;
  int column = 0;
};

// yaml-cpp marks are 0-based, and absent (-1) on nodes it synthesised.
Where whereOf(const YAML::Mark& mark, const Where& fallback) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return fallback;
  return Where{fallback.file, mark.line + 1, mark.column + 1};
}

std::string trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};

Result<std::string> readFile(const std::string& path) {
  const auto failure = [](const char* what) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}: {}", what, std::generic_category().message(errno)));
  };
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return failure("cannot open the configuration file");
  std::string text;
  char buffer[8192];
  for (;;) {
    const size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
    text.append(buffer, n);
    if (text.size() > kMaxFileBytes) {
      return makeError(
          ErrorCode::kInvalidArgument,
          fmt::format("the configuration file is larger than {}", formatSize(kMaxFileBytes)));
    }
    if (n < sizeof buffer) {
      if (std::ferror(file.get())) return failure("cannot read the configuration file");
      return text;
    }
  }
}

std::string unknownKeyMessage(std::string_view path) {
  const std::string suggestion = suggestKey(path);
  if (suggestion.empty()) return "unknown key";
  return fmt::format("unknown key; did you mean \"{}\"?", suggestion);
}

std::string yamlMessage(const YAML::Exception& e) {
  // yaml-cpp's message for its nesting limit is "bad file".
  if (dynamic_cast<const YAML::DeepRecursion*>(&e) != nullptr) return "nesting is too deep";
  return e.msg;
}

const char* describe(const YAML::Node& node) {
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  if (node.IsNull()) return "no value";
  return "a single value";
}

// One load: the config being built, the problems found, and where each key
// was last set (for checks that involve two keys).
class Loader {
 public:
  explicit Loader(const EnvLookup& env) : env_(env) {}

  void loadFile(const std::string& path);
  void applyOverride(size_t position, const std::string& text);  // 0-based
  void checkAcrossKeys();
  LoadOutcome finish() &&;

 private:
  void walkMap(const YAML::Node& map, const std::string& prefix, const Where& mapWhere);
  void applyNode(const KeySpec& key, const std::string& path, const YAML::Node& value,
                 const Where& keyWhere);
  void applyText(const KeySpec& key, const std::string& path, const std::string& text,
                 const Where& where);
  void reportConflict(const std::string& aPath, const std::string& bPath,
                      const std::string& message);
  void report(const Where& where, std::string keyPath, std::string message);

  const EnvLookup& env_;
  Config config_;
  std::vector<ConfigProblem> problems_;
  std::map<std::string, Where> set_at_;
};

void Loader::report(const Where& where, std::string keyPath, std::string message) {
  problems_.push_back(
      ConfigProblem{where.file, where.line, where.column, std::move(keyPath), std::move(message)});
}

void Loader::loadFile(const std::string& path) {
  auto text = readFile(path);
  if (!text) {
    report(Where{path, 0, 0}, "", text.error().message);
    return;
  }
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text.value());
  } catch (const YAML::Exception& e) {
    report(whereOf(e.mark, Where{path, 0, 0}), "", yamlMessage(e));
    return;
  }
  const Where top{path, 1, 1};
  if (documents.size() > 1) {
    report(whereOf(documents[1].Mark(), top), "",
           "a configuration file holds one YAML document; a second one starts here");
  }
  if (documents.empty() || documents[0].IsNull()) return;  // empty file: defaults
  if (!documents[0].IsMap()) {
    report(
        whereOf(documents[0].Mark(), top), "",
        fmt::format("expected a mapping of keys at the top level, got {}", describe(documents[0])));
    return;
  }
  walkMap(documents[0], "", top);
}

void Loader::walkMap(const YAML::Node& map, const std::string& prefix, const Where& mapWhere) {
  std::map<std::string, int> seen;  // key name -> line, for duplicate reports
  for (const auto& entry : map) {
    // Copies: yaml-cpp iterators hand out proxies, so references into them dangle.
    const YAML::Node keyNode = entry.first;
    const YAML::Node value = entry.second;
    const Where keyWhere = whereOf(keyNode.Mark(), mapWhere);
    if (!keyNode.IsScalar()) {
      report(keyWhere, prefix, "keys must be plain names");
      continue;
    }
    const std::string& name = keyNode.Scalar();
    const std::string path = prefix.empty() ? name : prefix + "." + name;
    if (name.empty() || name.find('.') != std::string::npos) {
      // Dotted keys would let one setting be spelt two ways in one file.
      report(keyWhere, path, "unknown key; nest sections instead of writing dotted names");
      continue;
    }
    const auto [earlier, inserted] = seen.emplace(name, keyWhere.line);
    if (!inserted) {
      report(keyWhere, path,
             fmt::format("duplicate key (already set on line {})", earlier->second));
      continue;
    }
    if (const KeySpec* key = findKey(path)) {
      applyNode(*key, path, value, keyWhere);
    } else if (isSection(path)) {
      if (value.IsNull()) continue;  // "upstream:" with nothing under it: all defaults
      if (!value.IsMap()) {
        report(
            whereOf(value.Mark(), keyWhere), path,
            fmt::format("expected a mapping of keys under this section, got {}", describe(value)));
        continue;
      }
      walkMap(value, path, keyWhere);
    } else {
      report(keyWhere, path, unknownKeyMessage(path));
    }
  }
}

void Loader::applyNode(const KeySpec& key, const std::string& path, const YAML::Node& value,
                       const Where& keyWhere) {
  // yaml-cpp places an empty value at the next token; the key is the better place.
  if (value.IsNull()) {
    report(keyWhere, path, "has no value");
    return;
  }
  const Where valueWhere = whereOf(value.Mark(), keyWhere);
  set_at_[path] = valueWhere;
  if (!key.is_list) {
    if (!value.IsScalar()) {
      report(valueWhere, path, fmt::format("expected a single value, got {}", describe(value)));
      return;
    }
    applyText(key, path, value.Scalar(), valueWhere);
    return;
  }
  if (!value.IsSequence()) {
    report(valueWhere, path,
           fmt::format("expected a list (e.g. [\"https://app.example.com\"]), got {}",
                       describe(value)));
    return;
  }
  key.clear(config_);
  size_t index = 0;
  for (const auto& item : value) {
    const std::string itemPath = fmt::format("{}[{}]", path, index++);
    const Where itemWhere = item.IsNull() ? valueWhere : whereOf(item.Mark(), valueWhere);
    if (!item.IsScalar()) {
      report(itemWhere, itemPath, fmt::format("expected a single value, got {}", describe(item)));
      continue;
    }
    applyText(key, itemPath, item.Scalar(), itemWhere);
  }
}

void Loader::applyText(const KeySpec& key, const std::string& path, const std::string& text,
                       const Where& where) {
  auto expanded = expandEnv(text, env_);
  if (!expanded) {
    report(where, path, expanded.error().message);
    return;
  }
  const Status applied = key.apply(config_, expanded.value());
  if (!applied) report(where, path, applied.error().message);
}

// A --set value is read as a YAML scalar so quoting works as in a file. Text
// that YAML reads as something else is taken verbatim: "[::1]:8080" is a flow
// list to YAML but an address to the operator who typed it.
Result<std::string> overrideScalar(const std::string& value) {
  const std::string trimmed = trim(value);
  if (trimmed.empty()) return std::string();
  try {
    const YAML::Node node = YAML::Load(trimmed);
    if (node.IsScalar()) return node.Scalar();
    if (node.IsNull()) return makeError(ErrorCode::kInvalidArgument, "has no value");
  } catch (const YAML::Exception& e) {
    if (trimmed.front() == '"' || trimmed.front() == '\'') {
      return makeError(ErrorCode::kInvalidArgument,
                       fmt::format("invalid quoted value: {}", yamlMessage(e)));
    }
  }
  return trimmed;
}

void Loader::applyOverride(size_t position, const std::string& text) {
  const Where where{kOverrideFile, static_cast<int>(position + 1), 1};
  const size_t eq = text.find('=');
  if (eq == std::string::npos) {
    // The text is not echoed: it may be a secret missing its key.
    report(where, "", "expected dotted.key=value (no '=' found)");
    return;
  }
  const std::string path = trim(std::string_view(text).substr(0, eq));
  const std::string value = text.substr(eq + 1);
  if (path.empty()) {
    report(where, "", "expected dotted.key=value (nothing before '=')");
    return;
  }
  const KeySpec* key = findKey(path);
  if (key == nullptr) {
    report(where, path,
           isSection(path) ? "is a section; set one of its keys (e.g. upstream.url=...)"
                           : unknownKeyMessage(path));
    return;
  }
  set_at_[path] = where;
  const std::string trimmed = trim(value);
  if (key->is_list && !trimmed.empty() && trimmed.front() == '[') {
    YAML::Node list;
    try {
      list = YAML::Load(trimmed);
    } catch (const YAML::Exception& e) {
      report(where, path, fmt::format("invalid YAML list: {}", yamlMessage(e)));
      return;
    }
    if (!list.IsSequence()) {
      report(where, path, "expected a YAML flow list such as [http://a, http://b]");
      return;
    }
    key->clear(config_);
    size_t index = 0;
    for (const auto& item : list) {
      const std::string itemPath = fmt::format("{}[{}]", path, index++);
      if (!item.IsScalar()) {
        report(where, itemPath, fmt::format("expected a single value, got {}", describe(item)));
        continue;
      }
      applyText(*key, itemPath, item.Scalar(), where);
    }
    return;
  }
  auto scalar = overrideScalar(value);
  if (!scalar) {
    report(where, path, scalar.error().message);
    return;
  }
  if (key->is_list) key->clear(config_);  // a lone value is a one-item list
  applyText(*key, path, scalar.value(), where);
}

void Loader::reportConflict(const std::string& aPath, const std::string& bPath,
                            const std::string& message) {
  // Report where the second key was set, else the first; one of them was set,
  // since the defaults in config.h do not overlap.
  auto at = set_at_.find(bPath);
  std::string path = bPath;
  if (at == set_at_.end()) {
    at = set_at_.find(aPath);
    path = aPath;
  }
  const Where where = at != set_at_.end() ? at->second : Where{kOverrideFile, 0, 0};
  report(where, path, message);
}

void Loader::checkAcrossKeys() {
  // After a bad value the config holds a default there; comparing it would
  // only produce confusing follow-on problems.
  if (!problems_.empty()) return;
  for (const KeyConflict& conflict : findKeyConflicts(config_)) {
    reportConflict(conflict.first_key, conflict.second_key, conflict.message);
  }
}

LoadOutcome Loader::finish() && {
  LoadOutcome outcome;
  outcome.problems = std::move(problems_);
  if (outcome.problems.empty()) outcome.config = std::move(config_);
  return outcome;
}

}  // namespace

LoadOutcome loadConfig(const std::string& path, const std::vector<std::string>& overrides,
                       const EnvLookup& env) {
  try {
    Loader loader(env);
    if (!path.empty()) loader.loadFile(path);
    for (size_t i = 0; i < overrides.size(); ++i) loader.applyOverride(i, overrides[i]);
    loader.checkAcrossKeys();
    return std::move(loader).finish();
  } catch (const std::exception& e) {
    // yaml-cpp node access, an injected EnvLookup or allocation: never let it
    // escape into main's startup path.
    LoadOutcome outcome;
    outcome.problems.push_back(ConfigProblem{path.empty() ? kOverrideFile : path, 0, 0, "",
                                             fmt::format("internal error: {}", e.what())});
    return outcome;
  } catch (...) {
    LoadOutcome outcome;
    outcome.problems.push_back(
        ConfigProblem{path.empty() ? kOverrideFile : path, 0, 0, "", "internal error"});
    return outcome;
  }
}

}  // namespace sidecar::config
