// Streamed answers (http::BodyStream) through a real server on loopback: short ones sent whole,
// long ones chunked as they are produced (plain, brotli, gzip), an error after the status cuts
// the body off (never a silently short answer), a client that leaves drops the producer, HEAD.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "http/internal/body_stream.h"
#include "http/internal/compress.h"
#include "http/server.h"
#include "support/decompress.h"
#include "support/process.h"
#include "support/raw_http.h"

namespace meridian::http {
namespace {

using namespace std::chrono_literals;
using testing::RawConnection;
using testing::RawRequest;

// Piece i of a test body: digits from a small generator (compresses like render output, ~3×).
std::string Piece(size_t i, size_t size) {
  std::string p;
  p.reserve(size);
  uint64_t x = 0x9E3779B97F4A7C15ULL * (i + 1);
  while (p.size() < size) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    p += std::to_string((x >> 33) % 100000);
    p += ',';
  }
  p.resize(size);
  return p;
}

std::string WholeBody(size_t pieces, size_t size) {
  std::string b;
  for (size_t i = 0; i < pieces; ++i) b += Piece(i, size);
  return b;
}

// `pieces` pieces of `size` bytes, then the end — or, with fail_after, an error instead of
// piece number fail_after. Counts the producers alive.
class TestStream final : public BodyStream {
 public:
  TestStream(size_t pieces, size_t size, size_t fail_after, std::atomic<int>& alive)
      : pieces_(pieces), size_(size), fail_after_(fail_after), alive_(alive) {
    alive_.fetch_add(1);
  }
  ~TestStream() override { alive_.fetch_sub(1); }
  core::Result<bool> Next(std::string* out) override {
    if (next_ == fail_after_) return core::ResourceExhausted("the answer is too large (test)");
    if (next_ < pieces_) out->append(Piece(next_++, size_));
    return next_ < pieces_;
  }

 private:
  const size_t pieces_, size_, fail_after_;
  size_t next_ = 0;
  std::atomic<int>& alive_;
};

class StreamingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Route r;
    r.methods = {Method::kGet};
    r.pattern = "/pieces";
    r.scope = Scope::kNone;
    r.handler = [this](const Request& req) {
      Response res;
      res.content_type = "text/plain";
      res.headers.emplace_back("X-Test", "streamed");
      res.stream =
          std::make_shared<TestStream>(std::stoul(req.Param("n")), std::stoul(req.Param("size")),
                                       std::stoul(req.Param("fail", "1000000000")), alive_);
      return res;
    };
    ASSERT_TRUE(router_.Add(std::move(r)).ok());
    ServerOptions so;
    so.host = "127.0.0.1";
    so.port = 0;
    so.stream_min_bytes = 64 << 10;
    so.write_timeout = 5s;
    auto server = Server::Start(so, router_, tokens_, metrics_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  void TearDown() override {
    if (server_) server_->Stop(5s);
  }

  std::string Get(const std::string& query, const std::string& extra = "") const {
    return "GET /pieces?" + query + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
  }
  int64_t Count(const std::string& name) {
    return static_cast<int64_t>(metrics_.GetCounter(name, "").Value());
  }

  Router router_;
  TokenStore tokens_;
  core::MetricsRegistry metrics_;
  std::unique_ptr<Server> server_;
  std::atomic<int> alive_{0};
};

TEST_F(StreamingTest, AShortAnswerIsSentWholeWithItsLength) {
  auto r = RawRequest(server_->port(), Get("n=3&size=1000"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers["content-length"], "3000");
  EXPECT_EQ(r->headers.count("transfer-encoding"), 0u);
  EXPECT_EQ(r->headers["x-test"], "streamed");
  EXPECT_EQ(r->body, WholeBody(3, 1000));
  EXPECT_EQ(Count("http_streamed_responses_total"), 0);
  EXPECT_TRUE(testing::WaitFor([&] { return alive_.load() == 0; }, 10s));
}

TEST_F(StreamingTest, ALongAnswerIsChunkedCompleteAndTheConnectionKeptAlive) {
  auto c = RawConnection::Connect(server_->port());
  ASSERT_TRUE(c.ok());
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(c->Send(Get("n=300&size=10000")).ok());
    auto r = c->Read(30s);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->headers["transfer-encoding"], "chunked");
    EXPECT_EQ(r->headers.count("content-length"), 0u);
    EXPECT_EQ(r->headers["x-test"], "streamed");
    EXPECT_EQ(r->body, WholeBody(300, 10000));  // 3 MB in order, nothing missing or repeated
  }
  EXPECT_EQ(Count("http_streamed_responses_total"), 2);
  EXPECT_EQ(Count("http_streams_aborted_total"), 0);
}

TEST_F(StreamingTest, StreamedAnswersAreCompressedAsNegotiated) {
  const std::string whole = WholeBody(200, 10000);
  auto br = RawRequest(server_->port(), Get("n=200&size=10000", "Accept-Encoding: gzip, br\r\n"));
  ASSERT_TRUE(br.ok()) << br.status().ToString();
  EXPECT_EQ(br->headers["content-encoding"], "br");
  EXPECT_EQ(br->headers["vary"], "Accept-Encoding");
  EXPECT_LT(br->body.size(), whole.size() / 2);
  EXPECT_EQ(testing::Unbrotli(br->body), whole);
  auto gz = RawRequest(server_->port(), Get("n=200&size=10000", "Accept-Encoding: gzip\r\n"));
  ASSERT_TRUE(gz.ok()) << gz.status().ToString();
  EXPECT_EQ(gz->headers["content-encoding"], "gzip");
  EXPECT_EQ(testing::Gunzip(gz->body), whole);
  EXPECT_EQ(Count("http_streamed_responses_total"), 2);
}

TEST_F(StreamingTest, AnErrorAfterTheStatusCutsTheAnswerOff) {
  auto r = RawRequest(server_->port(), Get("n=300&size=10000&fail=50"));
  // The status was 200 with a chunked body; the body never ends, so no client can take it for
  // a complete answer.
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_EQ(Count("http_streams_aborted_total"), 1);
  EXPECT_TRUE(testing::WaitFor([&] { return alive_.load() == 0; }, 10s));
  // The server goes on.
  auto next = RawRequest(server_->port(), Get("n=1&size=10"));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->status, 200);
}

TEST_F(StreamingTest, AnErrorBeforeTheFirstByteIsAnOrdinaryErrorAnswer) {
  auto r = RawRequest(server_->port(), Get("n=300&size=10000&fail=3"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 422);
  EXPECT_NE(r->body.find("too large (test)"), std::string::npos) << r->body;
  EXPECT_EQ(Count("http_streams_aborted_total"), 0);
}

TEST_F(StreamingTest, AClientThatLeavesMidAnswerDropsTheProducer) {
  auto c = RawConnection::Connect(server_->port(), 4096);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->Send(Get("n=100000&size=10000")).ok());  // 1 GB if it were read
  char buf[4096];
  ASSERT_GT(::recv(c->fd(), buf, sizeof buf, 0), 0);  // the answer has started
  ASSERT_EQ(alive_.load(), 1);
  { RawConnection gone = std::move(c).value(); }  // closed
  EXPECT_TRUE(testing::WaitFor([&] { return alive_.load() == 0; }, 20s));
  EXPECT_EQ(Count("http_streamed_responses_total"), 1);
}

TEST_F(StreamingTest, HeadGetsTheWholeLengthAndNoBody) {
  auto c = RawConnection::Connect(server_->port());
  ASSERT_TRUE(c.ok());
  // HEAD, then a GET on the same connection: the GET's answer must follow HEAD's header at once.
  ASSERT_TRUE(
      c->Send("HEAD /pieces?n=20&size=10000 HTTP/1.1\r\nHost: t\r\n\r\n" + Get("n=1&size=10"))
          .ok());
  std::string got;
  char buf[4096];
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        const ssize_t n = ::recv(c->fd(), buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) got.append(buf, static_cast<size_t>(n));
        return got.ends_with(Piece(0, 10));
      },
      10s))
      << got;
  const size_t head_end = got.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  const std::string head = got.substr(0, head_end);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200")) << head;
  EXPECT_NE(head.find("Content-Length: 200000"), std::string::npos) << head;
  EXPECT_EQ(got.find("HTTP/1.1 200", head_end), head_end + 4);  // no body in between
}

// ---------------------------------------------------------------------------------------------
// Without sockets: the encoder fed in pieces, and BeginStream's decisions.

TEST(StreamEncoderTest, PiecesDecodeToTheWhole) {
  const std::string whole = WholeBody(40, 7000);
  for (internal::Encoding e : {internal::Encoding::kBrotli, internal::Encoding::kGzip}) {
    internal::StreamEncoder encoder(e);
    std::string out;
    for (size_t i = 0; i < whole.size(); i += 7000) {
      ASSERT_TRUE(encoder.Append(std::string_view(whole).substr(i, 7000), &out).ok());
    }
    ASSERT_TRUE(encoder.Finish(&out).ok());
    EXPECT_EQ(e == internal::Encoding::kBrotli ? testing::Unbrotli(out) : testing::Gunzip(out),
              whole);
    // The one-shot encoder is the same machine fed once.
    auto once = internal::Encode(whole, e);
    ASSERT_TRUE(once.ok());
    EXPECT_EQ(e == internal::Encoding::kBrotli ? testing::Unbrotli(*once) : testing::Gunzip(*once),
              whole);
  }
}

}  // namespace
}  // namespace meridian::http
