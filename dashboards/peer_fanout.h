// PeerFanout: asks federation peers (PeerDirectory) in parallel on a fixed set of threads, each
// call bounded by federation.timeout and the request's deadline — the overview's and the
// cross-region events' fan-out. A peer not answered by then has no answer (never a hang); a
// peer not asked because the queue is full says so.
//
// Thread-safe. The pool's threads outlive a timed-out call until it returns (calls take the
// deadline, so they return soon after it).
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/deadline.h"
#include "core/worker_pool.h"
#include "dashboards/remote_instance.h"

namespace meridian::dashboards {

struct PeerFanoutOptions {
  std::chrono::milliseconds timeout{5000};  // federation.timeout
  size_t threads = 16;                      // federation.fanout_threads
  size_t max_pending = 1024;                // federation.max_pending_calls
};

class PeerFanout {
 public:
  // `directory` must outlive this object.
  PeerFanout(PeerDirectory& directory, const PeerFanoutOptions& options)
      : directory_(directory),
        options_(options),
        pool_(std::max<size_t>(1, options.threads), std::max<size_t>(1, options.max_pending)) {}
  ~PeerFanout() { pool_.Shutdown(options_.timeout + std::chrono::seconds(1)); }
  PeerFanout(const PeerFanout&) = delete;
  PeerFanout& operator=(const PeerFanout&) = delete;

  const PeerFanoutOptions& options() const { return options_; }
  PeerDirectory& directory() { return directory_; }

  template <typename T>
  struct Reply {
    std::shared_ptr<RemoteInstance> peer;
    std::optional<T> answer;  // nullopt: not asked (see not_asked) or no answer in time
    std::string not_asked;    // why it was not asked ("" = it was)
  };

  // Calls `call` on each of `peers` at once and waits for all of them, for `deadline`, or for
  // options.timeout, whichever comes first. `call` runs on the pool's threads and must be
  // thread-safe; it gets the calls' deadline.
  template <typename T>
  std::vector<Reply<T>> Ask(const std::vector<std::shared_ptr<RemoteInstance>>& peers,
                            std::function<T(RemoteInstance&, const core::Deadline&)> call,
                            const core::Deadline& deadline) {
    struct Gather {
      std::mutex mu;
      std::condition_variable cv;
      std::vector<std::optional<T>> answers;
      size_t outstanding = 0;
    };
    auto gather = std::make_shared<Gather>();
    gather->answers.resize(peers.size());
    const auto bound = std::min(deadline.at(), std::chrono::steady_clock::now() + options_.timeout);
    const core::Deadline call_deadline = core::Deadline::At(bound);
    std::vector<Reply<T>> out(peers.size());
    for (size_t i = 0; i < peers.size(); ++i) {
      out[i].peer = peers[i];
      {
        std::lock_guard lock(gather->mu);
        ++gather->outstanding;
      }
      const bool queued = pool_.TrySubmit([gather, peer = peers[i], i, call, call_deadline] {
        std::optional<T> a;
        try {
          a = call(*peer, call_deadline);
        } catch (const std::exception&) {
          a.reset();  // a throwing call is a peer without an answer
        }
        std::lock_guard lock(gather->mu);
        gather->answers[i] = std::move(a);
        --gather->outstanding;
        gather->cv.notify_all();
      });
      if (!queued) {
        std::lock_guard lock(gather->mu);
        --gather->outstanding;
        out[i].not_asked = "not asked: too many peer calls at once (federation.max_pending_calls)";
      }
    }
    std::unique_lock lock(gather->mu);
    while (gather->outstanding > 0 && !deadline.cancelled()) {
      const auto step = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
      if (gather->cv.wait_until(lock, std::min(bound, step),
                                [&] { return gather->outstanding == 0; })) {
        break;
      }
      if (std::chrono::steady_clock::now() >= bound) break;
    }
    for (size_t i = 0; i < peers.size(); ++i) out[i].answer = std::move(gather->answers[i]);
    return out;
  }

 private:
  PeerDirectory& directory_;
  const PeerFanoutOptions options_;
  core::WorkerPool pool_;
};

}  // namespace meridian::dashboards
