#include "alerting/render_client.h"

#include <fmt/format.h>
#include <httplib.h>

#include "alerting/internal/render_parse.h"

namespace meridian::alerting {
namespace {

// An error body is quoted in messages that end up in one plugin output line.
constexpr size_t kMaxQuotedErrorBytes = 300;

// The server's message on one line, cut to a length that fits a plugin output.
std::string QuoteErrorBody(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, kMaxQuotedErrorBytes)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (body.size() > kMaxQuotedErrorBytes) out += "...";
  return out.empty() ? "(empty body)" : out;
}

core::Status HttpError(int status, std::string_view where, std::string_view body) {
  const std::string msg = fmt::format("HTTP {} from {}: {}", status, where, QuoteErrorBody(body));
  if (status >= 500) return core::Unavailable(msg);
  return core::InvalidArgument(msg);
}

// "10s", or "1.5s".
std::string Seconds(std::chrono::milliseconds d) {
  return fmt::format("{}s", static_cast<double>(d.count()) / 1000);
}

// httplib's error names are terse ("Connection"); say what happened in words, and whether the
// time ran out (httplib reports a connect or read timeout like any other failure).
core::Status TransportError(httplib::Error error, std::string_view where,
                            std::chrono::milliseconds timeout,
                            std::chrono::steady_clock::time_point start) {
  const bool timed_out = std::chrono::steady_clock::now() - start >= timeout;
  std::string what;
  switch (error) {
    case httplib::Error::Connection:
    case httplib::Error::ConnectionTimeout:
      what = timed_out ? fmt::format("could not connect within {}", Seconds(timeout))
                       : "could not connect (refused or unreachable)";
      break;
    case httplib::Error::Read:
      what = timed_out ? fmt::format("no answer within {}", Seconds(timeout))
                       : "connection closed while reading the answer";
      break;
    case httplib::Error::Write:
      what = "connection closed while sending the request";
      break;
    default:
      what = httplib::to_string(error);
  }
  return core::Unavailable(fmt::format("{}: {}", where, what));
}

}  // namespace

core::Result<std::vector<RenderedSeries>> FetchRender(std::string_view base_url,
                                                      std::string_view target,
                                                      std::string_view from, std::string_view until,
                                                      const RenderClientOptions& options) {
  ASSIGN_OR_RETURN(internal::HttpBaseUrl url, internal::ParseHttpBaseUrl(base_url));
  const std::string path = url.prefix + "/render";
  const std::string where =
      fmt::format("http://{}:{}{}/render",
                  url.host.find(':') == std::string::npos ? url.host : "[" + url.host + "]",
                  url.port, url.prefix);

  httplib::Client client(url.host, url.port);
  client.set_connection_timeout(options.timeout);
  client.set_read_timeout(options.timeout);
  client.set_write_timeout(options.timeout);
  client.set_keep_alive(false);

  httplib::Params params{
      {"target", std::string(target)}, {"from", std::string(from)}, {"format", "json"}};
  if (!until.empty()) params.emplace("until", std::string(until));

  // The read timeout bounds each read; the deadline bounds a server that trickles bytes.
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + options.timeout;
  int status = 0;
  std::string body;
  bool too_large = false;
  bool too_slow = false;
  auto on_response = [&status](const httplib::Response& res) {
    status = res.status;
    return true;
  };
  auto on_content = [&](const char* data, size_t len) {
    if (body.size() + len > options.max_response_bytes) {
      too_large = true;
      return false;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      too_slow = true;
      return false;
    }
    body.append(data, len);
    return true;
  };
  httplib::Result res = client.Get(path, params, httplib::Headers{{"Accept", "application/json"}},
                                   on_response, on_content);
  if (too_large) {
    return core::ResourceExhausted(
        fmt::format("{}: answer larger than {} bytes", where, options.max_response_bytes));
  }
  if (too_slow) {
    return core::Unavailable(
        fmt::format("{}: no complete answer within {}", where, Seconds(options.timeout)));
  }
  if (!res) return TransportError(res.error(), where, options.timeout, start);
  if (status != 200) return HttpError(status, where, body);
  return internal::ParseRenderJson(body);
}

}  // namespace meridian::alerting
