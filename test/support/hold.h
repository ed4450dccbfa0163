// Hold: what a hung peer does — keeps its caller until a deadline passes, without polling. The
// test releases every holder at once (fixtures call Release() in TearDown) so that nothing
// outlives the test. core::Deadline does not wake waiters on Cancel(): a cancelled caller is held
// until its instant or Release(), never longer than a minute.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "core/deadline.h"

namespace meridian::testing {

class Hold {
 public:
  // Returns once `deadline` has passed (or was found cancelled), or Release() was called.
  void Until(const core::Deadline& deadline) {
    const auto bound =
        std::min(deadline.at(), std::chrono::steady_clock::now() + std::chrono::minutes(1));
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, bound, [&] { return released_ || deadline.cancelled(); });
  }
  // Lets every holder go, now and from now on.
  void Release() {
    {
      std::lock_guard lock(mu_);
      released_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

}  // namespace meridian::testing
