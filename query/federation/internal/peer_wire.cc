#include "query/federation/internal/peer_wire.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

namespace meridian::query::federation::internal {
namespace {

using json = nlohmann::json;

// Containers a decoder steps into; anything deeper is refused before the (recursive) msgpack
// reader descends, so a body of nested arrays cannot exhaust the stack.
constexpr size_t kMaxDepth = 8;
// Times and steps a series may carry: years 1..~5000, steps up to ~30 years.
constexpr double kMaxTime = 1e11;
constexpr double kMaxStep = 1e9;

// One scalar of a msgpack body, as the decoders need it.
struct Scalar {
  enum Kind { kNull, kBool, kNumber, kString } kind = kNull;
  bool boolean = false;
  double number = 0;
  std::string text;
};

// The shape of both cluster bodies: a list of maps whose fields are scalars, except one field
// (`list_key`) that may hold a list of scalars. Subclasses take the fields; containers under
// other keys are skipped (bounded by kMaxDepth).
class ListOfMapsSax {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  explicit ListOfMapsSax(const char* what, const char* list_key)
      : what_(what), list_key_(list_key) {}
  virtual ~ListOfMapsSax() = default;

  bool null() { return OnScalar(Scalar{}); }
  bool boolean(bool v) {
    Scalar s;
    s.kind = Scalar::kBool;
    s.boolean = v;
    return OnScalar(s);
  }
  bool number_integer(number_integer_t v) { return Number(static_cast<double>(v)); }
  bool number_unsigned(number_unsigned_t v) { return Number(static_cast<double>(v)); }
  bool number_float(number_float_t v, const string_t&) { return Number(v); }
  bool string(string_t& v) {
    Scalar s;
    s.kind = Scalar::kString;
    s.text = std::move(v);
    return OnScalar(s);
  }
  bool binary(binary_t& v) {  // umsgpack on Python 2 sends str as bin
    Scalar s;
    s.kind = Scalar::kString;
    s.text.assign(v.begin(), v.end());
    return OnScalar(s);
  }
  bool start_object(std::size_t) {
    if (frames_.empty()) return Fail(fmt::format("the {} body is not a list", what_));
    if (frames_.back() == Frame::kList) {
      frames_.push_back(Frame::kItem);
      ++items_;
      key_.clear();
      StartItem();
      return true;
    }
    return Skip();
  }
  bool end_object() { return Pop(); }
  bool start_array(std::size_t) {
    if (frames_.empty()) {
      frames_.push_back(Frame::kList);
      return true;
    }
    if (frames_.back() == Frame::kItem && key_ == list_key_) {
      frames_.push_back(Frame::kInnerList);
      ListStarted();
      return true;
    }
    if (frames_.back() == Frame::kList) {
      return Fail(fmt::format("{} item {} is not a map", what_, items_ + 1));
    }
    return Skip();
  }
  bool end_array() { return Pop(); }
  bool key(string_t& k) {
    if (frames_.back() == Frame::kItem) key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    // nlohmann's message names the format and the byte; keep its last part.
    std::string m = e.what();
    const size_t colon = m.rfind(": ");
    if (colon != std::string::npos) m = m.substr(colon + 2);
    return Fail(fmt::format("undecodable {} body at byte {}: {}", what_, position, m));
  }

  const char* what() const { return what_; }

  core::Status Finish(bool parsed) {
    if (!error_.empty()) return core::InvalidArgument(error_);
    if (!parsed || !frames_.empty() || !saw_list_) {
      return core::InvalidArgument(fmt::format("the {} body is not a complete list", what_));
    }
    return core::Status::Ok();
  }

 protected:
  // An item's field (key_) or an element of its list field.
  virtual bool Field(const std::string& key, const Scalar& value) = 0;
  virtual bool ListElement(const Scalar& value) = 0;
  virtual void ListStarted() {}
  virtual void StartItem() = 0;
  virtual bool EndItem() = 0;
  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }
  size_t items() const { return items_; }

 private:
  enum class Frame { kList, kItem, kInnerList, kSkip };

  bool Number(double v) {
    Scalar s;
    s.kind = Scalar::kNumber;
    s.number = v;
    return OnScalar(s);
  }
  bool OnScalar(const Scalar& s) {
    if (frames_.empty()) return Fail(fmt::format("the {} body is not a list", what_));
    switch (frames_.back()) {
      case Frame::kList:
        return Fail(fmt::format("{} item {} is not a map", what_, items_ + 1));
      case Frame::kItem:
        return Field(key_, s);
      case Frame::kInnerList:
        return ListElement(s);
      case Frame::kSkip:
        return true;
    }
    return true;
  }
  bool Skip() {
    if (frames_.size() >= kMaxDepth) {
      return Fail(fmt::format("the {} body nests deeper than {}", what_, kMaxDepth));
    }
    frames_.push_back(Frame::kSkip);
    return true;
  }
  bool Pop() {
    const Frame f = frames_.back();
    frames_.pop_back();
    if (f == Frame::kList) saw_list_ = true;
    if (f == Frame::kItem) return EndItem();
    return true;
  }

  const char* what_;
  const char* list_key_;
  std::vector<Frame> frames_;
  std::string key_;
  size_t items_ = 0;
  bool saw_list_ = false;
  std::string error_;
};

std::optional<int64_t> WholeTime(const Scalar& s, double limit) {
  if (s.kind != Scalar::kNumber || !std::isfinite(s.number) || std::fabs(s.number) > limit) {
    return std::nullopt;
  }
  return static_cast<int64_t>(std::floor(s.number));
}

class RenderSax final : public ListOfMapsSax {
 public:
  RenderSax() : ListOfMapsSax("render", "values") {}
  std::vector<storage::SeriesData> out;

 private:
  void StartItem() override {
    current_ = {};
    has_name_ = has_start_ = has_step_ = has_values_ = false;
  }
  bool Field(const std::string& key, const Scalar& v) override {
    if (key == "name") {
      if (v.kind != Scalar::kString || v.text.empty()) return Bad("name is not a non-empty string");
      current_.name = v.text;
      has_name_ = true;
    } else if (key == "start" || key == "step") {
      const bool step = key == "step";
      auto t = WholeTime(v, step ? kMaxStep : kMaxTime);
      if (!t || (step && *t <= 0)) return Bad(fmt::format("{} is not a valid time", key));
      (step ? current_.step : current_.start) = *t;
      (step ? has_step_ : has_start_) = true;
    }
    if (key == "values") return Bad("values is not a list");
    return true;  // end (recomputed), pathExpression, consolidationFunc, …: not needed
  }
  void ListStarted() override { has_values_ = true; }
  bool ListElement(const Scalar& v) override {
    if (v.kind == Scalar::kNull) {
      current_.values.push_back(std::numeric_limits<double>::quiet_NaN());
    } else if (v.kind == Scalar::kNumber) {
      current_.values.push_back(v.number);
    } else {
      return Bad(fmt::format("values[{}] is not a number or null", current_.values.size()));
    }
    return true;
  }
  bool EndItem() override {
    if (!has_name_) return Bad("it has no name");
    if (!has_start_ || !has_step_) return Bad("it has no start or step");
    if (!has_values_) return Bad("it has no values");
    const double end =
        static_cast<double>(current_.start) +
        static_cast<double>(current_.step) * static_cast<double>(current_.values.size());
    if (end > kMaxTime) return Bad("it ends past year 5000");
    current_.end = current_.start + current_.step * static_cast<int64_t>(current_.values.size());
    out.push_back(std::move(current_));
    return true;
  }
  bool Bad(const std::string& why) {
    return Fail(fmt::format("render series {}{}: {}", items(),
                            current_.name.empty() ? "" : " '" + current_.name.substr(0, 200) + "'",
                            why));
  }

  storage::SeriesData current_;
  bool has_name_ = false, has_start_ = false, has_step_ = false, has_values_ = false;
};

class FindSax final : public ListOfMapsSax {
 public:
  FindSax() : ListOfMapsSax("find", "") {}
  std::vector<storage::FindMatch> out;

 private:
  void StartItem() override {
    current_ = {};
    has_path_ = false;
  }
  bool Field(const std::string& key, const Scalar& v) override {
    if (key == "path") {
      if (v.kind != Scalar::kString || v.text.empty()) return Bad("path is not a non-empty string");
      current_.path = v.text;
      has_path_ = true;
    } else if (key == "is_leaf") {
      if (v.kind != Scalar::kBool) return Bad("is_leaf is not a boolean");
      current_.is_leaf = v.boolean;
    }
    return true;
  }
  bool ListElement(const Scalar&) override { return true; }
  bool EndItem() override {
    if (!has_path_) return Bad("it has no path");
    current_.has_children = !current_.is_leaf;
    out.push_back(std::move(current_));
    return true;
  }
  bool Bad(const std::string& why) { return Fail(fmt::format("find node {}: {}", items(), why)); }

  storage::FindMatch current_;
  bool has_path_ = false;
};

// Runs one of the SAX decoders above over a msgpack body; its `out` on success.
template <typename Sax>
auto DecodeMsgpack(std::string_view body) -> core::Result<decltype(Sax().out)> {
  Sax sax;
  bool parsed = false;
  try {
    parsed = json::sax_parse(body.begin(), body.end(), &sax, json::input_format_t::msgpack);
  } catch (const std::exception& e) {  // the reader's own limits (e.g. allocation)
    return core::InvalidArgument(fmt::format("undecodable {} body: {}", sax.what(), e.what()));
  }
  RETURN_IF_ERROR(sax.Finish(parsed));
  return std::move(sax.out);
}

core::Result<json> ParseJson(std::string_view body, const char* what) {
  json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    return core::InvalidArgument(fmt::format("{}: the body is not JSON", what));
  return doc;
}

}  // namespace

core::Result<std::vector<storage::SeriesData>> DecodeRenderMsgpack(std::string_view body) {
  return DecodeMsgpack<RenderSax>(body);
}

core::Result<std::vector<storage::FindMatch>> DecodeFindMsgpack(std::string_view body) {
  return DecodeMsgpack<FindSax>(body);
}

core::Result<std::vector<std::string>> DecodeJsonNames(std::string_view body, const char* key) {
  const char* what = key ? "expand" : "names";
  ASSIGN_OR_RETURN(json doc, ParseJson(body, what));
  const json* list = &doc;
  if (key) {
    if (!doc.is_object() || !doc.contains(key)) {
      return core::InvalidArgument(fmt::format("{}: no \"{}\" in the answer", what, key));
    }
    list = &doc[key];
  }
  if (!list->is_array()) return core::InvalidArgument(fmt::format("{}: not a list", what));
  std::vector<std::string> out;
  out.reserve(list->size());
  for (const json& v : *list) {
    if (!v.is_string())
      return core::InvalidArgument(fmt::format("{}: a name is not a string", what));
    out.push_back(v.get<std::string>());
  }
  return out;
}

core::Result<std::vector<std::string>> DecodeJsonTagNames(std::string_view body) {
  ASSIGN_OR_RETURN(json doc, ParseJson(body, "tags"));
  if (!doc.is_array()) return core::InvalidArgument("tags: not a list");
  std::vector<std::string> out;
  out.reserve(doc.size());
  for (const json& v : doc) {
    if (!v.is_object() || !v.contains("tag") || !v["tag"].is_string()) {
      return core::InvalidArgument("tags: an entry has no \"tag\" string");
    }
    out.push_back(v["tag"].get<std::string>());
  }
  return out;
}

core::Result<std::vector<storage::TagValueCount>> DecodeJsonTagValues(std::string_view body) {
  ASSIGN_OR_RETURN(json doc, ParseJson(body, "tag values"));
  if (!doc.is_object() || !doc.contains("values") || !doc["values"].is_array()) {
    return core::InvalidArgument("tag values: no \"values\" list");
  }
  std::vector<storage::TagValueCount> out;
  for (const json& v : doc["values"]) {
    if (!v.is_object() || !v.contains("value") || !v["value"].is_string()) {
      return core::InvalidArgument("tag values: an entry has no \"value\" string");
    }
    storage::TagValueCount c;
    c.value = v["value"].get<std::string>();
    if (v.contains("count")) {
      if (!v["count"].is_number_unsigned() && !v["count"].is_number_integer()) {
        return core::InvalidArgument("tag values: a count is not a whole number");
      }
      const int64_t n = v["count"].get<int64_t>();
      c.count = n < 0 ? 0 : static_cast<size_t>(n);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace meridian::query::federation::internal
