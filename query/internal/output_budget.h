// OutputBudget: the byte and time bound of writing one answer (see query::OutputLimits). Writers
// call Check(body.size()) as the body grows — per point, row or node — so an answer past
// http.max_response_bytes fails after at most one more row, never after building the whole body.
// Not thread-safe: one per answer.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/deadline.h"
#include "core/status.h"
#include "query/formats.h"

namespace meridian::query::internal {

class OutputBudget {
 public:
  // `limits` must outlive the budget. `what` names the work in deadline errors ("csv").
  OutputBudget(const OutputLimits& limits, std::string_view what)
      : limits_(limits), check_(limits.deadline, what, 1024) {}

  // RESOURCE_EXHAUSTED (ResponseTooLarge) once `size` passes max_bytes; DEADLINE_EXCEEDED or
  // CANCELLED once the deadline has passed (the clock is read every 1024 calls).
  core::Status Check(size_t size) {
    if (limits_.max_bytes != 0 && size > limits_.max_bytes) {
      return ResponseTooLarge(limits_.max_bytes);
    }
    return check_.Step();
  }
  // Like Check, for a step that stands for `units` of work (a row of many series).
  core::Status Check(size_t size, size_t units) {
    if (limits_.max_bytes != 0 && size > limits_.max_bytes) {
      return ResponseTooLarge(limits_.max_bytes);
    }
    return check_.Step(units);
  }
  // The capacity worth reserving for an estimated `bytes`: never more than the budget allows.
  size_t Reservation(size_t bytes) const {
    return limits_.max_bytes != 0 && bytes > limits_.max_bytes ? limits_.max_bytes : bytes;
  }

 private:
  const OutputLimits& limits_;
  core::DeadlineCheck check_;
};

}  // namespace meridian::query::internal
