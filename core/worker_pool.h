// WorkerPool: a fixed set of threads running request handlers, with a bounded queue, so that
// slow clients never hold a worker (the network threads do the waiting) and a burst past the
// bound is refused at once instead of queued without limit.
//
// Thread-safe. Tasks must not throw (the server wraps handlers).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/metrics.h"

namespace meridian::core {

class WorkerPool {
 public:
  // `threads` ≥ 1 threads; at most `max_pending` tasks queued or running. `pending_gauge`
  // (optional, must outlive the pool and its threads) always holds pending().
  WorkerPool(size_t threads, size_t max_pending, core::Gauge* pending_gauge = nullptr);
  ~WorkerPool();  // Shutdown(infinite) if not already done
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False (task dropped) when `max_pending` tasks are queued or running, or after Shutdown.
  bool TrySubmit(std::function<void()> task);
  // Queues past `max_pending` (false only after Shutdown): for the next step of work a
  // TrySubmit already admitted — a streamed answer's next piece — which must not be refused
  // half-way. The caller bounds how many such steps exist (one per streaming connection).
  bool SubmitContinuation(std::function<void()> task);
  size_t pending() const;

  // Stops taking tasks and waits up to `grace` for the queued and running ones. True when all
  // finished and the threads are joined; false when some are still running at the bound: the
  // threads are then detached and finish on their own (they share the queue's state, so the
  // pool may be destroyed; whatever their tasks use must stay alive, or the process exit).
  bool Shutdown(std::chrono::milliseconds grace);

 private:
  struct State {
    State(size_t max, core::Gauge* g) : max_pending(max), gauge(g) {}
    const size_t max_pending;
    core::Gauge* const gauge;
    std::mutex mu;
    std::condition_variable work_cv;
    std::condition_variable idle_cv;
    std::deque<std::function<void()>> queue;
    size_t pending = 0;  // queued + running
    bool stopping = false;
  };
  bool Enqueue(std::function<void()> task, bool bounded);
  static void Run(std::shared_ptr<State> state);

  std::shared_ptr<State> state_;
  std::vector<std::thread> threads_;  // guarded by state_->mu
};

}  // namespace meridian::core
