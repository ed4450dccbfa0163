#include "alerting/internal/fd_wait.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace meridian::alerting::internal {

CancelEvent::CancelEvent() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (fd_ < 0) {
    std::perror("alerting: eventfd");
    std::abort();
  }
}

CancelEvent::~CancelEvent() { close(fd_); }

void CancelEvent::Notify() {
  uint64_t one = 1;
  // Cannot fail short of a counter overflow (2^64-1 notifications); the event is level-triggered,
  // so a lost increment changes nothing.
  ssize_t n = write(fd_, &one, sizeof(one));
  (void)n;
}

WaitResult WaitFd(int fd, short events, int cancel_fd, SteadyTime deadline) {
  while (true) {
    auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    int timeout_ms =
        left.count() <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left.count(), 60000));
    pollfd fds[2] = {{fd, events, 0}, {cancel_fd, POLLIN, 0}};
    int n = poll(fds, cancel_fd >= 0 ? 2 : 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return WaitResult::kReady;  // let the following I/O call report the error
    if (cancel_fd >= 0 && (fds[1].revents & POLLIN) != 0) return WaitResult::kCancelled;
    if (fds[0].revents != 0) return WaitResult::kReady;
    if (left.count() <= 0) return WaitResult::kTimeout;
  }
}

}  // namespace meridian::alerting::internal
