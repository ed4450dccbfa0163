#include "core/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace meridian::core {
namespace {

// A gate the test opens: tasks block on it, so "running" is a state the test controls.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int waiting = 0;
  void Wait() {
    std::unique_lock lock(mu);
    ++waiting;
    cv.notify_all();
    cv.wait(lock, [this] { return open; });
  }
  void WaitForWaiters(int n) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return waiting >= n; });
  }
  void Open() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
};

TEST(WorkerPoolTest, RefusesPastTheBoundAndRunsEverythingAccepted) {
  WorkerPool pool(2, 3);
  Gate gate;
  std::atomic<int> done{0};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(pool.TrySubmit([&] {
      gate.Wait();
      done.fetch_add(1);
    }));
  }
  EXPECT_EQ(pool.pending(), 3u);
  EXPECT_FALSE(pool.TrySubmit([] {}));  // 3 queued or running
  gate.Open();
  EXPECT_TRUE(pool.Shutdown(std::chrono::milliseconds::max()));
  EXPECT_EQ(done.load(), 3);
  EXPECT_FALSE(pool.TrySubmit([] {}));  // after Shutdown
}

TEST(WorkerPoolTest, ContinuationsAreQueuedPastTheBoundButNotAfterShutdown) {
  WorkerPool pool(1, 1);
  Gate gate;
  std::atomic<int> done{0};
  ASSERT_TRUE(pool.TrySubmit([&] {
    gate.Wait();
    done.fetch_add(1);
  }));
  EXPECT_FALSE(pool.TrySubmit([] {}));  // full
  EXPECT_TRUE(pool.SubmitContinuation([&] { done.fetch_add(1); }));
  EXPECT_EQ(pool.pending(), 2u);
  gate.Open();
  EXPECT_TRUE(pool.Shutdown(std::chrono::milliseconds::max()));
  EXPECT_EQ(done.load(), 2);
  EXPECT_FALSE(pool.SubmitContinuation([] {}));
}

TEST(WorkerPoolTest, ShutdownGivesUpOnAStuckTaskAtTheBound) {
  auto gate = std::make_shared<Gate>();
  {
    WorkerPool pool(1, 4);
    ASSERT_TRUE(pool.TrySubmit([gate] { gate->Wait(); }));
    gate->WaitForWaiters(1);
    EXPECT_FALSE(pool.Shutdown(std::chrono::milliseconds(1)));
  }              // destroyed while its detached thread still runs the task
  gate->Open();  // the thread finishes on the shared state
}

}  // namespace
}  // namespace meridian::core
