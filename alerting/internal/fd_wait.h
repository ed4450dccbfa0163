// Waiting on a file descriptor with a timeout and a cancel event: the blocking primitive the
// sinks' background threads use, so that Stop() can interrupt any wait at once.
#pragma once

#include <chrono>

namespace meridian::alerting::internal {

using SteadyTime = std::chrono::steady_clock::time_point;

// A one-shot, level-triggered event (eventfd): once Notify() was called, fd() stays readable.
// Thread-safe.
class CancelEvent {
 public:
  CancelEvent();  // Aborts if no eventfd can be created (the process is out of descriptors).
  ~CancelEvent();
  CancelEvent(const CancelEvent&) = delete;
  CancelEvent& operator=(const CancelEvent&) = delete;

  void Notify();
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

enum class WaitResult { kReady, kTimeout, kCancelled };

// Polls `fd` for `events` (POLLIN or POLLOUT) until it is ready, `deadline` passes or `cancel_fd`
// becomes readable (cancel wins). POLLERR/POLLHUP on `fd` count as ready: the read or write that
// follows reports the error. EINTR is retried. `cancel_fd` < 0 means no cancel event.
WaitResult WaitFd(int fd, short events, int cancel_fd, SteadyTime deadline);

}  // namespace meridian::alerting::internal
