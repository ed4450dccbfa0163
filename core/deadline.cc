#include "core/deadline.h"

#include <fmt/format.h>

namespace meridian::core {

Deadline Deadline::At(TimePoint at) {
  Deadline d;
  d.at_ = at;
  d.flag_ = std::make_shared<std::atomic<bool>>(false);
  return d;
}

Deadline Deadline::Cancellable() { return At(TimePoint::max()); }

void Deadline::Cancel() const {
  if (flag_) flag_->store(true, std::memory_order_relaxed);
}

bool Deadline::Expired() const {
  if (cancelled()) return true;
  return at_ != TimePoint::max() && std::chrono::steady_clock::now() >= at_;
}

Status Deadline::Check(std::string_view what, std::string_view knob) const {
  if (infinite()) return Status::Ok();
  if (cancelled()) return Cancelled(fmt::format("{}: cancelled", what));
  if (at_ != TimePoint::max() && std::chrono::steady_clock::now() >= at_) {
    return DeadlineExceeded(fmt::format("{}: over the time limit ({})", what, knob));
  }
  return Status::Ok();
}

}  // namespace meridian::core
