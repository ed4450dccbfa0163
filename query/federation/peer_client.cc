#include "query/federation/peer_client.h"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <fstream>

#include "query/federation/internal/partials_wire.h"
#include "query/federation/internal/peer_wire.h"

namespace meridian::query::federation {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

// application/x-www-form-urlencoded, RFC 3986 unreserved characters kept.
void AppendEncoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
}

std::string EncodeForm(const std::vector<std::pair<std::string, std::string>>& form) {
  std::string out;
  for (const auto& [k, v] : form) {
    if (!out.empty()) out += '&';
    AppendEncoded(out, k);
    out += '=';
    AppendEncoded(out, v);
  }
  return out;
}

bool Readable(const std::string& path) { return std::ifstream(path).good(); }

// The first bytes of an error body, printable, for a partial-answer reason.
std::string Snippet(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 160)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7F) ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

int64_t UnixNow() {
  return duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct PeerClient::Counters {
  Counters(core::MetricsRegistry& m, const std::string& peer)
      : up(m.GetGauge("federation_peer_up", "1 while the peer is answering, 0 while it is down.",
                      {{"peer", peer}})),
        failures(m.GetCounter("federation_peer_failures_total",
                              "Peer calls that failed at the transport, with a 5xx or an "
                              "undecodable body (the peer is then down for a back-off).",
                              {{"peer", peer}})),
        busy(m.GetCounter("federation_peer_busy_total",
                          "Peer calls not made: every pooled connection stayed busy until the "
                          "call's deadline (federation.peers[].max_connections).",
                          {{"peer", peer}})),
        too_large(m.GetCounter("federation_peer_response_too_large_total",
                               "Peer answers refused past federation.peers[].max_response_bytes.",
                               {{"peer", peer}})),
        bytes(m.GetCounter("federation_peer_response_bytes_total",
                           "Decompressed bytes received from the peer.", {{"peer", peer}})),
        seconds(m.GetCounter("federation_peer_request_microseconds_total",
                             "Time spent in calls to the peer (divide by requests for the mean).",
                             {{"peer", peer}})),
        metrics(m),
        peer_name(peer) {}
  core::Counter& Calls(const char* route) {
    return metrics.GetCounter("federation_peer_requests_total", "Calls made to a peer.",
                              {{"peer", peer_name}, {"route", route}});
  }
  core::Gauge& up;
  core::Counter& failures;
  core::Counter& busy;
  core::Counter& too_large;
  core::Counter& bytes;
  core::Counter& seconds;
  core::MetricsRegistry& metrics;
  std::string peer_name;
};

core::Status PeerConfig::Validate() const {
  if (name.empty()) return core::InvalidArgument("federation.peers[].name: empty");
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7F || c == ',' || c == '"') {
      return core::InvalidArgument(fmt::format(
          "federation.peers[{}].name: only printable characters without spaces, commas or quotes",
          name));
    }
  }
  const auto where = [&](const char* field) {
    return fmt::format("federation.peers[{}].{}", name, field);
  };
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return core::InvalidArgument(where("url") + ": expected http://host:port or https://host:port");
  }
  const size_t host_at = url.find("://") + 3;
  if (host_at >= url.size() || url[host_at] == '/' || url[host_at] == ':') {
    return core::InvalidArgument(where("url") + ": no host in '" + url + "'");
  }
  if (url.find_first_of("?#", host_at) != std::string::npos) {
    return core::InvalidArgument(where("url") + ": no query or fragment, just the base URL");
  }
  if (max_connections == 0)
    return core::InvalidArgument(where("max_connections") + ": must be > 0");
  if (max_response_bytes < 1024) {
    return core::InvalidArgument(where("max_response_bytes") + ": must be at least 1024");
  }
  if (connect_timeout.count() <= 0) {
    return core::InvalidArgument(where("connect_timeout") + ": must be > 0");
  }
  if (backoff_min.count() <= 0 || backoff_max < backoff_min) {
    return core::InvalidArgument(where("backoff") + ": need 0 < backoff_min <= backoff_max");
  }
  if (cert_file.empty() != key_file.empty()) {
    return core::InvalidArgument(where("tls") + ": cert_file and key_file go together");
  }
  const bool https = url.starts_with("https://");
  if (!https && (!ca_file.empty() || !cert_file.empty())) {
    return core::InvalidArgument(where("tls") + ": TLS files given for an http:// URL");
  }
  for (const std::string* f : {&ca_file, &cert_file, &key_file}) {
    if (!f->empty() && !Readable(*f)) {
      return core::InvalidArgument(where("tls") + ": cannot read '" + *f + "'");
    }
  }
  return core::Status::Ok();
}

core::Result<std::shared_ptr<PeerClient>> PeerClient::Create(PeerConfig config,
                                                             core::MetricsRegistry& metrics) {
  RETURN_IF_ERROR(config.Validate());
  return std::shared_ptr<PeerClient>(new PeerClient(std::move(config), metrics));
}

PeerClient::PeerClient(PeerConfig config, core::MetricsRegistry& metrics)
    : config_(std::move(config)), counters_(std::make_unique<Counters>(metrics, config_.name)) {
  const size_t host_at = config_.url.find("://") + 3;
  const size_t slash = config_.url.find('/', host_at);
  origin_ = config_.url.substr(0, slash);
  if (slash != std::string::npos) base_ = config_.url.substr(slash);
  while (!base_.empty() && base_.back() == '/') base_.pop_back();
  counters_->up.Set(1);
}

PeerClient::~PeerClient() = default;

std::unique_ptr<httplib::Client> PeerClient::NewClient() const {
  auto client = config_.cert_file.empty() ? std::make_unique<httplib::Client>(origin_)
                                          : std::make_unique<httplib::Client>(
                                                origin_, config_.cert_file, config_.key_file);
  client->set_keep_alive(true);
  // The request line + headers and the form body are separate writes: without TCP_NODELAY the
  // body waits for the peer's delayed ACK (~40 ms) on every reused connection.
  client->set_tcp_nodelay(true);
  client->set_follow_location(false);
  client->set_decompress(true);
  const auto ct = config_.connect_timeout;
  client->set_connection_timeout(duration_cast<std::chrono::seconds>(ct).count(),
                                 static_cast<time_t>((ct.count() % 1000) * 1000));
  if (!config_.token.empty()) client->set_bearer_token_auth(config_.token);
  if (origin_.starts_with("https://")) {
    client->enable_server_certificate_verification(config_.tls_verify);
    if (!config_.ca_file.empty()) client->set_ca_cert_path(config_.ca_file);
  }
  return client;
}

core::Result<std::unique_ptr<httplib::Client>> PeerClient::Acquire(const core::Deadline& deadline) {
  std::unique_lock lock(mu_);
  while (true) {
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    if (open_ < config_.max_connections) {
      ++open_;
      lock.unlock();
      return NewClient();
    }
    if (deadline.Expired()) {
      counters_->busy.Add();
      return core::Unavailable(fmt::format("busy: all {} connections in use (max_connections)",
                                           config_.max_connections));
    }
    // Woken by Release; the 100 ms bound rechecks a cancelled deadline.
    idle_cv_.wait_until(lock, std::min(deadline.at(), Clock::now() + milliseconds(100)));
  }
}

void PeerClient::Release(std::unique_ptr<httplib::Client> client, bool reusable) {
  std::unique_ptr<httplib::Client> closing;
  {
    std::lock_guard lock(mu_);
    if (reusable) {
      idle_.push_back(std::move(client));
    } else {
      closing = std::move(client);
      --open_;
    }
  }
  idle_cv_.notify_one();
  // `closing` (a failed connection) closes outside the lock.
}

bool PeerClient::ShouldTry() {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  if (failures_ == 0) return now >= suspect_until_;
  if (now < down_until_) return false;
  // Half-open: this caller probes; concurrent callers skip the peer until the probe answers
  // (MarkUp lets everyone through, MarkDown starts the next back-off) — a dead peer then holds
  // one call per back-off, not every request that arrives after it. backoff_max bounds the
  // reservation should the caller not make its call.
  down_until_ = now + config_.backoff_max;
  return true;
}

void PeerClient::NoAnswerByDeadline() {
  std::lock_guard lock(mu_);
  // The late call times out ~20 ms after its deadline (its receive timeout is rounded up) and
  // then counts the failure; a read arriving in between must not wait a whole deadline again.
  suspect_until_ = std::max(suspect_until_, Clock::now() + config_.backoff_min);
}

bool PeerClient::InBackOff() const {
  std::lock_guard lock(mu_);
  return failures_ > 0;
}

void PeerClient::MarkUp() {
  std::lock_guard lock(mu_);
  failures_ = 0;
  suspect_until_ = {};
  last_ok_unix_ = UnixNow();
  counters_->up.Set(1);
}

void PeerClient::MarkDown(const std::string& error) {
  std::lock_guard lock(mu_);
  ++failures_;
  counters_->failures.Add();
  last_error_ = error;
  const int shift = static_cast<int>(std::min<uint64_t>(failures_ - 1, 20));
  const auto backoff = std::min(config_.backoff_max, config_.backoff_min * (int64_t{1} << shift));
  down_until_ = Clock::now() + backoff;
  counters_->up.Set(0);
}

PeerHealth PeerClient::Health() const {
  std::lock_guard lock(mu_);
  PeerHealth h;
  h.consecutive_failures = failures_;
  h.up = failures_ == 0 && Clock::now() >= suspect_until_;
  h.last_error = last_error_;
  h.last_ok_unix = last_ok_unix_;
  if (failures_ > 0) {
    h.retry_in_ms =
        std::max<int64_t>(0, duration_cast<milliseconds>(down_until_ - Clock::now()).count());
  }
  h.open_connections = open_;
  h.last_latency_ms = last_latency_ms_;
  h.calls = calls_;
  return h;
}

core::Result<std::string> PeerClient::Call(const char* route, bool post, const std::string& path,
                                           const Form& form, const core::Deadline& deadline) {
  RETURN_IF_ERROR(deadline.Check(route, "federation.timeout"));
  ASSIGN_OR_RETURN(std::unique_ptr<httplib::Client> client, Acquire(deadline));
  counters_->Calls(route).Add();

  // Each receive waits at most what is left of the call; the body is also checked against the
  // deadline as it arrives, so a peer trickling bytes cannot hold the call past it.
  // (Rounded up, so a receive that times out finds the deadline passed: a timeout, not a
  // broken connection.)
  const auto left =
      std::max(milliseconds(1),
               duration_cast<milliseconds>(deadline.at() - Clock::now()) + milliseconds(20));
  const auto capped = std::min(left, milliseconds(3'600'000));
  client->set_read_timeout(capped.count() / 1000,
                           static_cast<time_t>((capped.count() % 1000) * 1000));
  client->set_write_timeout(capped.count() / 1000,
                            static_cast<time_t>((capped.count() % 1000) * 1000));

  httplib::Request req;
  const std::string encoded = EncodeForm(form);
  req.method = post ? "POST" : "GET";
  req.path = base_ + path;
  // Answers (render JSON/msgpack) shrink 3–10× compressed; httplib decodes either.
  // ("identity" explicitly: without the header httplib would offer its own list.)
  req.set_header("Accept-Encoding", config_.compression ? "br, gzip" : "identity");
  if (post) {
    req.body = encoded;
    req.set_header("Content-Type", "application/x-www-form-urlencoded");
  } else if (!encoded.empty()) {
    req.path += '?' + encoded;
  }
  std::string body;
  bool too_large = false;
  bool late = false;
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    if (body.size() + n > config_.max_response_bytes) {
      too_large = true;
      return false;
    }
    if (deadline.Expired()) {
      late = true;
      return false;
    }
    body.append(data, n);
    return true;
  };
  const auto started = Clock::now();
  httplib::Result res = client->send(req);
  const auto elapsed = Clock::now() - started;
  counters_->bytes.Add(body.size());
  counters_->seconds.Add(
      static_cast<uint64_t>(duration_cast<std::chrono::microseconds>(elapsed).count()));
  {
    std::lock_guard lock(mu_);
    ++calls_;
    if (res) last_latency_ms_ = duration_cast<milliseconds>(elapsed).count();
  }

  if (too_large) {
    Release(std::move(client), false);
    counters_->too_large.Add();
    // Not a health failure: the peer works, this answer is too big for the knob.
    return core::ResourceExhausted(
        fmt::format("answer over max_response_bytes ({})", config_.max_response_bytes));
  }
  if (late || (!res && deadline.Expired())) {
    Release(std::move(client), false);
    MarkDown("timeout");
    return core::DeadlineExceeded("timeout");
  }
  if (!res) {
    Release(std::move(client), false);
    std::string why;
    switch (res.error()) {
      case httplib::Error::Connection:
        why = "cannot connect";
        break;
      case httplib::Error::Read:
        why = "connection broken while reading";
        break;
      case httplib::Error::Write:
        why = "connection broken while writing";
        break;
      case httplib::Error::SSLConnection:
        why = "TLS handshake failed";
        break;
      case httplib::Error::SSLServerVerification:
        why = "TLS: peer certificate not trusted";
        break;
      case httplib::Error::SSLLoadingCerts:
        why = "TLS: cannot load certificates";
        break;
      case httplib::Error::ConnectionTimeout:
        why = "connect timeout";
        break;
      default:
        why = "HTTP error: " + httplib::to_string(res.error());
    }
    MarkDown(why);
    return core::Unavailable(why);
  }
  const int status = res->status;
  const bool keep = res->get_header_value("Connection") != "close";
  Release(std::move(client), keep);
  if (status >= 500) {
    std::string why = fmt::format("HTTP {}: {}", status, Snippet(body));
    MarkDown(why);
    return core::Unavailable(std::move(why));
  }
  if (status == 401 || status == 403) {
    // A wrong or missing token is the operator's to fix, and the peer is no use until then.
    std::string why = fmt::format("HTTP {} (check federation.peers[{}].token): {}", status,
                                  config_.name, Snippet(body));
    MarkDown(why);
    return core::Unavailable(std::move(why));
  }
  if (status != 200) {
    MarkUp();  // it answered: alive, it just refused this query
    return core::InvalidArgument(fmt::format("HTTP {}: {}", status, Snippet(body)));
  }
  MarkUp();
  return body;
}

core::Result<std::string> PeerClient::GetJson(
    const std::string& path, const std::vector<std::pair<std::string, std::string>>& params,
    const core::Deadline& deadline) {
  if (path.empty() || path[0] != '/') {
    return core::InvalidArgument(fmt::format("peer path '{}' must start with '/'", path));
  }
  return Call("api", false, path, params, deadline);
}

namespace {

// A decoding failure is the peer's fault (a broken or foreign server): reported as unavailable.
template <typename T>
core::Result<T> Decoded(core::Result<T> r) {
  if (!r.ok()) return core::Unavailable(r.status().message());
  return r;
}

std::string Seconds(int64_t t) { return std::to_string(t); }

}  // namespace

core::Result<std::vector<storage::FindMatch>> PeerClient::Find(std::string_view pattern,
                                                               int64_t from, int64_t until,
                                                               const core::Deadline& deadline) {
  Form form{{"query", std::string(pattern)}, {"format", "msgpack"}, {"local", "1"}};
  if (from != 0) form.emplace_back("from", Seconds(from));
  if (until != 0) form.emplace_back("until", Seconds(until));
  ASSIGN_OR_RETURN(std::string body, Call("find", true, "/metrics/find", form, deadline));
  auto decoded = Decoded(internal::DecodeFindMsgpack(body));
  if (!decoded.ok()) MarkDown(decoded.status().message());
  return decoded;
}

core::Result<std::vector<storage::SeriesData>> PeerClient::Render(
    const std::vector<std::string>& targets, int64_t from, int64_t until, int64_t now,
    const core::Deadline& deadline) {
  Form form;
  for (const std::string& t : targets) form.emplace_back("target", t);
  form.emplace_back("from", Seconds(from));
  form.emplace_back("until", Seconds(until));
  form.emplace_back("now", Seconds(now));
  form.emplace_back("format", "msgpack");
  form.emplace_back("local", "1");
  form.emplace_back("noCache", "1");
  ASSIGN_OR_RETURN(std::string body, Call("render", true, "/render", form, deadline));
  auto decoded = Decoded(internal::DecodeRenderMsgpack(body));
  if (!decoded.ok()) MarkDown(decoded.status().message());
  return decoded;
}

core::Result<std::vector<std::string>> PeerClient::Expand(std::string_view pattern,
                                                          const core::Deadline& deadline) {
  ASSIGN_OR_RETURN(
      std::string body,
      Call("expand", false, "/metrics/expand",
           {{"query", std::string(pattern)}, {"leavesOnly", "1"}, {"local", "1"}}, deadline));
  return Decoded(internal::DecodeJsonNames(body, "results"));
}

core::Result<std::vector<std::string>> PeerClient::FindTagged(
    const std::vector<std::string>& expressions, const core::Deadline& deadline) {
  Form form;
  for (const std::string& e : expressions) form.emplace_back("expr", e);
  form.emplace_back("local", "1");
  ASSIGN_OR_RETURN(std::string body, Call("tags", true, "/tags/findSeries", form, deadline));
  return Decoded(internal::DecodeJsonNames(body, nullptr));
}

core::Result<std::vector<std::string>> PeerClient::TagNames(std::string_view filter, size_t limit,
                                                            const core::Deadline& deadline) {
  Form form{{"local", "1"}};
  if (!filter.empty()) form.emplace_back("filter", std::string(filter));
  if (limit != 0) form.emplace_back("limit", std::to_string(limit));
  ASSIGN_OR_RETURN(std::string body, Call("tags", false, "/tags", form, deadline));
  return Decoded(internal::DecodeJsonTagNames(body));
}

core::Result<std::vector<storage::TagValueCount>> PeerClient::TagValues(
    std::string_view tag, std::string_view filter, size_t limit, const core::Deadline& deadline) {
  Form form{{"local", "1"}};
  if (!filter.empty()) form.emplace_back("filter", std::string(filter));
  if (limit != 0) form.emplace_back("limit", std::to_string(limit));
  std::string path = "/tags/";
  AppendEncoded(path, tag);
  ASSIGN_OR_RETURN(std::string body, Call("tags", false, path, form, deadline));
  return Decoded(internal::DecodeJsonTagValues(body));
}

core::Result<std::vector<std::string>> PeerClient::AllLeaves(const core::Deadline& deadline) {
  ASSIGN_OR_RETURN(std::string body,
                   Call("index", false, "/metrics/index.json", {{"local", "1"}}, deadline));
  return Decoded(internal::DecodeJsonNames(body, nullptr));
}

core::Result<PartialAnswer> PeerClient::FetchPartials(const PartialRequest& request, int64_t from,
                                                      int64_t until, int64_t now,
                                                      const core::Deadline& deadline) {
  Form form{{"request", internal::EncodePartialRequest(request)},
            {"from", Seconds(from)},
            {"until", Seconds(until)},
            {"now", Seconds(now)},
            {"local", "1"}};
  auto body = Call("partials", true, "/api/federation/partials", form, deadline);
  if (!body.ok()) {
    if (body.status().code() == core::StatusCode::kInvalidArgument &&
        (body.status().message().starts_with("HTTP 404") ||
         body.status().message().starts_with("HTTP 405"))) {
      PartialAnswer none;
      none.fallback = "peer cannot compute partials";
      return none;
    }
    return body.status();
  }
  // Rows are held 8 bytes a value: at most the answer's size in values (each takes a byte or
  // more on the wire) and never past 8× the body bound in memory.
  const size_t max_values = std::max<size_t>(body->size(), 1024);
  auto decoded = Decoded(internal::DecodePartialAnswer(*body, max_values));
  if (!decoded.ok()) MarkDown(decoded.status().message());
  return decoded;
}

}  // namespace meridian::query::federation
