// A real graphite-web lists Meridian in CLUSTER_SERVERS (with an empty local whisper dir), so
// everything it serves comes from Meridian through graphite-web's cluster protocol (local=1,
// format=pickle or msgpack). A recording proxy between them logs every request graphite-web
// makes, so the report says exactly which endpoints and formats Meridian must answer.
//
// By default the test asserts that graphite-web's answers equal Meridian's own /render and
// /metrics/find answers for every query (and that graphite-web asked with local=1 and the
// configured format). MERIDIAN_CLUSTER_REPORT_ONLY=1 only reports the differences.
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <ctime>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/graphite_web.h"
#include "support/meridian_process.h"
#include "support/process.h"
#include "support/render_compare.h"

namespace meridian::testing {
namespace {

using std::chrono::seconds;

// Forwards every GET/POST to 127.0.0.1:upstream unchanged and records it.
class RecordingProxy {
 public:
  explicit RecordingProxy(uint16_t upstream) : upstream_(upstream) {
    auto forward = [this](const httplib::Request& req, httplib::Response& res) {
      Forward(req, res);
    };
    server_.Get(".*", forward);
    server_.Post(".*", forward);
    port_ = static_cast<uint16_t>(server_.bind_to_any_port("127.0.0.1"));
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~RecordingProxy() {
    server_.stop();
    thread_.join();
  }

  uint16_t port() const { return port_; }
  std::vector<std::string> Requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }

 private:
  void Forward(const httplib::Request& req, httplib::Response& res) {
    httplib::Client client("127.0.0.1", upstream_);
    client.set_url_encode(false);  // Forward the request target byte for byte.
    client.set_read_timeout(seconds(30));
    auto up = req.method == "POST" ? client.Post(req.target.c_str(), req.body,
                                                 req.get_header_value("Content-Type").c_str())
                                   : client.Get(req.target.c_str());
    std::string record = fmt::format("{} {}", req.method, req.target);
    if (req.method == "POST") record += " body=" + req.body.substr(0, 300);
    if (!up) {
      res.status = 502;
      record += " -> transport error";
    } else {
      res.status = up->status;
      std::string type = up->get_header_value("Content-Type");
      res.set_content(up->body, type.empty() ? "application/octet-stream" : type.c_str());
      record += fmt::format(" -> {} {} ({} bytes)", up->status, type, up->body.size());
      if (up->status != 200) {
        std::string body = up->body.substr(0, 120);
        while (!body.empty() && body.back() == '\n') body.pop_back();
        record += ": " + body;
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    log_.push_back(std::move(record));
  }

  uint16_t upstream_;
  uint16_t port_ = 0;
  httplib::Server server_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> log_;
};

constexpr char kMeridianYaml[] = R"(storage:
  schemas:
    - pattern: '.*'
      retentions: '10s:2h,1m:2d'
  aggregation:
    - pattern: '.*'
      method: average
      xFilesFactor: 0
)";

bool ReportOnly() {
  const char* env = std::getenv("MERIDIAN_CLUSTER_REPORT_ONLY");
  return env != nullptr && std::string(env) == "1";
}

// The query parameter `key` of a request target ("/render/?a=1&b=2"), or "" if absent.
std::string QueryParam(const std::string& target, const std::string& key) {
  size_t q = target.find('?');
  if (q == std::string::npos) return "";
  std::string query = "&" + target.substr(q + 1, target.find(' ', q) - q - 1);
  size_t pos = query.find("&" + key + "=");
  if (pos == std::string::npos) return "";
  size_t start = pos + key.size() + 2;
  return query.substr(start, query.find('&', start) - start);
}

class GraphiteWebClusterTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    base_ = now - now % 60;
    auto meridian = MeridianProcess::Start({MERIDIAN_BINARY, kMeridianYaml, {}, seconds(30)});
    ASSERT_TRUE(meridian.ok()) << meridian.status().ToString();
    meridian_ = std::move(*meridian);
    std::string lines;
    for (int host = 1; host <= 3; ++host) {
      for (int64_t ts = base_ - 1800; ts < base_; ts += 10) {
        if ((ts / 10 + host) % 7 == 0) continue;  // some gaps
        lines += fmt::format("cl.web.host{:02}.mean {:.2f} {}\n", host,
                             host * 10 + static_cast<double>(ts % 600) / 7.0, ts);
        lines +=
            fmt::format("cl.web.host{:02}.count {} {}\n", host, (ts - base_ + 1800) * host, ts);
      }
    }
    for (int64_t ts = base_ - 1800; ts < base_; ts += 60) {
      lines += fmt::format("cl.tagged;dc=eu;host=a {} {}\n", ts % 97, ts);
    }
    lines += fmt::format("cl.zz.sentinel 1 {}\n", base_ - 60);
    ASSERT_TRUE(meridian_->SendTcp(lines).ok());
    ASSERT_TRUE(WaitFor(
        [&] {
          auto r = meridian_->Render("cl.zz.sentinel", std::to_string(base_ - 600),
                                     std::to_string(base_));
          return r.ok() && !r->empty() && !(*r)[0]["datapoints"].empty();
        },
        seconds(30)))
        << meridian_->Log();

    proxy_ = std::make_unique<RecordingProxy>(meridian_->http_port());
    ASSERT_NE(proxy_->port(), 0);
    GraphiteWebOptions options;
    std::string format = GetParam();
    options.cluster_servers = {
        format == "pickle"
            ? fmt::format("127.0.0.1:{}", proxy_->port())
            : fmt::format("http://127.0.0.1:{}?format={}&local=1", proxy_->port(), format)};
    options.find_timeout_seconds = 5;
    options.fetch_timeout_seconds = 10;
    auto web = GraphiteWeb::Start(options);
    ASSERT_TRUE(web.ok()) << web.status().ToString();
    web_ = std::move(*web);
  }

  int64_t base_ = 0;
  std::unique_ptr<MeridianProcess> meridian_;
  std::unique_ptr<RecordingProxy> proxy_;
  std::unique_ptr<GraphiteWeb> web_;
};

TEST_P(GraphiteWebClusterTest, GraphiteWebServesMeridianSeriesThroughClusterProtocol) {
  const bool report_only = ReportOnly();
  const std::string from = std::to_string(base_ - 1200), until = std::to_string(base_ - 60);
  int matched = 0, compared = 0;

  for (const std::string query : {"cl.*", "cl.web.*", "cl.web.host0[12].*"}) {
    auto theirs = web_->Find(query);
    auto ours = meridian_->Find(query);
    ++compared;
    bool same = theirs.ok() && ours.ok() && *theirs == *ours;
    matched += same;
    std::cout << fmt::format("[{}] find {}: {}\n", GetParam(), query,
                             same ? "MATCH"
                                  : (theirs.ok() ? theirs->dump().substr(0, 300)
                                                 : theirs.status().ToString().substr(0, 300)));
    if (!report_only) {
      EXPECT_TRUE(same) << query;
    }
  }
  {
    auto theirs = web_->Get("/metrics/index.json");
    auto ours = meridian_->Get("/metrics/index.json");
    ++compared;
    // Compared as JSON values: graphite-web writes Python's ", " separators, which no JSON
    // client cares about.
    bool same = theirs.ok() && ours.ok() && theirs->status == 200 &&
                nlohmann::json::parse(theirs->body, nullptr, false) ==
                    nlohmann::json::parse(ours->body, nullptr, false);
    matched += same;
    std::cout << fmt::format("[{}] index.json: {}\n", GetParam(),
                             same ? "MATCH"
                                  : fmt::format("graphite-web {} / meridian {}",
                                                theirs.ok() ? theirs->body.substr(0, 300) : "-",
                                                ours.ok() ? ours->body.substr(0, 300) : "-"));
    if (!report_only) {
      EXPECT_TRUE(same);
    }
  }
  // Functions are evaluated by graphite-web itself: Meridian only serves the raw series
  // (seriesByTag patterns are forwarded to the peer as they are).
  for (const std::string target :
       {"cl.web.host01.mean", "cl.web.*.mean", "cl.web.host0[23].*", "cl.nonexistent.*",
        "sumSeries(cl.web.*.count)", "aliasByNode(cl.web.*.mean,2)",
        "seriesByTag('name=cl.tagged')"}) {
    HttpParams params = {{"target", target}, {"from", from}, {"until", until}, {"format", "json"}};
    auto theirs = web_->Render(params);
    ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
    auto ours = meridian_->Get("/render", params);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    ++compared;
    std::string verdict;
    if (theirs->status != 200 || ours->status != 200) {
      verdict = fmt::format("graphite-web HTTP {} / meridian HTTP {}: {}", theirs->status,
                            ours->status, theirs->body.substr(0, 200));
    } else {
      auto e = ParseGraphiteJson(theirs->body);
      auto a = ParseGraphiteJson(ours->body);
      RenderDiff diff = e.ok() && a.ok() ? CompareRenderJson(*e, *a) : RenderDiff{};
      if (e.ok() && a.ok() && diff.match()) ++matched;
      verdict = e.ok() && a.ok() ? diff.Summary() : "unparseable answer";
    }
    std::cout << fmt::format("[{}] render {}: {}\n", GetParam(), target, verdict);
    if (!report_only) {
      EXPECT_TRUE(verdict.rfind("ok:", 0) == 0) << target << ": " << verdict;
    }
  }

  std::vector<std::string> requests = proxy_->Requests();
  std::cout << fmt::format(
      "[{}] {}/{} answers equal Meridian's own; graphite-web sent {} "
      "requests to Meridian:\n",
      GetParam(), matched, compared, requests.size());
  for (const auto& r : requests) std::cout << "    " << r << "\n";
  std::string exceptions = web_->ExceptionLog();
  if (!exceptions.empty()) {
    std::cout << "graphite-web exception.log (last 3000 bytes):\n"
              << exceptions.substr(exceptions.size() > 3000 ? exceptions.size() - 3000 : 0);
  }

  // What holds today, whatever Meridian answers: graphite-web asks Meridian through the
  // cluster protocol — finds at /metrics/find/ with local=1 and the configured format.
  ASSERT_FALSE(requests.empty()) << "graphite-web never contacted Meridian";
  bool saw_find = false;
  for (const auto& r : requests) {
    EXPECT_EQ(QueryParam(r, "local"), "1") << r;
    bool carries_format =
        r.rfind("GET /render/?", 0) == 0 || r.rfind("GET /metrics/find/?", 0) == 0;
    if (carries_format) {
      EXPECT_EQ(QueryParam(r, "format"), GetParam()) << r;
    }
    saw_find = saw_find || r.rfind("GET /metrics/find/?", 0) == 0;
  }
  EXPECT_TRUE(saw_find);
  auto version = web_->Get("/version");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->status, 200) << "graphite-web must survive a misbehaving cluster peer";
}

INSTANTIATE_TEST_SUITE_P(Formats, GraphiteWebClusterTest, ::testing::Values("pickle", "msgpack"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace meridian::testing
