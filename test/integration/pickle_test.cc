// carbon's pickle receiver in the real `meridian serve`: frames pickled by CPython (protocols
// 0-2) and by hand, hostile frames refused and counted while the server keeps serving, and a
// real carbon-relay (RELAY_METHOD = consistent-hashing) forwarding plaintext into Meridian.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/carbon_relay.h"
#include "support/meridian_process.h"
#include "support/pickle_frames.h"
#include "support/process.h"

namespace meridian::testing {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<MeridianProcess> StartMeridian() {
  MeridianOptions o;
  o.binary = MERIDIAN_BINARY;
  auto p = MeridianProcess::Start(o);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : nullptr;
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// Non-null (timestamp, value) pairs of every series a render returns, by series name.
std::map<std::string, std::map<int64_t, double>> Points(const MeridianProcess& m,
                                                        const std::string& target) {
  std::map<std::string, std::map<int64_t, double>> out;
  auto r = m.Render(target, "-1h");
  if (!r.ok()) return out;
  for (const auto& s : *r) {
    auto& v = out[s["target"].get<std::string>()];
    for (const auto& dp : s["datapoints"]) {
      if (!dp[0].is_null()) v[dp[1].get<int64_t>()] = dp[0].get<double>();
    }
  }
  return out;
}

// A self-metric from /metrics (Prometheus text), e.g.
// `ingest_pickle_frames_rejected_total{reason="too_large"}`; -1 when absent.
double Metric(const MeridianProcess& m, const std::string& series) {
  auto r = m.Get("/metrics");
  if (!r.ok()) return -1;
  const std::string needle = "\nmeridian_" + series + " ";
  const size_t at = r->body.find(needle);
  if (at == std::string::npos) return -1;
  return std::stod(r->body.substr(at + needle.size()));
}

std::string Rejected(const std::string& reason) {
  return "ingest_pickle_frames_rejected_total{reason=\"" + reason + "\"}";
}

// Sends `bytes` on a fresh connection and waits for the server to close it (it does after a
// refused frame; otherwise after our half-close). The send may fail once the server closed.
void SendAndWaitClose(uint16_t port, const std::string& bytes) {
  SendTcp(port, bytes).IgnoreError();  // a refused frame may reset the connection mid-send
}

TEST(PickleTest, CPythonProtocols0To2AreStoredLikePlaintext) {
  auto m = StartMeridian();
  ASSERT_TRUE(m);
  TempDir scratch;
  const int64_t t = Now() / 10 * 10 - 60;
  for (int protocol = 0; protocol <= 2; ++protocol) {
    // ints, floats, numeric strings, a tagged name, NaN (dropped), a bad element (skipped), a
    // long. (Python 3 pickles bytes for protocols 0-2 as a call of _codecs.encode: a GLOBAL that
    // carbon's SafeUnpickler refuses too; py2-style S strings are in pickle_decoder_test.)
    const std::string expr = fmt::format(
        "[('p{0}.int', ({1}, 42)), ('p{0}.float', ({1}.0, 1.5)), (u'p{0}.str', ('{1}', '2.5')),"
        " ('p{0}.tagged;dc=x;app=y', ({1}, 3)),"
        " ('p{0}.nan', ({1}, float('nan'))), ('p{0}.bad', ({1},)), ('p{0}.big', ({1}, 2**70))]",
        protocol, t);
    auto body = PythonPickle(scratch.path(), expr, protocol);
    ASSERT_TRUE(body.ok()) << body.status().ToString();
    ASSERT_TRUE(SendTcp(m->pickle_port(), LengthPrefixed(*body)).ok());
  }
  ASSERT_TRUE(WaitFor([&] { return Points(*m, "p2.*").size() == 4; }, 10s)) << m->Log();
  for (int protocol = 0; protocol <= 2; ++protocol) {
    const std::string p = "p" + std::to_string(protocol);
    auto pts = Points(*m, p + ".*");
    EXPECT_EQ(pts[p + ".int"][t], 42) << p;
    EXPECT_EQ(pts[p + ".float"][t], 1.5) << p;
    EXPECT_EQ(pts[p + ".str"][t], 2.5) << p;
    EXPECT_EQ(pts[p + ".big"][t], 1180591620717411303424.0) << p;
    EXPECT_EQ(pts.count(p + ".nan"), 0u) << p;
    EXPECT_EQ(pts.count(p + ".bad"), 0u) << p;
    auto tagged = Points(*m, "seriesByTag('name=" + p + ".tagged','dc=x')");
    ASSERT_EQ(tagged.size(), 1u) << p;
    EXPECT_EQ(tagged.begin()->first, p + ".tagged;app=y;dc=x");
    EXPECT_EQ(tagged.begin()->second[t], 3) << p;
  }
  EXPECT_EQ(Metric(*m, "ingest_pickle_frames_total"), 3);
  EXPECT_EQ(Metric(*m, "ingest_pickle_points_rejected_total{reason=\"nan_value\"}"), 3);
  EXPECT_EQ(Metric(*m, "ingest_pickle_points_rejected_total{reason=\"bad_element\"}"), 3);
}

TEST(PickleTest, HandMadeFramesOnOneConnectionAndSplitAcrossWrites) {
  auto m = StartMeridian();
  ASSERT_TRUE(m);
  const int64_t t = Now() / 10 * 10 - 30;
  std::vector<PickledPoint> big;
  for (int i = 0; i < 500; ++i) big.push_back({fmt::format("hand.s{:03}", i), double(t), i * 0.5});
  // Three frames in one stream (one of them 500 points, larger than the 32 KiB read buffer's
  // first reads would hold if names were longer); the stream is written in 7-byte pieces.
  std::string stream = LengthPrefixed(EncodeProtocol2({{"hand.a", double(t), 1}})) +
                       LengthPrefixed(EncodeProtocol2(big)) +
                       LengthPrefixed(EncodeProtocol2({{"hand.b", double(t), 2}}));
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(m->pickle_port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  for (size_t off = 0; off < stream.size(); off += 7) {
    const size_t n = std::min<size_t>(7, stream.size() - off);
    ASSERT_EQ(send(fd, stream.data() + off, n, MSG_NOSIGNAL), static_cast<ssize_t>(n));
  }
  ASSERT_TRUE(WaitFor([&] { return Points(*m, "hand.*").size() == 502; }, 10s)) << m->Log();
  close(fd);
  auto pts = Points(*m, "hand.*");
  EXPECT_EQ(pts["hand.a"][t], 1);
  EXPECT_EQ(pts["hand.b"][t], 2);
  EXPECT_EQ(pts["hand.s499"][t], 249.5);
}

TEST(PickleTest, HostileFramesAreRefusedCountedAndTheServerKeepsServing) {
  auto m = StartMeridian();
  ASSERT_TRUE(m);
  TempDir scratch;
  const int64_t t = Now() / 10 * 10 - 40;
  const std::string good = LengthPrefixed(EncodeProtocol2({{"before.refusal", double(t), 1}}));
  // A class whose __reduce__ calls os.system: GLOBAL + REDUCE (protocol 0) or STACK_GLOBAL-free
  // protocol 2 (GLOBAL + TUPLE1 + REDUCE). Unpickling it with pickle.loads would run `touch`.
  for (int protocol : {0, 2}) {
    auto evil = PythonPickle(scratch.path(), "[('x', (1, 2)), Evil()]", protocol);
    ASSERT_TRUE(evil.ok()) << evil.status().ToString();
    SendAndWaitClose(m->pickle_port(), good + LengthPrefixed(*evil));
  }
  // A length prefix of 4 GiB - 1 (never allocated), then a lot of bytes.
  SendAndWaitClose(m->pickle_port(), std::string("\xff\xff\xff\xff", 4) + std::string(1000, 'x'));
  // 2 MiB: just over the default 1 MiB limit.
  SendAndWaitClose(m->pickle_port(), std::string("\x00\x20\x00\x00", 4));
  // Deep nesting: 100,000 MARKs (a Python unpickler would recurse or grow without bound).
  SendAndWaitClose(m->pickle_port(), LengthPrefixed("\x80\x02" + std::string(100000, '(')));
  // Nested lists 5000 deep: EMPTY_LIST + MARK per level.
  std::string nested = "\x80\x02";
  for (int i = 0; i < 5000; ++i) nested += "](";
  SendAndWaitClose(m->pickle_port(), LengthPrefixed(nested + "."));
  // Not a list: a bare int; a dict (carbon's SafeUnpickler would build it; we never do).
  SendAndWaitClose(m->pickle_port(), LengthPrefixed("\x80\x02K\x05."));
  SendAndWaitClose(m->pickle_port(), LengthPrefixed("\x80\x02}."));
  // Truncated frame, then close: the length says 100 bytes, 10 arrive.
  SendAndWaitClose(m->pickle_port(),
                   std::string("\x00\x00\x00\x64", 4) + "\x80\x02](X\x05" + "abc");

  ASSERT_TRUE(WaitFor(
      [&] {
        return Metric(*m, Rejected("forbidden_opcode")) == 3 &&
               Metric(*m, Rejected("too_large")) == 2 &&
               Metric(*m, Rejected("stack_too_deep")) == 2 &&
               Metric(*m, Rejected("not_a_list")) == 1 && Metric(*m, Rejected("incomplete")) == 1;
      },
      10s))
      << m->Log() << "\n"
      << m->Get("/metrics")->body;
  EXPECT_FALSE(std::filesystem::exists(scratch.path() / "pwned"));
  // Frames before a refused one were stored; the server still takes pickle and plaintext.
  ASSERT_TRUE(
      SendTcp(m->pickle_port(), LengthPrefixed(EncodeProtocol2({{"after.refusal", double(t), 2}})))
          .ok());
  ASSERT_TRUE(m->SendTcp(fmt::format("after.plain 3 {}\n", t)).ok());
  ASSERT_TRUE(WaitFor([&] { return Points(*m, "{before,after}.*").size() == 3; }, 10s)) << m->Log();
  EXPECT_EQ(Points(*m, "before.refusal")["before.refusal"][t], 1);
  EXPECT_NE(m->Log().find("pickle frame refused: forbidden_opcode"), std::string::npos) << m->Log();
}

TEST(PickleTest, ARealCarbonRelayForwardsIntoMeridian) {
  auto m = StartMeridian();
  ASSERT_TRUE(m);
  CarbonRelayOptions o;
  o.destination_port = m->pickle_port();
  auto relay = CarbonRelay::Start(o);
  ASSERT_TRUE(relay.ok()) << relay.status().ToString();
  const int64_t t = Now() / 10 * 10 - 50;
  std::string lines;
  for (int i = 0; i < 1200; ++i) {  // more than one 500-point message
    lines += fmt::format("relayed.host{:02}.m{:02} {} {}\n", i % 40, i / 40, i, t);
  }
  lines += fmt::format("relayed.tagged;env=prod;dc=eu 7.5 {}\n", t);
  ASSERT_TRUE(SendTcp((*relay)->line_port(), lines).ok());
  ASSERT_TRUE(WaitFor([&] { return Points(*m, "relayed.host*.*").size() == 1200; }, 20s))
      << (*relay)->Log() << "\n"
      << m->Log();
  auto pts = Points(*m, "relayed.host*.*");
  EXPECT_EQ(pts["relayed.host00.m00"][t], 0);
  EXPECT_EQ(pts["relayed.host39.m29"][t], 1199);
  auto tagged = Points(*m, "seriesByTag('name=relayed.tagged')");
  ASSERT_EQ(tagged.size(), 1u);
  EXPECT_EQ(tagged.begin()->first, "relayed.tagged;dc=eu;env=prod");
  EXPECT_EQ(tagged.begin()->second[t], 7.5);
  EXPECT_GE(Metric(*m, "ingest_pickle_frames_total"), 3);
  EXPECT_EQ(Metric(*m, Rejected("forbidden_opcode")), 0);
}

}  // namespace
}  // namespace meridian::testing
