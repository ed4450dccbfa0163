#include "support/fifo_reader.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "support/process.h"

namespace meridian::testing {

core::Status MakeFifo(const std::filesystem::path& path) {
  if (mkfifo(path.c_str(), 0660) != 0) {
    return core::IoError(fmt::format("mkfifo {}: {}", path.string(), std::strerror(errno)));
  }
  return core::Status::Ok();
}

core::Result<std::unique_ptr<FifoReader>> FifoReader::Open(const std::filesystem::path& path) {
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return core::IoError(fmt::format("open {}: {}", path.string(), std::strerror(errno)));
  }
  return std::unique_ptr<FifoReader>(new FifoReader(fd));
}

FifoReader::~FifoReader() { Close(); }

void FifoReader::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

size_t FifoReader::Poll() {
  char buf[65536];
  while (fd_ >= 0) {
    ssize_t n = read(fd_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN: nothing more now; 0: no writer at the moment
    partial_.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl = partial_.find('\n'); nl != std::string::npos;
         nl = partial_.find('\n', start)) {
      lines_.push_back(partial_.substr(start, nl + 1 - start));
      start = nl + 1;
    }
    partial_.erase(0, start);
  }
  return lines_.size();
}

bool FifoReader::WaitForLines(size_t n, std::chrono::milliseconds deadline) {
  return WaitFor([&] { return Poll() >= n; }, deadline);
}

}  // namespace meridian::testing
