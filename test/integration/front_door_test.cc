// The front door as an attacker and a crowd of clients try it: floods of idle and slow
// connections, bursts, slow readers, oversized and malformed requests, tokens and TLS — against
// the real binary on loopback. No timing assertions: each test checks what is answered, and
// client timeouts only catch hangs.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/decompress.h"
#include "support/meridian_process.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/raw_http.h"

namespace meridian::testing {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<MeridianProcess> StartMeridian(const std::string& yaml, bool tls = false) {
  MeridianOptions o;
  o.binary = MERIDIAN_BINARY;
  o.config_yaml = yaml;
  o.tls = tls;
  auto p = MeridianProcess::Start(o);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : nullptr;
}

std::string Get(const std::string& target, const std::string& extra = "") {
  return fmt::format("GET {} HTTP/1.1\r\nHost: t\r\n{}\r\n", target, extra);
}

std::string Post(const std::string& path, const std::string& body, const std::string& extra = "") {
  return fmt::format(
      "POST {} HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: {}\r\n{}\r\n{}",
      path, body.size(), extra, body);
}

// The value of one self-metric sample in /metrics ("name{labels}"), or -1.
double Metric(const MeridianProcess& m, const std::string& sample,
              const std::string& auth_header = "") {
  auto r = RawRequest(m.http_port(), Get("/metrics", auth_header));
  if (!r.ok() || r->status != 200) return -1;
  const std::string& body = r->body;
  const std::string key = "\nmeridian_" + sample + " ";
  const size_t pos = body.find(key);
  if (pos == std::string::npos) return -1;
  return std::stod(body.substr(pos + key.size()));
}

bool WaitUntil(const std::function<bool()>& cond, std::chrono::seconds limit = 30s) {
  return WaitFor(cond, limit);
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// Waits until `count` leaves match `pattern` (points are applied moments after they arrive).
bool WaitForLeaves(const MeridianProcess& m, const std::string& pattern, size_t count) {
  return WaitUntil([&] {
    auto r = RawRequest(m.http_port(), Get("/metrics/expand?leavesOnly=1&query=" + pattern), 10s);
    if (!r.ok() || r->status != 200) return false;
    size_t n = 0;
    for (size_t pos = 0; (pos = r->body.find("\"", pos)) != std::string::npos; pos += 1) ++n;
    return n / 2 >= count + 1;  // the "results" key, then one string per leaf
  });
}

// ---------------------------------------------------------------------------------------------
// Connections

TEST(FrontDoorTest, ThousandsOfIdleAndSlowHeaderConnectionsDoNotStallOthers) {
  ASSERT_GE(RaiseOpenFileLimit(9000), 8500u);
  auto m = StartMeridian("");
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->SendTcp(fmt::format("door.cpu 1 {}\n", Now() - 30)).ok());
  ASSERT_TRUE(WaitForLeaves(*m, "door.*", 1));
  std::vector<RawConnection> idle, slow;
  for (int i = 0; i < 2000; ++i) {
    auto c = RawConnection::Connect(m->http_port());
    ASSERT_TRUE(c.ok()) << i << ": " << c.status().ToString();
    ASSERT_TRUE(c->Send(Get("/health")).ok());
    auto r = c->Read();
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().ToString();
    ASSERT_EQ(r->status, 200);
    idle.push_back(std::move(*c));  // keep-alive, now idle
  }
  for (int i = 0; i < 2000; ++i) {
    auto c = RawConnection::Connect(m->http_port());
    ASSERT_TRUE(c.ok()) << i << ": " << c.status().ToString();
    ASSERT_TRUE(c->Send("GET /render?target=door.cpu HTTP/1.1\r\nHost: t\r\nX-Slow: ").ok());
    slow.push_back(std::move(*c));  // headers never finish
  }
  EXPECT_GE(Metric(*m, "http_connections_open"), 4000);
  for (int i = 0; i < 20; ++i) {
    auto h = RawRequest(m->http_port(), Get("/health"), 10s);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    EXPECT_EQ(h->status, 200);
    auto r = RawRequest(m->http_port(), Get("/render?target=door.cpu&from=-5min"), 10s);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_NE(r->body.find("door.cpu"), std::string::npos);
  }
  // The idle ones are still usable.
  ASSERT_TRUE(idle[1234].Send(Get("/version")).ok());
  auto v = idle[1234].Read();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->status, 200);
}

TEST(FrontDoorTest, ConnectionCapAnswers503NamingTheKnob) {
  auto m = StartMeridian("http: { max_connections: 20 }\n");
  ASSERT_TRUE(m);
  std::vector<RawConnection> held;
  for (int i = 0; i < 20; ++i) {
    auto c = RawConnection::Connect(m->http_port());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->Send(Get("/health")).ok());
    ASSERT_TRUE(c->Read().ok());
    held.push_back(std::move(*c));
  }
  auto extra = RawConnection::Connect(m->http_port());
  ASSERT_TRUE(extra.ok());
  auto r = extra->Read(10s);  // answered at accept, before any request
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("http.max_connections"), std::string::npos) << r->body;
  held.clear();
  EXPECT_TRUE(WaitUntil([&] {
    auto h = RawRequest(m->http_port(), Get("/health"), 5s);
    return h.ok() && h->status == 200;
  }));
  EXPECT_GE(Metric(*m, "http_limit_rejections_total{limit=\"max_connections\"}"), 1);
}

TEST(FrontDoorTest, BurstOf200NewConnectionsIsAllAnswered) {
  auto m = StartMeridian("");
  ASSERT_TRUE(m);
  std::vector<RawConnection> conns;
  for (int i = 0; i < 200; ++i) {
    auto c = RawConnection::Connect(m->http_port());
    ASSERT_TRUE(c.ok()) << i << ": " << c.status().ToString();
    conns.push_back(std::move(*c));
  }
  for (auto& c : conns) ASSERT_TRUE(c.Send(Get("/metrics/find?query=*")).ok());
  int ok = 0;
  for (auto& c : conns) {
    auto r = c.Read(30s);
    if (r.ok() && r->status == 200) ++ok;
  }
  EXPECT_EQ(ok, 200);
}

TEST(FrontDoorTest, SlowAndIdleClientsAreClosedByTheirTimeouts) {
  auto m = StartMeridian("http: { header_timeout: 500ms, idle_timeout: 500ms }\n");
  ASSERT_TRUE(m);
  auto slow = RawConnection::Connect(m->http_port());
  ASSERT_TRUE(slow.ok());
  ASSERT_TRUE(slow->Send("GET /health HTTP/1.1\r\nHost:").ok());
  EXPECT_TRUE(slow->WaitClosed(20s));
  auto idle = RawConnection::Connect(m->http_port());
  ASSERT_TRUE(idle.ok());
  ASSERT_TRUE(idle->Send(Get("/health")).ok());
  ASSERT_TRUE(idle->Read().ok());
  EXPECT_TRUE(idle->WaitClosed(20s));
  EXPECT_GE(Metric(*m, "http_timeouts_total{phase=\"header\"}"), 1);
  EXPECT_GE(Metric(*m, "http_timeouts_total{phase=\"idle\"}"), 1);
}

TEST(FrontDoorTest, ASlowReaderOfALargeAnswerHoldsNoWorker) {
  auto m = StartMeridian("http: { write_timeout: 1s, worker_threads: 1 }\n");
  ASSERT_TRUE(m);
  // A long name over five years in CSV: tens of megabytes, more than loopback buffers hold.
  const std::string name = "big." + std::string(200, 'n');
  ASSERT_TRUE(m->SendTcp(fmt::format("{} 1 {}\n", name, Now() - 30)).ok());
  ASSERT_TRUE(WaitForLeaves(*m, "big.*", 1));  // stored, so the answer is big
  auto reader = RawConnection::Connect(m->http_port(), 4096);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(reader->Send(Get("/render?format=csv&from=-5y&target=" + name)).ok());
  // With one worker: if the writer held it, nothing else would be answered.
  for (int i = 0; i < 5; ++i) {
    auto r = RawRequest(m->http_port(), Get("/metrics/find?query=big.*"), 10s);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_TRUE(WaitUntil([&] { return Metric(*m, "http_timeouts_total{phase=\"write\"}") >= 1; }));
  EXPECT_TRUE(reader->WaitClosed(20s));
}

// A render longer than http.stream_min_bytes goes out chunked as it is written: the same bytes
// as the answer built whole (plain and brotli), and one that passes http.max_response_bytes
// after its status was sent is cut off — the client sees a truncated body, never a short one.
TEST(FrontDoorTest, ALargeRenderIsStreamedAsTheSameBytesAsAWholeOne) {
  auto streamed = StartMeridian("http: { max_response_bytes: 8388608 }\n");
  auto whole = StartMeridian("http: { stream_min_bytes: 0 }\n");
  ASSERT_TRUE(streamed && whole);
  const std::string name = "big." + std::string(200, 'n');
  for (auto* m : {streamed.get(), whole.get()}) {
    ASSERT_TRUE(m->SendTcp(fmt::format("{} 1 {}\n", name, Now() - 30)).ok());
    ASSERT_TRUE(WaitForLeaves(*m, "big.*", 1));
  }
  // Five years of 10-minute slots: ~5 MB of json, ~60 MB of csv.
  const std::string json = Get("/render?format=json&from=-5y&until=-1h&target=" + name);
  auto a = RawRequest(streamed->http_port(), json, 60s);
  auto b = RawRequest(whole->http_port(), json, 60s);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(a->headers["transfer-encoding"], "chunked");
  EXPECT_EQ(b->headers.count("transfer-encoding"), 0u);
  EXPECT_GT(b->body.size(), 4u << 20);
  EXPECT_EQ(a->body, b->body);
  auto br = RawRequest(
      streamed->http_port(),
      Get("/render?format=json&from=-5y&until=-1h&target=" + name, "Accept-Encoding: br\r\n"), 60s);
  ASSERT_TRUE(br.ok());
  EXPECT_EQ(br->headers["content-encoding"], "br");
  EXPECT_EQ(br->headers["transfer-encoding"], "chunked");
  EXPECT_EQ(Unbrotli(br->body), b->body);
  EXPECT_EQ(Metric(*streamed, "http_streamed_responses_total"), 2);
  EXPECT_EQ(Metric(*whole, "http_streamed_responses_total"), 0);

  const std::string csv = Get("/render?format=csv&from=-5y&until=-1h&target=" + name);
  auto full = RawRequest(whole->http_port(), csv, 120s);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->status, 200);
  EXPECT_GT(full->body.size(), 8u << 20);
  auto cut = RawRequest(streamed->http_port(), csv, 120s);
  ASSERT_FALSE(cut.ok());  // 200, then the body never ends
  EXPECT_EQ(cut.status().code(), core::StatusCode::kUnavailable) << cut.status().ToString();
  EXPECT_EQ(Metric(*streamed, "http_streams_aborted_total"), 1);
  EXPECT_EQ(Metric(*streamed, "http_limit_rejections_total{limit=\"response_bytes\"}"), 1);
  EXPECT_NE(streamed->Log().find("cut off after its status was sent"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Parsing and limits

TEST(FrontDoorTest, BodiesHeadersAndUrlsPastTheirLimitsAreRefusedClearly) {
  auto m = StartMeridian(
      "http: { max_body_bytes: 1048576, max_header_fields: 50, max_header_bytes: 16384,"
      " max_url_bytes: 4096 }\n");
  ASSERT_TRUE(m);
  // Chunked: no Content-Length to refuse up front; the limit applies while reading.
  auto c = RawConnection::Connect(m->http_port());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->Send("POST /render HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                      "Content-Type: application/x-www-form-urlencoded\r\n\r\n")
                  .ok());
  const std::string chunk = fmt::format("{:x}\r\n{}\r\n", 65536, std::string(65536, 'a'));
  for (int i = 0; i < 32; ++i) {
    if (!c->Send(chunk).ok()) break;  // the server may stop reading once past the limit
  }
  auto r = c->Read();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("http.max_body_bytes"), std::string::npos) << r->body;

  r = RawRequest(m->http_port(), Post("/render", std::string(2 << 20, 'a')));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);

  std::string many;
  for (int i = 0; i < 60; ++i) many += fmt::format("X-H{}: v\r\n", i);
  r = RawRequest(m->http_port(), Get("/health", many));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 431);
  EXPECT_NE(r->body.find("http.max_header_fields"), std::string::npos);

  r = RawRequest(m->http_port(), Get("/health", "X-Big: " + std::string(20000, 'b') + "\r\n"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 431);

  r = RawRequest(m->http_port(), Get("/render?target=" + std::string(5000, 'a')));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 414);

  // Still serving.
  r = RawRequest(m->http_port(), Get("/health"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
}

TEST(FrontDoorTest, AnEightMegabyteFormPostIsAccepted) {
  auto m = StartMeridian("");
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->SendTcp(fmt::format("form.a 5 {}\n", Now() - 30)).ok());
  ASSERT_TRUE(WaitForLeaves(*m, "form.*", 1));
  // Grafana POSTs render forms; big panels carry long target lists.
  const std::string body =
      "target=form.a&from=-10min&format=json&pad=" + std::string((8 << 20) - 4096, 'x');
  auto r = RawRequest(m->http_port(), Post("/render", body, "Expect: 100-continue\r\n"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200) << r->body.substr(0, 200);
  EXPECT_NE(r->body.find("form.a"), std::string::npos);
}

TEST(FrontDoorTest, ValuesSplitOnTheFirstEqualsLikeGraphiteWeb) {
  auto m = StartMeridian("");
  ASSERT_TRUE(m);
  auto r = RawRequest(m->http_port(), Post("/tags/tagSeries", "path=cpu;dc=dc7;env=prod"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "\"cpu;dc=dc7;env=prod\"");
  r = RawRequest(m->http_port(), Get("/render?target=seriesByTag('dc=dc1')&from=-5min"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST(FrontDoorTest, BadEncodingAndWrongMethodsGetClearErrors) {
  auto m = StartMeridian("");
  ASSERT_TRUE(m);
  auto r = RawRequest(m->http_port(), Get("/render?target=a%ZZb"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("percent-encoding"), std::string::npos) << r->body;
  // Bytes that are not UTF-8 are not a server error.
  r = RawRequest(m->http_port(), Post("/tags/tagSeries", "path=%FF%FE;a=b"));
  ASSERT_TRUE(r.ok());
  EXPECT_LT(r->status, 500);
  EXPECT_FALSE(r->body.empty());
  r = RawRequest(m->http_port(), Get("/tags/findSeries?expr=name=%FF%FE"));
  ASSERT_TRUE(r.ok());
  EXPECT_LT(r->status, 500) << r->body;
  // A mutating route refuses GET instead of answering 200 having done nothing.
  for (const char* path : {"/tags/delSeries?path=a;b=c", "/tags/tagSeries?path=a;b=c"}) {
    r = RawRequest(m->http_port(), Get(path));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 405) << path;
    EXPECT_EQ(r->headers["allow"], "POST");
  }
  r = RawRequest(m->http_port(), "NONSENSE\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400);
}

TEST(FrontDoorTest, PipelinedRequestsAreAnsweredInOrder) {
  auto m = StartMeridian("");
  ASSERT_TRUE(m);
  auto c = RawConnection::Connect(m->http_port());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->Send(Get("/version") + Get("/health") + Get("/nowhere")).ok());
  auto a = c->Read(), b = c->Read(), d = c->Read();
  ASSERT_TRUE(a.ok() && b.ok() && d.ok());
  EXPECT_EQ(a->body, "1.1.10\n");
  EXPECT_EQ(b->body, "ok\n");
  EXPECT_EQ(d->status, 404);
}

// ---------------------------------------------------------------------------------------------
// Tokens

constexpr const char* kReader = "reader-secret-token-0001";
constexpr const char* kWriter = "writer-secret-token-0002";
constexpr const char* kAdmin = "admin-secret-token-00003";

std::string TokensYaml() {
  return fmt::format(
      "tokens:\n"
      "  - {{ name: grafana, token: \"{}\", scope: read }}\n"
      "  - {{ name: relay, token: \"{}\", scope: write }}\n"
      "  - {{ name: ops, token: \"{}\", scope: admin }}\n",
      kReader, kWriter, kAdmin);
}

std::string Bearer(const char* token) { return fmt::format("Authorization: Bearer {}\r\n", token); }

TEST(FrontDoorTest, TokensGuardEveryRouteByScope) {
  TempDir dir("meridian-tokens");
  const std::string tokens = (dir.path() / "tokens.yaml").string();
  std::ofstream(tokens) << TokensYaml();
  auto m = StartMeridian(fmt::format("http: {{ auth: {{ tokens_file: {} }} }}\n", tokens));
  ASSERT_TRUE(m);
  const uint16_t port = m->http_port();
  auto status = [&](const std::string& req) {
    auto r = RawRequest(port, req);
    return r.ok() ? r->status : -1;
  };
  // /health needs nothing (load balancers).
  EXPECT_EQ(status(Get("/health")), 200);
  // Reads need read.
  EXPECT_EQ(status(Get("/metrics/find?query=*")), 401);
  EXPECT_EQ(status(Get("/metrics/find?query=*", "Authorization: Bearer wrong-token-12345678\r\n")),
            401);
  EXPECT_EQ(status(Get("/metrics/find?query=*", Bearer(kReader))), 200);
  // Tagging needs write; deleting needs admin.
  const std::string tag = "path=cpu;dc=a";
  EXPECT_EQ(status(Post("/tags/tagSeries", tag)), 401);
  EXPECT_EQ(status(Post("/tags/tagSeries", tag, Bearer(kReader))), 403);
  EXPECT_EQ(status(Post("/tags/tagSeries", tag, Bearer(kWriter))), 200);
  EXPECT_EQ(status(Post("/tags/tagMultiSeries", tag, Bearer(kWriter))), 200);
  EXPECT_EQ(status(Post("/tags/delSeries", tag, Bearer(kWriter))), 403);
  EXPECT_EQ(status(Post("/tags/delSeries", tag, Bearer(kAdmin))), 200);
  auto r = RawRequest(port, Post("/tags/delSeries", tag, Bearer(kReader)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->body.find(kReader), std::string::npos);
  EXPECT_NE(r->body.find("grafana"), std::string::npos) << r->body;
  // Counted, and no token in the metrics or the log.
  EXPECT_GE(Metric(*m, "http_auth_failures_total{reason=\"scope\"}", Bearer(kReader)), 1);
  auto metrics = RawRequest(port, Get("/metrics", Bearer(kReader)));
  ASSERT_TRUE(metrics.ok());
  for (const char* t : {kReader, kWriter, kAdmin}) {
    EXPECT_EQ(metrics->body.find(t), std::string::npos);
    EXPECT_EQ(m->Log().find(t), std::string::npos);
  }
}

TEST(FrontDoorTest, AnonymousReadOpensReadsButNotWrites) {
  TempDir dir("meridian-tokens");
  const std::string tokens = (dir.path() / "tokens.yaml").string();
  std::ofstream(tokens) << TokensYaml();
  auto m = StartMeridian(
      fmt::format("http: {{ auth: {{ tokens_file: {}, anonymous_read: true }} }}\n", tokens));
  ASSERT_TRUE(m);
  auto r = RawRequest(m->http_port(), Get("/metrics/find?query=*"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  r = RawRequest(m->http_port(), Post("/tags/delSeries", "path=a;b=c"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->headers["www-authenticate"], "Bearer realm=\"meridian\"");
}

TEST(FrontDoorTest, AnInvalidTokensFileIsAStartUpErrorWithoutTheSecret) {
  TempDir dir("meridian-tokens");
  const std::string tokens = (dir.path() / "tokens.yaml").string();
  std::ofstream(tokens) << "tokens:\n  - { name: x, token: \"short-secret\", scope: read }\n";
  MeridianOptions o;
  o.binary = MERIDIAN_BINARY;
  o.config_yaml = fmt::format("http: {{ auth: {{ tokens_file: {} }} }}\n", tokens);
  o.start_timeout = 10s;
  auto p = MeridianProcess::Start(o);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("tokens.yaml:2"), std::string::npos) << p.status().message();
  EXPECT_NE(p.status().message().find("too short"), std::string::npos);
  EXPECT_EQ(p.status().message().find("short-secret"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// HTTPS

TEST(FrontDoorTest, HttpsWithClientCertificates) {
  TempDir dir("meridian-tls");
  Pki pki(dir.path());
  ASSERT_TRUE(pki.MakeCa("ca").ok());
  ASSERT_TRUE(pki.MakeCa("other").ok());
  ASSERT_TRUE(pki.MakeCert("server", "ca", "127.0.0.1", "subjectAltName=IP:127.0.0.1").ok());
  ASSERT_TRUE(pki.MakeCert("client", "ca", "grafana", "extendedKeyUsage=clientAuth").ok());
  ASSERT_TRUE(pki.MakeCert("stranger", "other", "mallory", "extendedKeyUsage=clientAuth").ok());
  auto m = StartMeridian(fmt::format("http: {{ tls: {{ cert_file: {}, key_file: {}, "
                                     "client_ca_file: {} }} }}\n",
                                     pki.P("server.pem"), pki.P("server.key"), pki.P("ca.pem")),
                         /*tls=*/true);
  ASSERT_TRUE(m);
  const std::string url = fmt::format("https://127.0.0.1:{}/health", m->http_port());
  auto curl = [&](const std::string& args) {
    SubprocessOptions o;
    o.argv = {"/bin/sh", "-c", fmt::format("curl -sS --max-time 10 {} {}", args, url)};
    return RunAndCapture(o, dir.path(), 30s);
  };
  auto ok = curl(fmt::format("--cacert {} --cert {} --key {}", pki.P("ca.pem"), pki.P("client.pem"),
                             pki.P("client.key")));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString() << "\n" << m->Log();
  EXPECT_NE(ok->find("ok"), std::string::npos);
  // Without a client certificate, with one from another CA, or trusting another CA: refused.
  EXPECT_FALSE(curl(fmt::format("--cacert {}", pki.P("ca.pem"))).ok());
  EXPECT_FALSE(curl(fmt::format("--cacert {} --cert {} --key {}", pki.P("ca.pem"),
                                pki.P("stranger.pem"), pki.P("stranger.key")))
                   .ok());
  EXPECT_FALSE(curl(fmt::format("--cacert {} --cert {} --key {}", pki.P("other.pem"),
                                pki.P("client.pem"), pki.P("client.key")))
                   .ok());
  // Plain HTTP on the HTTPS port gets nothing useful.
  auto plain = RawRequest(m->http_port(), Get("/health"), 10s);
  EXPECT_TRUE(!plain.ok() || plain->status != 200);
}

// ---------------------------------------------------------------------------------------------
// Cancellation, shutdown, reloads

// A legitimately expensive query: a four-year moving window over a year of 10-minute points, on
// eight series (cost = points × window, ~10^11 steps, minutes of CPU) — still running when the
// test acts, unless cancellation works.
std::string SlowRender() {
  return Get("/render?target=movingAverage(slow.*,'4y')&from=-1y&format=json");
}

std::string SlowSeries(int64_t t) {
  std::string lines;
  for (int i = 0; i < 8; ++i) lines += fmt::format("slow.q{} 1 {}\n", i, t);
  return lines;
}

TEST(FrontDoorTest, AClientThatGoesAwayCancelsItsQueryAndFreesItsSlot) {
  auto m = StartMeridian("http: { query_timeout: 1h, max_concurrent_queries: 1 }\n");
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->SendTcp(SlowSeries(Now() - 30)).ok());
  ASSERT_TRUE(WaitForLeaves(*m, "slow.*", 8));
  {
    auto c = RawConnection::Connect(m->http_port());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->Send(SlowRender()).ok());
    ASSERT_TRUE(WaitUntil([&] { return Metric(*m, "http_requests_pending") >= 1; }));
  }  // the client closes its connection
  EXPECT_TRUE(WaitUntil(
      [&] { return Metric(*m, "http_requests_cancelled_total{reason=\"client_gone\"}") >= 1; }));
  EXPECT_TRUE(WaitUntil([&] { return Metric(*m, "http_requests_pending") == 0; }));
  // The only render slot is free again.
  auto r = RawRequest(m->http_port(), Get("/render?target=slow.q0&from=-5min"), 20s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST(FrontDoorTest, ARequestPastTheQueryTimeoutStopsWith504) {
  auto m = StartMeridian("http: { query_timeout: 500ms }\n");
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->SendTcp(SlowSeries(Now() - 30)).ok());
  ASSERT_TRUE(WaitForLeaves(*m, "slow.*", 8));
  auto r = RawRequest(m->http_port(), SlowRender(), 60s);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 504) << r->body;
  EXPECT_NE(r->body.find("http.query_timeout"), std::string::npos) << r->body;
  // Nothing left on the workers once the worker has let go.
  EXPECT_TRUE(WaitUntil([&] { return Metric(*m, "http_requests_pending") == 0; }));
}

TEST(FrontDoorTest, SigtermWithRunningQueriesExitsWithinTheBoundAndKeepsData) {
  auto m = StartMeridian("http: { query_timeout: 1h, shutdown_timeout: 2s }\n");
  ASSERT_TRUE(m);
  const int64_t t = Now() - 30;
  ASSERT_TRUE(m->SendTcp(SlowSeries(t) + fmt::format("keep.me 42 {}\n", t)).ok());
  ASSERT_TRUE(WaitForLeaves(*m, "slow.*", 8));
  std::vector<RawConnection> queries;
  for (int i = 0; i < 8; ++i) {
    auto c = RawConnection::Connect(m->http_port());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->Send(SlowRender()).ok());
    queries.push_back(std::move(*c));
  }
  // Scrapes answer on the network thread while every worker is busy.
  ASSERT_TRUE(WaitUntil([&] { return Metric(*m, "http_requests_pending") >= 8; }));
  core::Status stopped = m->Stop(30s);
  EXPECT_TRUE(stopped.ok()) << stopped.ToString() << "\n" << m->Log();
  ASSERT_TRUE(m->Restart().ok());
  auto r = m->Render("keep.me", "-10min");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  bool found = false;
  for (const auto& dp : (*r)[0]["datapoints"]) found |= !dp[0].is_null() && dp[0] == 42.0;
  EXPECT_TRUE(found) << r->dump();
}

TEST(FrontDoorTest, ParallelRuleReloadsRunOneAtATimeOffTheWorkers) {
  TempDir rules("meridian-front-rules");
  for (int i = 0; i < 1500; ++i) {
    std::ofstream(rules.path() / fmt::format("g{:04}.yaml", i)) << fmt::format(
        "group: g{}\ninterval: 1m\nrules:\n  - name: r\n    target: app.{}.x\n"
        "    window: 5min\n    reduce: last\n    critical: \"~:300\"\n"
        "    nagios: {{ host: h{}, service: s }}\n",
        i, i, i);
  }
  auto m = StartMeridian(fmt::format(
      "alerting: {{ rules_dir: {}, reload_check_interval: 1h }}\nhttp: {{ worker_threads: 2 }}\n",
      rules.path().string()));
  ASSERT_TRUE(m);
  const double reloads_before = Metric(*m, "alert_rule_reloads_total{result=\"ok\"}");
  std::vector<RawConnection> posts;
  for (int i = 0; i < 10; ++i) {
    auto c = RawConnection::Connect(m->http_port());
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->Send(Post("/api/rules/reload", "")).ok());
    posts.push_back(std::move(*c));
  }
  // Ten reloads in flight hold no worker: with two workers, queries still answer.
  for (int i = 0; i < 5; ++i) {
    auto f = RawRequest(m->http_port(), Get("/metrics/find?query=*"), 20s);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ(f->status, 200);
  }
  for (auto& c : posts) {
    auto r = c.Read(120s);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_NE(r->body.find("\"rules\":1500"), std::string::npos) << r->body.substr(0, 200);
  }
  const double reloads = Metric(*m, "alert_rule_reloads_total{result=\"ok\"}") - reloads_before;
  const double coalesced = Metric(*m, "alert_rule_reload_requests_coalesced_total");
  EXPECT_EQ(Metric(*m, "alert_rule_reload_requests_total"), 10);
  // Every request was either served by a reload it started or joined one.
  EXPECT_EQ(reloads + coalesced, 10);
  EXPECT_GE(reloads, 1);
}

// ---------------------------------------------------------------------------------------------
// Hostile queries

TEST(FrontDoorTest, HostileRegexesAnswerAndFreeTheirSlots) {
  auto m = StartMeridian("http: { query_timeout: 5s }\n");
  ASSERT_TRUE(m);
  const int64_t t = Now() - 30;
  const std::string a41(41, 'a');
  ASSERT_TRUE(m->SendTcp(fmt::format("y.{} 1 {}\nx.{}b 2 {}\nt;k={}b 3 {}\n",
                                     std::string(16000, 'y'), t, a41, t, a41, t))
                  .ok());
  ASSERT_TRUE(WaitForLeaves(*m, "x.*", 1));
  ASSERT_TRUE(WaitForLeaves(*m, "y.*", 1));
  const std::vector<std::string> targets = {
      "grep(y.*,\"(.|z)*y\")",             // std::regex: stack overflow on 16 KB
      "exclude(x.*,\"(a%2B)%2B$\")",       // (a+)+$: exponential backtracking
      "aliasSub(x.*,\"(a|aa)*c\",\"z\")",  // exponential without a 'c'
      "seriesByTag('k=~(a%2B)%2B$')",      // the same inside the tag index
  };
  std::vector<RawConnection> conns;
  for (int round = 0; round < 2; ++round) {  // 8 at once: every render slot
    for (const std::string& target : targets) {
      auto c = RawConnection::Connect(m->http_port());
      ASSERT_TRUE(c.ok());
      ASSERT_TRUE(c->Send(Get("/render?from=-10min&target=" + target)).ok());
      conns.push_back(std::move(*c));
    }
  }
  for (size_t i = 0; i < conns.size(); ++i) {
    auto r = conns[i].Read(60s);
    ASSERT_TRUE(r.ok()) << targets[i % 4] << ": " << r.status().ToString();
    EXPECT_EQ(r->status, 200) << targets[i % 4] << ": " << r->body.substr(0, 200);
  }
  // A construct RE2 cannot run in linear time is a 400 naming the function and the pattern.
  auto bad = RawRequest(m->http_port(), Get("/render?target=grep(x.*,\"(a)\\1\")"));
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("grep"), std::string::npos) << bad->body;
  auto h = RawRequest(m->http_port(), Get("/render?target=x.*&from=-10min"), 20s);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 200);
  // Nothing left on the workers once the worker has let go.
  EXPECT_TRUE(WaitUntil([&] { return Metric(*m, "http_requests_pending") == 0; }));
}

}  // namespace
}  // namespace meridian::testing
