#pragma once
// LogCapture: an in-memory FILE* for a Logger, so tests can assert that a
// line was written (drops and refusals must never be silent).

#include <cstdio>
#include <cstdlib>
#include <string>

namespace sidecar::sessionstore::test {

class LogCapture {
 public:
  LogCapture() : file_(open_memstream(&data_, &size_)) {}
  ~LogCapture() {
    if (file_ != nullptr) std::fclose(file_);
    std::free(data_);
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::FILE* file() const noexcept { return file_; }
  // Everything written so far; open_memstream publishes data_/size_ on flush.
  std::string text() {
    std::fflush(file_);
    return std::string(data_ != nullptr ? data_ : "", size_);
  }
  bool contains(const std::string& needle) { return text().find(needle) != std::string::npos; }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
};

}  // namespace sidecar::sessionstore::test
