#include "core/worker_pool.h"

namespace meridian::core {

WorkerPool::WorkerPool(size_t threads, size_t max_pending, core::Gauge* pending_gauge)
    : state_(std::make_shared<State>(max_pending == 0 ? 1 : max_pending, pending_gauge)) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([s = state_] { Run(s); });
}

WorkerPool::~WorkerPool() {
  bool running;
  {
    std::lock_guard lock(state_->mu);
    running = !threads_.empty();
  }
  // A pool already shut down (joined, or abandoned to detached threads) has nothing to wait for.
  if (running) (void)Shutdown(std::chrono::milliseconds::max());
}

bool WorkerPool::TrySubmit(std::function<void()> task) { return Enqueue(std::move(task), true); }

bool WorkerPool::SubmitContinuation(std::function<void()> task) {
  return Enqueue(std::move(task), false);
}

bool WorkerPool::Enqueue(std::function<void()> task, bool bounded) {
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopping || (bounded && state_->pending >= state_->max_pending)) return false;
    ++state_->pending;
    if (state_->gauge) state_->gauge->Set(static_cast<int64_t>(state_->pending));
    state_->queue.push_back(std::move(task));
  }
  state_->work_cv.notify_one();
  return true;
}

size_t WorkerPool::pending() const {
  std::lock_guard lock(state_->mu);
  return state_->pending;
}

void WorkerPool::Run(std::shared_ptr<State> s) {
  std::unique_lock lock(s->mu);
  for (;;) {
    s->work_cv.wait(lock, [&] { return s->stopping || !s->queue.empty(); });
    if (s->queue.empty()) return;  // stopping and nothing left
    std::function<void()> task = std::move(s->queue.front());
    s->queue.pop_front();
    lock.unlock();
    task();
    task = nullptr;  // release captures outside the lock
    lock.lock();
    --s->pending;
    if (s->gauge) s->gauge->Set(static_cast<int64_t>(s->pending));
    if (s->pending == 0) s->idle_cv.notify_all();
  }
}

bool WorkerPool::Shutdown(std::chrono::milliseconds grace) {
  std::unique_lock lock(state_->mu);
  state_->stopping = true;
  state_->work_cv.notify_all();
  auto idle = [this] { return state_->pending == 0; };
  bool done = true;
  if (grace == std::chrono::milliseconds::max()) {
    state_->idle_cv.wait(lock, idle);
  } else {
    done = state_->idle_cv.wait_for(lock, grace, idle);
  }
  std::vector<std::thread> threads = std::move(threads_);
  threads_.clear();
  lock.unlock();
  for (std::thread& t : threads) {
    if (done) {
      t.join();
    } else {
      t.detach();
    }
  }
  return done;
}

}  // namespace meridian::core
