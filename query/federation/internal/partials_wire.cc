#include "query/federation/internal/partials_wire.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

namespace meridian::query::federation::internal {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxRequestBytes = 1 << 20;
constexpr size_t kMaxRequestItems = 256;

// Containers the answer has: the top map, the group list, a group, its tags or a row. Anything
// deeper is refused before nlohmann's (recursive) msgpack reader descends further.
constexpr size_t kMaxDepth = 6;
constexpr size_t kMaxString = 64 << 10;
constexpr double kMaxTime = 1e11;  // years 1..~5000
constexpr double kMaxStep = 1e9;

bool IsInteger(double v, double bound) { return std::trunc(v) == v && std::fabs(v) <= bound; }

// Decodes the answer as it streams: top map → "groups" list → group maps → "tags" map and the
// row lists. Unknown keys are skipped (containers under them within kMaxDepth).
class AnswerSax {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  explicit AnswerSax(size_t max_values) : max_values_(max_values) {}

  bool null() { return Number(std::numeric_limits<double>::quiet_NaN(), true); }
  bool boolean(bool v) {
    if (Top() == Frame::kGroup && key_ == "nz") {
      group_.negative_zero = v;
      return true;
    }
    if (Top() == Frame::kGroup && key_ == "mi") {
      group_.mul_infinite = v;
      return true;
    }
    return Top() == Frame::kRow || Top() == Frame::kGroups || Top() == Frame::kTags
               ? Fail("unexpected boolean")
               : true;
  }
  bool number_integer(number_integer_t v) { return Number(static_cast<double>(v), false); }
  bool number_unsigned(number_unsigned_t v) { return Number(static_cast<double>(v), false); }
  bool number_float(number_float_t v, const string_t&) { return Number(v, false); }
  bool string(string_t& v) {
    if (v.size() > kMaxString) return Fail("string too long");
    switch (Top()) {
      case Frame::kTop:
        if (key_ == "fallback") answer_.fallback = v.empty() ? "peer fallback" : v;
        return true;
      case Frame::kGroup:
        if (key_ == "key") group_.key = std::move(v);
        if (key_ == "first") group_.first_name = std::move(v);
        return true;
      case Frame::kTags:
        group_.tags[key_] = std::move(v);
        return true;
      case Frame::kSkip:
        return true;
      default:
        return Fail("unexpected string");
    }
  }
  bool binary(binary_t&) { return Top() == Frame::kSkip ? true : Fail("unexpected binary"); }
  bool key(string_t& k) {
    if (k.size() > kMaxString) return Fail("key too long");
    key_ = std::move(k);
    return true;
  }
  bool start_object(std::size_t) {
    if (frames_.empty()) return Push(Frame::kTop);
    if (Top() == Frame::kGroups) {
      group_ = PartialGroup{};
      return Push(Frame::kGroup);
    }
    if (Top() == Frame::kGroup && key_ == "tags") return Push(Frame::kTags);
    if (Top() == Frame::kTop || Top() == Frame::kGroup || Top() == Frame::kSkip) {
      return Push(Frame::kSkip);
    }
    return Fail("unexpected map");
  }
  bool end_object() {
    const Frame f = Top();
    frames_.pop_back();
    if (f == Frame::kGroup) return EndGroup();
    if (f == Frame::kTags) key_.clear();
    return true;
  }
  bool start_array(std::size_t) {
    if (frames_.empty()) return Fail("the answer is not a map");
    if (Top() == Frame::kTop && key_ == "groups") return Push(Frame::kGroups);
    if (Top() == Frame::kGroup) {
      if (key_ == "count") return PushRow(nullptr, &group_.count);
      if (key_ == "sum") return PushRow(&group_.sum, nullptr);
      if (key_ == "min") return PushRow(&group_.min, nullptr);
      if (key_ == "max") return PushRow(&group_.max, nullptr);
      if (key_ == "product") return PushRow(&group_.product, nullptr);
    }
    if (Top() == Frame::kTop || Top() == Frame::kGroup || Top() == Frame::kSkip) {
      return Push(Frame::kSkip);
    }
    return Fail("unexpected list");
  }
  bool end_array() {
    frames_.pop_back();
    row_ = nullptr;
    counts_ = nullptr;
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) {
    return Fail(fmt::format("undecodable at byte {}", position));
  }

  core::Result<PartialAnswer> Finish(bool parsed) {
    if (!error_.empty()) {
      return core::InvalidArgument("partials answer: " + error_ + (where_.empty() ? "" : where_));
    }
    if (!parsed || !frames_.empty() || !saw_top_) {
      return core::InvalidArgument("partials answer: not a complete map");
    }
    if (!answer_.ok()) answer_.groups.clear();  // a fallback is the whole answer
    return std::move(answer_);
  }

 private:
  enum class Frame { kTop, kGroups, kGroup, kTags, kRow, kSkip };

  Frame Top() const { return frames_.empty() ? Frame::kSkip : frames_.back(); }
  bool Push(Frame f) {
    if (frames_.size() >= kMaxDepth) return Fail("nested too deeply");
    if (f == Frame::kTop) saw_top_ = true;
    frames_.push_back(f);
    return true;
  }
  bool PushRow(std::vector<double>* row, std::vector<uint64_t>* counts) {
    if ((row && !row->empty()) || (counts && !counts->empty())) return Fail("a row given twice");
    row_ = row;
    counts_ = counts;
    return Push(Frame::kRow);
  }
  bool Number(double v, bool is_null) {
    switch (Top()) {
      case Frame::kRow:
        if (++values_ > max_values_) return Fail("too many values");
        if (counts_ != nullptr) {
          if (is_null || !IsInteger(v, 1e15) || v < 0) return Fail("a count is not a count");
          counts_->push_back(static_cast<uint64_t>(v));
        } else {
          row_->push_back(v);
        }
        return true;
      case Frame::kGroup:
        return GroupField(v, is_null);
      case Frame::kTop:
      case Frame::kSkip:
        return true;
      default:
        return Fail("unexpected number");
    }
  }
  bool GroupField(double v, bool is_null) {
    if (is_null) return true;
    if (key_ == "members") {
      if (!IsInteger(v, 1e15) || v < 1) return Fail("bad members");
      group_.members = static_cast<uint64_t>(v);
    } else if (key_ == "start" || key_ == "end") {
      if (!IsInteger(v, kMaxTime)) return Fail("bad " + key_);
      (key_ == "start" ? group_.start : group_.end) = static_cast<int64_t>(v);
    } else if (key_ == "step") {
      if (!IsInteger(v, kMaxStep) || v < 1) return Fail("bad step");
      group_.step = static_cast<int64_t>(v);
    } else if (key_ == "q") {
      const bool sentinel = v == kExpNone || v == kExpInfinite;
      if (!IsInteger(v, 1e6) || (!sentinel && (v < -1074 || v > 1024))) return Fail("bad q");
      group_.exp_min = static_cast<int32_t>(v);
    } else if (key_ == "abs") {
      if (!(v >= 0)) return Fail("bad abs");
      group_.abs_max = v;
    } else if (key_ == "mb" || key_ == "mu" || key_ == "md") {
      // Certificates past these bounds fail ProductIsExact anyway; bounded so sums cannot wrap.
      if (!IsInteger(v, 1e8) || (key_ != "md" && v < 0) || (key_ == "md" && v > 0)) {
        return Fail("bad " + key_);
      }
      (key_ == "mb"   ? group_.mul_bits
       : key_ == "mu" ? group_.mul_exp_up
                      : group_.mul_exp_down) = static_cast<int32_t>(v);
    }
    return true;
  }
  bool EndGroup() {
    const PartialGroup& g = group_;
    where_ = fmt::format(" (group {})", answer_.groups.size() + 1);
    if (g.first_name.empty() || g.members == 0 || g.step <= 0) {
      return Fail("a group without first, members or step");
    }
    const size_t n = g.count.size();
    if (g.end - g.start != g.step * static_cast<int64_t>(n)) {
      return Fail("rows do not fit the window");
    }
    for (const std::vector<double>* row : {&g.sum, &g.min, &g.max, &g.product}) {
      if (!row->empty() && row->size() != n) return Fail("rows of different lengths");
    }
    for (uint64_t c : g.count) {
      if (c > g.members) return Fail("a count above members");
    }
    where_.clear();
    answer_.groups.push_back(std::move(group_));
    return true;
  }
  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  const size_t max_values_;
  std::vector<Frame> frames_;
  std::string key_;
  PartialAnswer answer_;
  PartialGroup group_;
  std::vector<double>* row_ = nullptr;
  std::vector<uint64_t>* counts_ = nullptr;
  size_t values_ = 0;
  bool saw_top_ = false;
  std::string error_;
  std::string where_;
};

// Integral values (counters' sums) travel as msgpack integers: 1–5 bytes instead of 5–9. -0.0
// stays a float (its sign matters), and so does anything past 2^53.
json Row(const std::vector<double>& values) {
  json out = json::array();
  for (double v : values) {
    if (std::trunc(v) == v && std::fabs(v) <= 9007199254740992.0 && !(v == 0 && std::signbit(v))) {
      out.push_back(static_cast<int64_t>(v));
    } else {
      out.push_back(v);
    }
  }
  return out;
}

}  // namespace

bool MountFitsRequest(const PeerMount& mount) {
  size_t bytes = mount.prefix.size();
  for (const auto& [k, v] : mount.tags) bytes += k.size() + v.size();
  return bytes <= kMaxMountBytes;
}

std::string EncodePartialRequest(const PartialRequest& request) {
  json j;
  if (request.spec.kind == FetchSpec::Kind::kPattern) {
    j["pattern"] = request.spec.pattern;
  } else {
    j["tags"] = request.spec.tag_expressions;
  }
  json group = json::array();
  for (const PartialNode& n : request.group_by) {
    group.push_back(n.is_tag ? json{{"t", n.tag}} : json{{"i", n.index}});
  }
  j["group"] = std::move(group);
  if (!request.group_by_tags.empty()) j["group_tags"] = request.group_by_tags;
  if (!request.mount.empty()) {
    j["mount"] = {{"prefix", request.mount.prefix}, {"tags", request.mount.tags}};
  }
  j["sum"] = request.sum;
  j["min"] = request.min;
  j["max"] = request.max;
  j["product"] = request.product;
  return j.dump();
}

core::Result<PartialRequest> DecodePartialRequest(std::string_view text) {
  if (text.size() > kMaxRequestBytes) return core::InvalidArgument("request: over 1 MiB");
  // The request's shape is two levels deep; refuse deeper nesting before building a document.
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if ((c == '[' || c == '{') && ++depth > 4) {
      return core::InvalidArgument("request: nested too deeply");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return core::InvalidArgument("request: not a JSON map");
  PartialRequest r;
  if (j.contains("pattern") && j["pattern"].is_string()) {
    r.spec = FetchSpec::Pattern(j["pattern"].get<std::string>());
  } else if (j.contains("tags") && j["tags"].is_array() && !j["tags"].empty() &&
             j["tags"].size() <= kMaxRequestItems) {
    std::vector<std::string> exprs;
    for (const json& e : j["tags"]) {
      if (!e.is_string()) return core::InvalidArgument("request: tags must be strings");
      exprs.push_back(e.get<std::string>());
    }
    r.spec = FetchSpec::Tagged(std::move(exprs));
  } else {
    return core::InvalidArgument("request: needs a pattern or tag expressions");
  }
  if (j.contains("group")) {
    const json& g = j["group"];
    if (!g.is_array() || g.size() > kMaxRequestItems) {
      return core::InvalidArgument("request: group must be a list of nodes");
    }
    for (const json& n : g) {
      PartialNode node;
      if (n.is_object() && n.contains("i") && n["i"].is_number_integer()) {
        node.index = n["i"].get<int64_t>();
      } else if (n.is_object() && n.contains("t") && n["t"].is_string()) {
        node.is_tag = true;
        node.tag = n["t"].get<std::string>();
      } else {
        return core::InvalidArgument("request: a group node is {\"i\": n} or {\"t\": tag}");
      }
      r.group_by.push_back(std::move(node));
    }
  }
  if (j.contains("group_tags")) {
    const json& t = j["group_tags"];
    if (!t.is_array() || t.size() > kMaxRequestItems) {
      return core::InvalidArgument("request: group_tags must be a list of tag names");
    }
    for (const json& tag : t) {
      if (!tag.is_string()) return core::InvalidArgument("request: group_tags must be strings");
      r.group_by_tags.push_back(tag.get<std::string>());
    }
    if (!r.group_by.empty() && !r.group_by_tags.empty()) {
      return core::InvalidArgument("request: group or group_tags, not both");
    }
  }
  if (j.contains("mount")) {
    const json& m = j["mount"];
    if (!m.is_object() || !m.contains("prefix") || !m["prefix"].is_string() ||
        !m.contains("tags") || !m["tags"].is_object() || m["tags"].size() > kMaxRequestItems) {
      return core::InvalidArgument(
          "request: mount must be {\"prefix\": s, \"tags\": {s: s}} (at most 256 tags)");
    }
    r.mount.prefix = m["prefix"].get<std::string>();
    for (const auto& [k, v] : m["tags"].items()) {
      if (!v.is_string()) return core::InvalidArgument("request: mount tags must be strings");
      r.mount.tags.emplace(k, v.get<std::string>());
    }
    if (!MountFitsRequest(r.mount)) {
      return core::InvalidArgument(fmt::format("request: mount over {} bytes", kMaxMountBytes));
    }
  }
  for (auto [field, flag] :
       {std::pair{"sum", &r.sum}, {"min", &r.min}, {"max", &r.max}, {"product", &r.product}}) {
    if (!j.contains(field)) continue;
    if (!j[field].is_boolean()) return core::InvalidArgument(fmt::format("request: {}", field));
    *flag = j[field].get<bool>();
  }
  return r;
}

std::string EncodePartialAnswer(const PartialAnswer& answer) {
  json j = json::object();
  if (!answer.ok()) {
    j["fallback"] = answer.fallback;
    auto bytes = json::to_msgpack(j);
    return std::string(bytes.begin(), bytes.end());
  }
  json groups = json::array();
  for (const PartialGroup& g : answer.groups) {
    json o = {{"key", g.key},     {"first", g.first_name}, {"members", g.members},
              {"tags", g.tags},   {"start", g.start},      {"end", g.end},
              {"step", g.step},   {"count", g.count},      {"q", g.exp_min},
              {"abs", g.abs_max}, {"nz", g.negative_zero}};
    if (!g.sum.empty()) o["sum"] = Row(g.sum);
    if (!g.min.empty()) o["min"] = Row(g.min);
    if (!g.max.empty()) o["max"] = Row(g.max);
    if (!g.product.empty()) {
      o["product"] = Row(g.product);
      o["mb"] = g.mul_bits;
      o["mu"] = g.mul_exp_up;
      o["md"] = g.mul_exp_down;
      o["mi"] = g.mul_infinite;
    }
    groups.push_back(std::move(o));
  }
  j["groups"] = std::move(groups);
  auto bytes = json::to_msgpack(j);
  return std::string(bytes.begin(), bytes.end());
}

core::Result<PartialAnswer> DecodePartialAnswer(std::string_view body, size_t max_values) {
  AnswerSax sax(max_values);
  const bool parsed = json::sax_parse(body.begin(), body.end(), &sax, json::input_format_t::msgpack,
                                      /*strict=*/true);
  return sax.Finish(parsed);
}

}  // namespace meridian::query::federation::internal
