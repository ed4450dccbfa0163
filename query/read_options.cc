#include "query/read_options.h"

#include <fmt/format.h>

#include <algorithm>

namespace meridian::query {

void ReadReport::AddMissing(std::string_view peer, std::string_view reason) {
  // Header-safe and short: no control bytes, none of the list's own separators, 120 bytes.
  std::string safe;
  for (char c : reason) {
    if (safe.size() >= 120) break;
    const auto u = static_cast<unsigned char>(c);
    safe += (u < 0x20 || u == 0x7F || c == ',' || c == '(' || c == ')') ? ' ' : c;
  }
  std::lock_guard lock(mu_);
  for (const MissingPeer& m : missing_) {
    if (m.peer == peer) return;
  }
  missing_.push_back({std::string(peer), std::move(safe)});
}

std::vector<MissingPeer> ReadReport::Missing() const {
  std::vector<MissingPeer> out;
  {
    std::lock_guard lock(mu_);
    out = missing_;
  }
  std::sort(out.begin(), out.end(),
            [](const MissingPeer& a, const MissingPeer& b) { return a.peer < b.peer; });
  return out;
}

bool ReadReport::IsMissing(std::string_view peer) const {
  std::lock_guard lock(mu_);
  return std::any_of(missing_.begin(), missing_.end(),
                     [&](const MissingPeer& m) { return m.peer == peer; });
}

bool ReadReport::partial() const {
  std::lock_guard lock(mu_);
  return !missing_.empty();
}

std::string ReadReport::Describe() const {
  std::string out;
  for (const MissingPeer& m : Missing()) {
    if (!out.empty()) out += ", ";
    out += m.peer;
    out += " (";
    out += m.reason;
    out += ')';
  }
  return out;
}

namespace {
constexpr std::string_view kSeriesBudget = "read budget: more than {} series";
constexpr std::string_view kPointsBudget = "read budget: more than {} points";
}  // namespace

core::Status SeriesBudgetExceeded(size_t max_series) {
  return core::ResourceExhausted(fmt::format(fmt::runtime(kSeriesBudget), max_series));
}

core::Status PointsBudgetExceeded(size_t max_points) {
  return core::ResourceExhausted(fmt::format(fmt::runtime(kPointsBudget), max_points));
}

ReadBudget WhichBudget(const core::Status& status) {
  if (status.code() != core::StatusCode::kResourceExhausted) return ReadBudget::kNone;
  const std::string_view m = status.message();
  if (m.starts_with("read budget: more than ") && m.ends_with(" series"))
    return ReadBudget::kSeries;
  if (m.starts_with("read budget: more than ") && m.ends_with(" points"))
    return ReadBudget::kPoints;
  return ReadBudget::kNone;
}

}  // namespace meridian::query
