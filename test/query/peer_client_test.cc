// PeerClient against real sockets: a real front door (http::Server) serving the real query
// routes over an in-memory source (the protocol round trip), plus routes that misbehave the way
// a broken or hostile peer does (hang, 500, garbage, truncated, oversized, flapping), and the
// wire decoders on malformed bodies.
#include "query/federation/peer_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "http/server.h"
#include "query/federation/federated_source.h"
#include "query/federation/internal/peer_wire.h"
#include "query/http_api.h"
#include "support/fake_series_source.h"
#include "support/hold.h"
#include "support/process.h"

namespace meridian::query::federation {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'700'000'000;

// A body exactly as given (Response::Text ends it with a newline).
http::Response Raw(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = "application/x-msgpack";
  return r;
}

core::Deadline In(milliseconds d) { return core::Deadline::After(d); }

bool Eventually(const std::function<bool()>& f) { return testing::WaitFor(f, milliseconds(5000)); }

// A msgpack body of the cluster protocol for one series (what graphite-web's umsgpack writes).
std::string OneSeriesMsgpack() {
  std::string b;
  b += '\x91';        // array(1)
  b += '\x84';        // map(4)
  b += "\xa4name";    // "name"
  b += "\xa3x.y";     // "x.y"
  b += "\xa5start";   // "start"
  b += '\x0a';        // 10
  b += "\xa4step";    // "step"
  b += '\x0a';        // 10
  b += "\xa6values";  // "values"
  b += '\x92';        // array(2)
  b += '\xc0';        // nil
  b += '\x03';        // 3
  return b;
}

class PeerClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::FakeSeriesSource::Options o;
    o.fetch = testing::FakeSeriesSource::FetchMode::kWhisperWindow;
    source_ = std::make_unique<testing::FakeSeriesSource>(o);
    std::vector<double> ramp, gaps;
    for (int i = 0; i < 30; ++i) {
      ramp.push_back(i);
      gaps.push_back(i % 3 == 0 ? std::nan("") : i * 0.5);
    }
    source_->Add("a.b.c", kNow - 300, 10, ramp);
    source_->Add("a.b.d", kNow - 300, 10, gaps);
    source_->Add("cpu;dc=eu;host=h1", kNow - 300, 10, ramp);
    source_->Add("cpu;dc=us;host=h2", kNow - 300, 10, gaps);
    ASSERT_TRUE(RegisterHttpRoutes(router_, HttpOptions{}, *source_, core::RealClock::Get(),
                                   server_metrics_)
                    .ok());
    AddRoute("/hang/render", [this](const http::Request& r) {
      hold_.Until(r.deadline);
      return http::Response::Text(200, "late");
    });
    AddRoute("/err/render",
             [](const http::Request&) { return http::Response::Text(500, "database on fire\n"); });
    AddRoute("/garbage/render", [](const http::Request&) {
      return http::Response::Text(200, "<html>not a cluster answer</html>");
    });
    AddRoute("/trunc/render", [](const http::Request&) {
      std::string b = OneSeriesMsgpack();
      b.resize(b.size() - 3);
      return Raw(200, b);
    });
    AddRoute("/bad/render", [](const http::Request&) {
      return http::Response::Text(400, "target: unknown function nope()");
    });
    AddRoute("/api/echo", [](const http::Request& r) {
      return http::Response::Json(200, "{\"q\": \"" + r.Param("q") + "\"}");
    });
    // Fails at once while flap_failing_, then answers only at the caller's deadline.
    AddRoute("/flaphang/render", [this](const http::Request& r) {
      if (flap_failing_.load()) return http::Response::Text(503, "restarting");
      hold_.Until(r.deadline);
      return http::Response::Text(200, "late");
    });
    AddRoute("/flap/render", [this](const http::Request&) {
      if (flap_failing_.load()) return http::Response::Text(503, "restarting");
      return Raw(200, OneSeriesMsgpack());
    });
    http::ServerOptions so;
    so.host = "127.0.0.1";
    so.port = 0;
    so.request_timeout = std::chrono::seconds(20);
    auto server = http::Server::Start(so, router_, tokens_, server_metrics_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  void TearDown() override {
    hold_.Release();  // hung handlers go before the server stops
    if (server_) server_->Stop(std::chrono::seconds(5));
  }

  void AddRoute(const std::string& path, http::Handler h) {
    http::Route r;
    r.methods = {http::Method::kGet, http::Method::kPost};
    r.pattern = path;
    r.scope = http::Scope::kNone;
    r.handler = std::move(h);
    ASSERT_TRUE(router_.Add(std::move(r)).ok()) << path;
  }

  std::string Url(const std::string& base = "") const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + base;
  }

  std::shared_ptr<PeerClient> Client(const std::string& base = "",
                                     const std::function<void(PeerConfig&)>& tweak = {}) {
    PeerConfig c;
    c.name = "peer";
    c.url = Url(base);
    c.backoff_min = milliseconds(20);
    c.backoff_max = milliseconds(40);
    if (tweak) tweak(c);
    auto client = PeerClient::Create(c, metrics_);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? *client : nullptr;
  }

  std::unique_ptr<testing::FakeSeriesSource> source_;
  http::Router router_;
  http::TokenStore tokens_;
  core::MetricsRegistry server_metrics_;
  core::MetricsRegistry metrics_;
  std::unique_ptr<http::Server> server_;
  std::atomic<bool> flap_failing_{true};
  testing::Hold hold_;  // the hanging routes' wait
};

TEST_F(PeerClientTest, RenderRoundTripEqualsTheSourceFetch) {
  auto peer = Client();
  auto got = peer->Render({"a.b.*"}, kNow - 200, kNow, kNow, In(milliseconds(10'000)));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  for (const storage::SeriesData& d : *got) {
    auto want = source_->Fetch(d.name, kNow - 200, kNow, ReadOptions{});
    ASSERT_TRUE(want.ok());
    EXPECT_EQ(d.start, want->start) << d.name;
    EXPECT_EQ(d.step, want->step) << d.name;
    EXPECT_EQ(d.end, want->end) << d.name;
    ASSERT_EQ(d.values.size(), want->values.size()) << d.name;
    for (size_t i = 0; i < d.values.size(); ++i) {
      if (std::isnan(want->values[i])) {
        EXPECT_TRUE(std::isnan(d.values[i])) << d.name << " " << i;
      } else {
        EXPECT_EQ(d.values[i], want->values[i]) << d.name << " " << i;
      }
    }
  }
  EXPECT_EQ((*got)[0].name, "a.b.c");
  EXPECT_TRUE(peer->Health().up);
  EXPECT_EQ(peer->Health().calls, 1u);
}

TEST_F(PeerClientTest, LargeAnswersTravelCompressedAndDecodeTheSame) {
  std::vector<double> day;
  for (int i = 0; i < 8640; ++i) day.push_back(i % 60 == 0 ? std::nan("") : 20 + (i % 7) * 0.5);
  source_->Add("big.day", kNow - 86400, 10, day);
  auto peer = Client();
  auto got = peer->Render({"big.day"}, kNow - 86400, kNow, kNow, In(milliseconds(10'000)));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  auto want = source_->Fetch("big.day", kNow - 86400, kNow, ReadOptions{});
  ASSERT_EQ((*got)[0].values.size(), want->values.size());
  for (size_t i = 0; i < want->values.size(); ++i) {
    if (std::isnan(want->values[i])) {
      EXPECT_TRUE(std::isnan((*got)[0].values[i])) << i;
    } else {
      EXPECT_EQ((*got)[0].values[i], want->values[i]) << i;
    }
  }
  // The client accepts br and gzip; the front door compressed the answer.
  const uint64_t on_wire =
      server_metrics_.GetCounter("http_compression_bytes_out_total", "").Value();
  const uint64_t decoded =
      metrics_.GetCounter("federation_peer_response_bytes_total", "", {{"peer", "peer"}}).Value();
  EXPECT_EQ(server_metrics_.GetCounter("http_compressed_responses_total", "", {{"encoding", "br"}})
                .Value(),
            1u);
  EXPECT_GT(on_wire, 0u);
  EXPECT_LT(on_wire * 3, decoded) << on_wire << " bytes on the wire for " << decoded;
}

TEST_F(PeerClientTest, APeerWithCompressionOffIsAskedForPlainAnswers) {
  std::vector<double> day(8640, 42.5);
  source_->Add("big.day", kNow - 86400, 10, day);
  auto peer = Client("", [](PeerConfig& c) { c.compression = false; });
  auto got = peer->Render({"big.day"}, kNow - 86400, kNow, kNow, In(milliseconds(10'000)));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].values.size(), day.size());
  EXPECT_EQ(server_metrics_.GetCounter("http_compression_bytes_out_total", "").Value(), 0u);
  EXPECT_GT(
      metrics_.GetCounter("federation_peer_response_bytes_total", "", {{"peer", "peer"}}).Value(),
      8640u * 8);
}

TEST_F(PeerClientTest, TaggedRenderFindExpandAndTagsRoundTrip) {
  auto peer = Client();
  const auto d = [] { return In(milliseconds(10'000)); };
  auto tagged = peer->Render({"seriesByTag('name=cpu','dc=eu')"}, kNow - 200, kNow, kNow, d());
  ASSERT_TRUE(tagged.ok()) << tagged.status().ToString();
  ASSERT_EQ(tagged->size(), 1u);
  EXPECT_EQ((*tagged)[0].name, "cpu;dc=eu;host=h1");

  auto find = peer->Find("a.*", 0, 0, d());
  ASSERT_TRUE(find.ok()) << find.status().ToString();
  ASSERT_EQ(find->size(), 1u);
  EXPECT_EQ((*find)[0].path, "a.b");
  EXPECT_FALSE((*find)[0].is_leaf);
  auto leaves = peer->Find("a.b.*", kNow - 3600, kNow, d());
  ASSERT_TRUE(leaves.ok());
  ASSERT_EQ(leaves->size(), 2u);
  EXPECT_TRUE((*leaves)[1].is_leaf);

  auto expand = peer->Expand("a.b.*", d());
  ASSERT_TRUE(expand.ok()) << expand.status().ToString();
  EXPECT_THAT(*expand, ElementsAre("a.b.c", "a.b.d"));
  auto series = peer->FindTagged({"name=cpu", "dc=~e.*"}, d());
  ASSERT_TRUE(series.ok()) << series.status().ToString();
  EXPECT_THAT(*series, ElementsAre("cpu;dc=eu;host=h1"));
  auto tags = peer->TagNames("", 0, d());
  ASSERT_TRUE(tags.ok()) << tags.status().ToString();
  EXPECT_THAT(*tags, ElementsAre("dc", "host", "name"));
  auto values = peer->TagValues("dc", "", 0, d());
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  ASSERT_EQ(values->size(), 2u);
  EXPECT_EQ((*values)[0].value, "eu");
  EXPECT_EQ((*values)[0].count, 1u);
  auto all = peer->AllLeaves(d());
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_THAT(*all, ElementsAre("a.b.c", "a.b.d"));
}

TEST_F(PeerClientTest, HangingPeerIsCutAtTheDeadlineAndThenSkipped) {
  auto peer = Client("/hang");
  auto got = peer->Render({"x"}, kNow - 60, kNow, kNow, In(milliseconds(300)));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), core::StatusCode::kDeadlineExceeded);
  const PeerHealth h = peer->Health();
  EXPECT_FALSE(h.up);
  EXPECT_EQ(h.last_error, "timeout");
  // Probed back in after the back-off, by one caller: the others skip it while the probe runs.
  EXPECT_TRUE(Eventually([&] { return peer->ShouldTry(); }));
  EXPECT_FALSE(peer->ShouldTry());
  EXPECT_FALSE(peer->ShouldTry());
}

TEST_F(PeerClientTest, AReadRightAfterAPeerMissedItsDeadlineDoesNotWaitForItAgain) {
  // The late call reports its failure a little after the fan-out gave up on it; a read arriving
  // in between skips the peer ("down") instead of waiting out federation.timeout again.
  auto peer = Client("/hang", [](PeerConfig& c) {
    c.backoff_min = milliseconds(60'000);
    c.backoff_max = milliseconds(60'000);
  });
  testing::FakeSeriesSource local;
  local.Add("a.b.c", kNow - 60, 10, {1, 2, 3});
  FederationOptions o;
  o.timeout = milliseconds(300);
  FederatedSource federated(local, {peer}, o, metrics_);
  for (const char* want : {"timeout", "down"}) {
    ReadReport report;
    ReadOptions read = ReadOptions::WithDeadline(In(milliseconds(10'000)));
    read.scope.report = &report;
    auto got = federated.FetchMatching(FetchSpec::Pattern("a.b.*"), kNow - 60, kNow, read);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->size(), 1u);
    ASSERT_EQ(report.Missing().size(), 1u);
    EXPECT_EQ(report.Missing()[0].reason, want);
  }
}

TEST_F(PeerClientTest, AProbeOfAPeerInBackOffIsWaitedForOnlyBriefly) {
  // The peer fails (503), is in back-off, then hangs: the read that probes it answers without it
  // after federation.probe_wait ("probing"), not after federation.timeout ("timeout").
  auto peer = Client("/flaphang");
  testing::FakeSeriesSource local;
  local.Add("a.b.c", kNow - 60, 10, {1, 2, 3});
  FederationOptions o;
  o.timeout = milliseconds(2'000);
  o.probe_wait = milliseconds(50);
  FederatedSource federated(local, {peer}, o, metrics_);
  auto reason = [&] {
    ReadReport report;
    ReadOptions read = ReadOptions::WithDeadline(In(milliseconds(60'000)));
    read.scope.report = &report;
    auto got = federated.FetchMatching(FetchSpec::Pattern("a.b.*"), kNow - 60, kNow, read);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    const auto missing = report.Missing();
    return missing.empty() ? std::string() : missing[0].reason;
  };
  EXPECT_THAT(reason(), HasSubstr("HTTP 503"));
  EXPECT_TRUE(peer->InBackOff());
  flap_failing_ = false;
  std::string probed;
  ASSERT_TRUE(Eventually([&] { return (probed = reason()) != "down"; }));
  EXPECT_EQ(probed, "probing");
}

TEST_F(PeerClientTest, ServerErrorGarbageAndTruncatedBodiesMarkThePeerDown) {
  for (const char* base : {"/err", "/garbage", "/trunc"}) {
    auto peer = Client(base);
    auto got = peer->Render({"x"}, kNow - 60, kNow, kNow, In(milliseconds(10'000)));
    ASSERT_FALSE(got.ok()) << base;
    EXPECT_EQ(got.status().code(), core::StatusCode::kUnavailable) << base;
    EXPECT_FALSE(peer->Health().up) << base;
    EXPECT_FALSE(peer->ShouldTry()) << base;
  }
  auto err = Client("/err")->Render({"x"}, kNow - 60, kNow, kNow, In(milliseconds(10'000)));
  EXPECT_THAT(err.status().message(), HasSubstr("HTTP 500: database on fire"));
  auto garbage = Client("/garbage")->Render({"x"}, kNow - 60, kNow, kNow, In(milliseconds(10'000)));
  EXPECT_THAT(garbage.status().message(), HasSubstr("render"));
}

TEST_F(PeerClientTest, AQueryThePeerRefusesIsAnErrorNotAnOutage) {
  auto peer = Client("/bad");
  auto got = peer->Render({"nope()"}, kNow - 60, kNow, kNow, In(milliseconds(10'000)));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(got.status().message(), HasSubstr("HTTP 400: target: unknown function"));
  EXPECT_TRUE(peer->Health().up);
  EXPECT_TRUE(peer->ShouldTry());
}

TEST_F(PeerClientTest, APeerThatComesBackIsUpAgainAfterOneSuccess) {
  auto peer = Client("/flap");
  ASSERT_FALSE(peer->Render({"x"}, kNow - 60, kNow, kNow, In(milliseconds(10'000))).ok());
  EXPECT_FALSE(peer->Health().up);
  ASSERT_FALSE(peer->Render({"x"}, kNow - 60, kNow, kNow, In(milliseconds(10'000))).ok());
  EXPECT_EQ(peer->Health().consecutive_failures, 2u);
  flap_failing_ = false;
  ASSERT_TRUE(Eventually([&] { return peer->ShouldTry(); }));
  auto got = peer->Render({"x"}, kNow - 60, kNow, kNow, In(milliseconds(10'000)));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].name, "x.y");
  EXPECT_TRUE(peer->Health().up);
  EXPECT_EQ(peer->Health().consecutive_failures, 0u);
}

TEST_F(PeerClientTest, GetJsonReturnsTheBodyAndSharesHealthWithTheClusterCalls) {
  auto client = Client();
  auto body = client->GetJson("/api/echo", {{"q", "a b&c"}}, In(milliseconds(5000)));
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(*body, "{\"q\": \"a b&c\"}");
  EXPECT_EQ(
      metrics_
          .GetCounter("federation_peer_requests_total", "", {{"peer", "peer"}, {"route", "api"}})
          .Value(),
      1u);
  auto missing = client->GetJson("/api/nothing", {}, In(milliseconds(5000)));
  EXPECT_EQ(missing.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("HTTP 404"));
  EXPECT_TRUE(client->Health().up);  // a 404 is that call's error, not an outage
  EXPECT_EQ(client->GetJson("api", {}, In(milliseconds(5000))).status().code(),
            core::StatusCode::kInvalidArgument);
  auto broken = Client("/err");
  EXPECT_FALSE(broken->GetJson("/render", {}, In(milliseconds(5000))).ok());
  EXPECT_FALSE(broken->Health().up);
}

TEST_F(PeerClientTest, RefusedConnectionIsUnavailableAndCounted) {
  PeerConfig c;
  c.name = "dead";
  c.url = "http://127.0.0.1:1";
  auto peer = PeerClient::Create(c, metrics_);
  ASSERT_TRUE(peer.ok());
  auto got = (*peer)->Render({"x"}, kNow - 60, kNow, kNow, In(milliseconds(5'000)));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(got.status().message(), "cannot connect");
  EXPECT_FALSE((*peer)->ShouldTry());
  EXPECT_EQ(metrics_.GetCounter("federation_peer_failures_total", "", {{"peer", "dead"}}).Value(),
            1u);
  EXPECT_EQ(metrics_.GetGauge("federation_peer_up", "", {{"peer", "dead"}}).Value(), 0);
}

TEST_F(PeerClientTest, AnswerOverMaxResponseBytesIsRefusedAndThePeerStaysUp) {
  std::vector<double> many(20000, 1.5);
  source_->Add("big.one", kNow - 200000, 10, many);
  auto peer = Client("", [](PeerConfig& c) { c.max_response_bytes = 4096; });
  auto got = peer->Render({"big.one"}, kNow - 200000, kNow, kNow, In(milliseconds(10'000)));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), core::StatusCode::kResourceExhausted);
  EXPECT_THAT(got.status().message(), HasSubstr("max_response_bytes (4096)"));
  EXPECT_TRUE(peer->Health().up);
  EXPECT_EQ(metrics_.GetCounter("federation_peer_response_too_large_total", "", {{"peer", "peer"}})
                .Value(),
            1u);
}

TEST_F(PeerClientTest, EveryConnectionBusyUntilTheDeadlineIsBusyNotAWait) {
  auto peer = Client("/hang", [](PeerConfig& c) { c.max_connections = 1; });
  std::thread holder(
      [&] { (void)peer->Render({"x"}, kNow - 60, kNow, kNow, In(milliseconds(1'500))); });
  ASSERT_TRUE(Eventually([&] { return peer->Health().open_connections == 1; }));
  auto got = peer->Find("a.*", 0, 0, In(milliseconds(100)));
  holder.join();
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(got.status().message(), HasSubstr("busy"));
  EXPECT_EQ(metrics_.GetCounter("federation_peer_busy_total", "", {{"peer", "peer"}}).Value(), 1u);
}

TEST_F(PeerClientTest, ConfigIsValidated) {
  PeerConfig c;
  c.name = "x";
  c.url = "ftp://host";
  EXPECT_THAT(c.Validate().message(), HasSubstr("federation.peers[x].url"));
  c.url = "http://host:80/?a=b";
  EXPECT_THAT(c.Validate().message(), HasSubstr("no query"));
  c.url = "http://host:80";
  c.ca_file = "/nonexistent/ca.pem";
  EXPECT_THAT(c.Validate().message(), HasSubstr("TLS files given for an http:// URL"));
  c.url = "https://host:443";
  EXPECT_THAT(c.Validate().message(), HasSubstr("cannot read '/nonexistent/ca.pem'"));
  c.ca_file.clear();
  c.cert_file = "/etc/hostname";
  EXPECT_THAT(c.Validate().message(), HasSubstr("go together"));
  c.cert_file.clear();
  c.name = "a b";
  EXPECT_THAT(c.Validate().message(), HasSubstr("name"));
  c.name = "ok";
  EXPECT_TRUE(c.Validate().ok());
}

// ---- the decoders, on what a broken or hostile peer may send ----

TEST(PeerWireTest, DecodesGraphiteWebRenderBodies) {
  auto got = internal::DecodeRenderMsgpack(OneSeriesMsgpack());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].name, "x.y");
  EXPECT_EQ((*got)[0].start, 10);
  EXPECT_EQ((*got)[0].end, 30);
  EXPECT_TRUE(std::isnan((*got)[0].values[0]));
  EXPECT_EQ((*got)[0].values[1], 3);
  auto empty = internal::DecodeRenderMsgpack(std::string("\x90", 1));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(PeerWireTest, MalformedRenderBodiesAreClearErrors) {
  const auto message = [](const std::string& body) {
    auto r = internal::DecodeRenderMsgpack(body);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_THAT(message(""), HasSubstr("render"));
  EXPECT_THAT(message("\x80"), HasSubstr("not a list"));  // a map
  EXPECT_THAT(message("\x91\x01"), HasSubstr("item 1 is not a map"));
  EXPECT_THAT(message("\x91\x91\x01"), HasSubstr("item 1 is not a map"));
  std::string truncated = OneSeriesMsgpack();
  truncated.pop_back();
  EXPECT_THAT(message(truncated), HasSubstr("undecodable render body"));
  std::string no_name = OneSeriesMsgpack();
  no_name.replace(no_name.find("\xa4name"), 5, "\xa4nome");
  EXPECT_THAT(message(no_name), HasSubstr("no name"));
  std::string zero_step = OneSeriesMsgpack();
  zero_step[zero_step.find("\xa4step") + 5] = '\x00';
  EXPECT_THAT(message(zero_step), HasSubstr("step is not a valid time"));
  std::string text_value = OneSeriesMsgpack();
  text_value.back() = '\xa1';
  text_value += 'z';
  EXPECT_THAT(message(text_value), HasSubstr("values[1] is not a number"));
  // A million nested arrays: refused at the depth bound, before the reader recurses.
  EXPECT_THAT(message(std::string(1, '\x91') + std::string(1, '\x81') + "\xa1k" +
                      std::string(1'000'000, '\x91')),
              HasSubstr("nests deeper"));
  // An array header claiming 4 billion elements, with none behind it.
  EXPECT_THAT(message(std::string("\xdd\xff\xff\xff\xff", 5)), HasSubstr("undecodable"));
}

TEST(PeerWireTest, FindAndJsonBodies) {
  std::string find = "\x92";
  find +=
      "\x82\xa4path\xa3"
      "a.b\xa7is_leaf\xc2";
  find +=
      "\x83\xa4path\xa5"
      "a.b.c\xa7is_leaf\xc3\xa9intervals\x91\x92\x01\x02";
  auto nodes = internal::DecodeFindMsgpack(find);
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_TRUE((*nodes)[0].has_children);
  EXPECT_TRUE((*nodes)[1].is_leaf);
  EXPECT_FALSE(internal::DecodeFindMsgpack("\x91\x81\xa4path\x01").ok());

  EXPECT_THAT(*internal::DecodeJsonNames(R"({"results": ["a", "b"]})", "results"),
              ElementsAre("a", "b"));
  EXPECT_FALSE(internal::DecodeJsonNames(R"({"results": [1]})", "results").ok());
  EXPECT_FALSE(internal::DecodeJsonNames("[", nullptr).ok());
  EXPECT_FALSE(internal::DecodeJsonNames(std::string(100000, '['), nullptr).ok());
  EXPECT_THAT(*internal::DecodeJsonTagNames(R"([{"tag": "dc"}])"), ElementsAre("dc"));
  auto values =
      internal::DecodeJsonTagValues(R"({"tag": "dc", "values": [{"count": 2, "value": "eu"}]})");
  ASSERT_TRUE(values.ok());
  EXPECT_EQ((*values)[0].count, 2u);
  EXPECT_FALSE(
      internal::DecodeJsonTagValues(R"({"values": [{"count": "x", "value": "eu"}]})").ok());
}

}  // namespace
}  // namespace meridian::query::federation
