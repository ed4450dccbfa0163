// PeerClient: a Peer reached over HTTP(S) — another Meridian, or a graphite-web — spoken to with
// graphite-web's cluster protocol (the calls graphite-web's RemoteReader/RemoteFinder make), so
// either kind of peer answers unchanged:
//
//   render      POST /render       target=…&from=&until=&now=&format=msgpack&local=1
//   find        POST /metrics/find query=…&from=&until=&format=msgpack&local=1
//   expand      GET  /metrics/expand?query=…&leavesOnly=1&local=1           → {"results": […]}
//   tags        GET  /tags/findSeries?expr=…, /tags?filter=&limit=, /tags/<tag>?…,
//   /metrics/index.json
//   partials    POST /api/federation/partials request=<json>&from=&until=&now=&local=1 (Meridian
//               only: aggregate push-down, query/partials.h)
//
// local=1 makes the peer answer from its own store, so regions listing each other never loop.
//
// Connections: a keep-alive pool per peer (at most max_connections, each used by one call at a
// time; a call that finds every connection busy until its deadline is missing "busy"). TLS with
// a CA bundle and an optional client certificate (mutual TLS); a bearer token. Responses may be
// gzip/br-compressed; the decompressed body is bounded by max_response_bytes (and read against
// the call's deadline), so a hostile or broken peer costs bounded memory and time.
//
// Health: a peer that fails at the transport (refused, reset, timeout, TLS, 5xx, undecodable
// body) is "down" and skipped (ShouldTry false) for a back-off that doubles from backoff_min to
// backoff_max; the first call after it probes (concurrent calls skip the peer until that probe
// answers), and one success makes it up again. 4xx answers (a query the peer refuses) are errors of
// that call, not of the peer's health.
//
// Thread-safe: calls run concurrently from the fan-out threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "query/federation/peer.h"

namespace httplib {
class Client;
}

namespace meridian::query::federation {

struct PeerConfig {
  std::string name;  // unique; names the peer in partial answers, counters and /api/peers
  // http://host:port or https://host:port, optionally with a path prefix (graphite-web under
  // /graphite): the cluster calls are made below it.
  std::string url;
  PeerRole role = PeerRole::kRegion;
  PeerMount mount;
  std::string token;  // bearer token sent to the peer ("" = none)
  std::chrono::milliseconds connect_timeout{2000};
  size_t max_connections = 8;
  size_t max_response_bytes = 64 << 20;  // decompressed
  // Ask for br/gzip answers. Off for peers on the same LAN, where compressing costs the peer
  // more time than the bytes save (federation.peers[].compression).
  bool compression = true;
  // TLS (https URLs): verify the peer's certificate against ca_file (empty: the system's CAs);
  // cert_file/key_file: the client certificate a mutual-TLS peer asks for.
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool tls_verify = true;
  std::chrono::milliseconds backoff_min{1000};
  std::chrono::milliseconds backoff_max{30000};

  // INVALID_ARGUMENT naming the field (federation.peers[i].<field>) of a bad value.
  core::Status Validate() const;
  bool operator==(const PeerConfig&) const = default;
};

// What /api/peers shows of a peer (never its token).
struct PeerHealth {
  bool up = true;
  uint64_t consecutive_failures = 0;
  std::string last_error;    // "" until a call fails
  int64_t last_ok_unix = 0;  // 0 = never
  int64_t retry_in_ms = 0;   // while down: until the next probe
  size_t open_connections = 0;
  int64_t last_latency_ms = 0;  // the last call that got an answer
  uint64_t calls = 0;
};

class PeerClient final : public Peer {
 public:
  // INVALID_ARGUMENT for a bad config (Validate) or an unreadable TLS file.
  static core::Result<std::shared_ptr<PeerClient>> Create(PeerConfig config,
                                                          core::MetricsRegistry& metrics);
  ~PeerClient() override;
  PeerClient(const PeerClient&) = delete;
  PeerClient& operator=(const PeerClient&) = delete;

  const std::string& name() const override { return config_.name; }
  PeerRole role() const override { return config_.role; }
  const PeerMount& mount() const override { return config_.mount; }
  const PeerConfig& config() const { return config_; }
  bool ShouldTry() override;
  void NoAnswerByDeadline() override;
  bool InBackOff() const override;
  PeerHealth Health() const;

  core::Result<std::vector<storage::FindMatch>> Find(std::string_view pattern, int64_t from,
                                                     int64_t until,
                                                     const core::Deadline& deadline) override;
  core::Result<std::vector<storage::SeriesData>> Render(const std::vector<std::string>& targets,
                                                        int64_t from, int64_t until, int64_t now,
                                                        const core::Deadline& deadline) override;
  core::Result<std::vector<std::string>> Expand(std::string_view pattern,
                                                const core::Deadline& deadline) override;
  core::Result<std::vector<std::string>> FindTagged(const std::vector<std::string>& expressions,
                                                    const core::Deadline& deadline) override;
  core::Result<std::vector<std::string>> TagNames(std::string_view filter, size_t limit,
                                                  const core::Deadline& deadline) override;
  core::Result<std::vector<storage::TagValueCount>> TagValues(
      std::string_view tag, std::string_view filter, size_t limit,
      const core::Deadline& deadline) override;
  core::Result<std::vector<std::string>> AllLeaves(const core::Deadline& deadline) override;
  // POST /api/federation/partials (Meridian only; internal/partials_wire.h). A peer without the
  // route (404 or 405: a graphite-web or an older Meridian) answers a fallback, not an error.
  core::Result<PartialAnswer> FetchPartials(const PartialRequest& request, int64_t from,
                                            int64_t until, int64_t now,
                                            const core::Deadline& deadline) override;

  // GET <url prefix><path>?<params> on the same pool, TLS, token, response bound and health
  // bookkeeping as the cluster calls: the body of a 200 answer (e.g. another Meridian's
  // /api/status), or the call's error. `path` starts with '/'. Counted as route "api".
  core::Result<std::string> GetJson(const std::string& path,
                                    const std::vector<std::pair<std::string, std::string>>& params,
                                    const core::Deadline& deadline);

 private:
  struct Counters;
  using Form = std::vector<std::pair<std::string, std::string>>;
  PeerClient(PeerConfig config, core::MetricsRegistry& metrics);

  // One call: GET (path?form) or POST (form body); the decompressed body, bounded.
  core::Result<std::string> Call(const char* route, bool post, const std::string& path,
                                 const Form& form, const core::Deadline& deadline);
  core::Result<std::unique_ptr<httplib::Client>> Acquire(const core::Deadline& deadline);
  void Release(std::unique_ptr<httplib::Client> client, bool reusable);
  std::unique_ptr<httplib::Client> NewClient() const;
  void MarkUp();
  void MarkDown(const std::string& error);

  const PeerConfig config_;
  std::string origin_;  // scheme://host:port
  std::string base_;    // path prefix, no trailing '/'
  std::unique_ptr<Counters> counters_;

  mutable std::mutex mu_;
  std::condition_variable idle_cv_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
  size_t open_ = 0;
  uint64_t failures_ = 0;
  std::string last_error_;
  std::chrono::steady_clock::time_point down_until_{};
  // Set by NoAnswerByDeadline while the late call has not reported yet: skipped until then
  // (at most backoff_min); MarkUp clears it, MarkDown's back-off takes over.
  std::chrono::steady_clock::time_point suspect_until_{};
  int64_t last_ok_unix_ = 0;
  int64_t last_latency_ms_ = 0;
  uint64_t calls_ = 0;
};

}  // namespace meridian::query::federation
