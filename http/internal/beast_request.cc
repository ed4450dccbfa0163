#include "http/internal/beast_request.h"

#include <iterator>

#include "core/ascii.h"
#include "http/form.h"

namespace meridian::http::internal {

void LimitParser(RequestParser& parser, size_t max_header_bytes, size_t max_body_bytes) {
  parser.header_limit(static_cast<uint32_t>(max_header_bytes));
  parser.body_limit(max_body_bytes);
}

Method MethodOf(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get:
      return Method::kGet;
    case bhttp::verb::head:
      return Method::kHead;
    case bhttp::verb::post:
      return Method::kPost;
    case bhttp::verb::put:
      return Method::kPut;
    case bhttp::verb::delete_:
      return Method::kDelete;
    case bhttp::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

core::Status ToRequest(bhttp::request<bhttp::string_body>& in, Request& out) {
  out.method = MethodOf(in.method());
  std::string_view target(in.target().data(), in.target().size());
  const size_t q = target.find('?');
  auto path = PercentDecode(target.substr(0, q), false);
  if (!path.ok()) return core::InvalidArgument("request path: " + path.status().message());
  out.path = std::move(*path);
  if (q != std::string_view::npos) {
    RETURN_IF_ERROR(ParseUrlEncoded(target.substr(q + 1), out.params));
  }
  out.headers.reserve(static_cast<size_t>(std::distance(in.begin(), in.end())));
  for (const auto& field : in) {
    std::string name(field.name_string());
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  out.body = std::move(in.body());
  const std::string_view type = out.Header("content-type");
  // A JSON document sent with curl's default form type (`curl -d '{"what": "50% done"}'`, as
  // graphite-web's events docs show) is a JSON body, not a form: Django leaves request.body to
  // the view either way.
  const size_t first = out.body.find_first_not_of(" \t\r\n");
  const bool json_like =
      first != std::string::npos && (out.body[first] == '{' || out.body[first] == '[');
  if (!json_like &&
      core::EqualsIgnoreAsciiCase(type.substr(0, 33), "application/x-www-form-urlencoded")) {
    RETURN_IF_ERROR(ParseUrlEncoded(out.body, out.params));
  }
  return core::Status::Ok();
}

}  // namespace meridian::http::internal
