// BodyChunks: an answer writer as a C++20 coroutine, so that a body can be produced a piece at a
// time (streamed by the front door, see http::BodyStream) by the same loop that writes it whole.
//
//   BodyChunks WriteThings(SeriesList series, OutputLimits limits) {  // parameters BY VALUE:
//     ChunkedOutput out(limits, "json");                             // the frame owns them
//     for (...) {
//       Append(..., out.buffer());
//       CO_CHECK_OUTPUT(out);  // budget and deadline; hands over a full piece
//     }
//     CO_FINISH_OUTPUT(out);  // the final check, the last piece, OK
//   }
//
//   BodyChunks chunks = WriteThings(...);
//   std::string piece;
//   while (chunks.Next(&piece)) { send(piece); piece.clear(); }
//   if (!chunks.status().ok()) ...
//
// Nothing runs until the first Next(). Not thread-safe: one thread at a time drives a writer
// (any thread; the frame holds no thread-local state).
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"
#include "query/internal/output_budget.h"

namespace meridian::query::internal {

class BodyChunks {
 public:
  struct promise_type {
    std::string* sink = nullptr;  // where the current Next() appends
    core::Status status;
    BodyChunks get_return_object() {
      return BodyChunks(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    // co_yield piece: appended to the caller's string; the writer resumes at the next Next().
    std::suspend_always yield_value(std::string_view piece) {
      sink->append(piece);
      return {};
    }
    // co_return status: the last piece was already yielded.
    void return_value(core::Status s) { status = std::move(s); }
    void unhandled_exception() {
      try {
        std::rethrow_exception(std::current_exception());
      } catch (const std::exception& e) {
        status = core::Internal(std::string("answer writer failed: ") + e.what());
      } catch (...) {
        status = core::Internal("answer writer failed");
      }
    }
  };

  BodyChunks() = default;
  BodyChunks(BodyChunks&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  BodyChunks& operator=(BodyChunks&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  BodyChunks(const BodyChunks&) = delete;
  BodyChunks& operator=(const BodyChunks&) = delete;
  ~BodyChunks() {
    if (handle_) handle_.destroy();
  }

  // Runs the writer to its next piece, appended to `out`: true while more follows, false once
  // the writer has finished (then status() says how).
  bool Next(std::string* out) {
    if (!handle_ || handle_.done()) return false;
    handle_.promise().sink = out;
    handle_.resume();
    return !handle_.done();
  }
  // OK, or why the writer stopped (RESOURCE_EXHAUSTED past the byte budget, DEADLINE_EXCEEDED,
  // CANCELLED, INVALID_ARGUMENT). Meaningful once Next() returned false.
  const core::Status& status() const { return handle_.promise().status; }

  // Every piece into one string (an answer built whole).
  core::Result<std::string> Drain() {
    std::string body;
    while (Next(&body)) {
    }
    if (!status().ok()) return status();
    return body;
  }

 private:
  explicit BodyChunks(std::coroutine_handle<promise_type> h) : handle_(h) {}
  std::coroutine_handle<promise_type> handle_;
};

// The buffer a BodyChunks writer appends to, with the answer's byte budget and deadline
// (OutputBudget) counted over everything written so far, handed over and not.
class ChunkedOutput {
 public:
  // A piece is handed over once the buffer holds this much.
  static constexpr size_t kPieceBytes = 64 << 10;

  ChunkedOutput(const OutputLimits& limits, std::string_view what) : budget_(limits, what) {}

  std::string* buffer() { return &buffer_; }
  // Bytes written so far (handed over and buffered).
  size_t written() const { return handed_ + buffer_.size(); }
  core::Status Check() { return budget_.Check(written()); }
  core::Status Check(size_t units) { return budget_.Check(written(), units); }
  bool Full() const { return buffer_.size() >= kPieceBytes; }
  // The buffered bytes as a piece; valid until the next TakePiece() (the writer's frame keeps
  // them while the caller copies them out).
  std::string_view TakePiece() {
    handed_ += buffer_.size();
    piece_.swap(buffer_);
    buffer_.clear();
    return piece_;
  }

 private:
  OutputBudget budget_;
  std::string buffer_;
  std::string piece_;
  size_t handed_ = 0;
};

}  // namespace meridian::query::internal

// Inside a BodyChunks writer: stops the writer with the budget's error, and hands over a full
// piece (the writer resumes here at the next Next()).
#define CO_CHECK_OUTPUT(out, ...)                                                                 \
  do {                                                                                            \
    if (::meridian::core::Status check_status_ = (out).Check(__VA_ARGS__); !check_status_.ok()) { \
      co_return check_status_;                                                                    \
    }                                                                                             \
    if ((out).Full()) co_yield (out).TakePiece();                                                 \
  } while (false)

// Ends a BodyChunks writer: the budget's final check (the whole body), the last piece, OK.
#define CO_FINISH_OUTPUT(out)                                                          \
  do {                                                                                 \
    if (::meridian::core::Status check_status_ = (out).Check(); !check_status_.ok()) { \
      co_return check_status_;                                                         \
    }                                                                                  \
    co_yield (out).TakePiece();                                                        \
    co_return ::meridian::core::Status::Ok();                                          \
  } while (false)
