#include "query/internal/functions_json.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace meridian::query::internal {
namespace {

using nlohmann::ordered_json;

// nlohmann writes infinities as null; a marker string is swapped for 1e9999 after dumping.
constexpr const char* kInfinityMarker = "\x01inf\x01";

// graphite-web's signature text: "movingAverage(seriesList, windowSize, xFilesFactor=None)".
std::string Signature(const FunctionSpec& spec) {
  std::string out = spec.name + "(";
  for (size_t i = 0; i < spec.params.size(); ++i) {
    const ParamSpec& p = spec.params[i];
    if (i) out += ", ";
    if (p.multiple) out += "*";
    out += p.name;
    if (!p.required && !p.multiple && p.default_json) out += "=" + *p.default_json;
  }
  return out + ")";
}

ordered_json Describe(const FunctionSpec& spec) {
  ordered_json params = ordered_json::array();
  for (const ParamSpec& p : spec.params) {
    ordered_json j;
    j["name"] = p.name;
    j["type"] = std::string(ParamTypeName(p.type));
    if (p.required) j["required"] = true;
    if (p.multiple) j["multiple"] = true;
    if (p.default_json && (*p.default_json == "Infinity" || *p.default_json == "inf")) {
      j["default"] = kInfinityMarker;
    } else if (p.default_json) {
      ordered_json def = ordered_json::parse(*p.default_json, nullptr, false);
      j["default"] = def.is_discarded() ? ordered_json(*p.default_json) : def;
    }
    if (!p.options.empty()) j["options"] = p.options;
    params.push_back(std::move(j));
  }
  ordered_json j;
  j["name"] = spec.name;
  j["function"] = Signature(spec);
  j["description"] = spec.description;
  j["module"] = "graphite.render.functions";
  j["group"] = spec.group;
  j["params"] = std::move(params);
  return j;
}

// Infinity defaults (intOrInf) are written as 1e9999, as graphite-web's encoder does; JSON.parse
// in Grafana reads that as Infinity.
std::string Dump(const ordered_json& j, bool pretty) {
  std::string out = pretty ? j.dump(2) : j.dump();
  const std::string marker = ordered_json(kInfinityMarker).dump();
  for (size_t pos = out.find(marker); pos != std::string::npos; pos = out.find(marker, pos)) {
    out.replace(pos, marker.size(), "1e9999");
  }
  return out;
}

std::string ParamValue(const Params& p, const std::string& key) {
  auto it = p.find(key);
  return it == p.end() ? "" : it->second;
}

}  // namespace

ApiResponse FunctionsList(const FunctionRegistry& registry, const Params& params) {
  const bool grouped =
      ParamValue(params, "grouped") == "1" || ParamValue(params, "grouped") == "true";
  const std::string group = ParamValue(params, "group");
  ordered_json out = ordered_json::object();
  for (const FunctionSpec* spec : registry.All()) {
    if (!group.empty() && spec->group != group) continue;
    if (grouped) {
      out[spec->group][spec->name] = Describe(*spec);
    } else {
      out[spec->name] = Describe(*spec);
    }
  }
  ApiResponse r;
  r.body = Dump(out, ParamValue(params, "pretty") == "1");
  std::string cb = ParamValue(params, "jsonp");
  if (!cb.empty()) {
    r.body = cb + "(" + r.body + ")";
    r.content_type = "text/javascript";
  }
  return r;
}

ApiResponse FunctionDetails(const FunctionRegistry& registry, std::string_view name,
                            const Params& params) {
  const FunctionSpec* spec = registry.Find(name);
  if (spec == nullptr) {
    return {404,
            ordered_json{{"error", fmt::format("Function \"{}\" not found", name)}}.dump(
                -1, ' ', false, ordered_json::error_handler_t::replace),
            "application/json"};
  }
  return {200, Dump(Describe(*spec), ParamValue(params, "pretty") == "1"), "application/json"};
}

}  // namespace meridian::query::internal
