#pragma once
// Test helpers: a YAML file in a private temp directory (removed afterwards)
// and an injected environment, so loader tests never see the real one.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include "config/config_loader.h"

namespace sidecar::config::test {

class TempYaml {
 public:
  explicit TempYaml(const std::string& content) {
    std::string dir = (std::filesystem::temp_directory_path() / "sidecar-config-XXXXXX").string();
    if (mkdtemp(dir.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = dir;
    path_ = dir_ + "/sidecar.yaml";
    std::FILE* file = std::fopen(path_.c_str(), "wb");
    if (file == nullptr) throw std::runtime_error("cannot create " + path_);
    std::fwrite(content.data(), 1, content.size(), file);
    std::fclose(file);
  }
  ~TempYaml() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TempYaml(const TempYaml&) = delete;
  TempYaml& operator=(const TempYaml&) = delete;

  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string path_;
};

inline EnvLookup fakeEnv(std::map<std::string, std::string> vars = {}) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// All problems, formatted, one per line: what an operator would read.
inline std::string formatAll(const LoadOutcome& outcome) {
  std::string out;
  for (const auto& problem : outcome.problems) out += formatProblem(problem) + "\n";
  return out;
}

}  // namespace sidecar::config::test
