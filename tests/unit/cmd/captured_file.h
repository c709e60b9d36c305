#pragma once
// CapturedFile: an in-memory FILE* standing in for stdout or stderr, so a
// test can read back exactly what a command printed.

#include <cstdio>
#include <cstdlib>
#include <string>

namespace sidecar::cmd::test {

class CapturedFile {
 public:
  CapturedFile() : file_(open_memstream(&data_, &size_)) {}
  ~CapturedFile() {
    if (file_ != nullptr) std::fclose(file_);
    std::free(data_);
  }
  CapturedFile(const CapturedFile&) = delete;
  CapturedFile& operator=(const CapturedFile&) = delete;

  std::FILE* file() const noexcept { return file_; }
  // Everything written so far; open_memstream publishes data_/size_ on flush.
  std::string text() {
    std::fflush(file_);
    return std::string(data_ != nullptr ? data_ : "", size_);
  }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
};

}  // namespace sidecar::cmd::test
