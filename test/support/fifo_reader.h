// FifoReader: the reading end of a named pipe, as Nagios holds its command file, for tests of
// the processes that write check results into one (NagiosPipeSink, the nsca daemon).
//
// Thread-safety: not thread-safe; use from the test thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace meridian::testing {

// mkfifo(path, 0660).
core::Status MakeFifo(const std::filesystem::path& path);

class FifoReader {
 public:
  // Opens the existing FIFO O_RDONLY|O_NONBLOCK (never blocks, also without a writer).
  static core::Result<std::unique_ptr<FifoReader>> Open(const std::filesystem::path& path);
  ~FifoReader();  // Close()
  FifoReader(const FifoReader&) = delete;
  FifoReader& operator=(const FifoReader&) = delete;

  // Reads everything available now and returns the number of complete lines read so far.
  size_t Poll();
  // Polls until at least `n` complete lines were read or `deadline` passed.
  bool WaitForLines(size_t n, std::chrono::milliseconds deadline);
  // Every complete line read so far, each with its '\n'.
  const std::vector<std::string>& lines() const { return lines_; }
  // Bytes read after the last '\n' (a torn line if non-empty once writers are done).
  const std::string& partial() const { return partial_; }
  // Closes the reading end: writers then get EPIPE (or ENXIO when they open).
  void Close();

 private:
  explicit FifoReader(int fd) : fd_(fd) {}
  int fd_ = -1;
  std::vector<std::string> lines_;
  std::string partial_;
};

}  // namespace meridian::testing
