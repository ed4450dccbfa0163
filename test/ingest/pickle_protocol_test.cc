#include "ingest/internal/pickle_protocol.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/metrics.h"
#include "ingest/internal/ingest_metrics.h"
#include "ingest/internal/line_protocol.h"
#include "ingest/internal/reject_log.h"
#include "support/fake_clock.h"
#include "support/pickle_frames.h"

namespace meridian::ingest::internal {
namespace {

using namespace std::string_literals;
using meridian::testing::EncodeProtocol2;
using meridian::testing::LengthPrefixed;
using Status = StreamProtocol::Status;

constexpr int64_t kNow = 1'700'000'500;

class PickleProtocolTest : public ::testing::Test {
 protected:
  uint64_t FramesRejected(const std::string& reason) {
    return registry_.GetCounter("ingest_pickle_frames_rejected_total", "", {{"reason", reason}})
        .Value();
  }
  uint64_t PointsRejected(const std::string& reason) {
    return registry_.GetCounter("ingest_pickle_points_rejected_total", "", {{"reason", reason}})
        .Value();
  }
  uint64_t Counter(const std::string& name) { return registry_.GetCounter(name, "").Value(); }
  std::string Name(size_t i) { return std::string(batch_.name(batch_.entries()[i])); }

  testing::FakeClock clock_{kNow};
  core::MetricsRegistry registry_;
  IngestMetrics metrics_{registry_};
  RejectLog log_{clock_, 1000};
  PickleProtocol protocol_{metrics_, log_, "test-peer", 4096, 64};
  storage::PointBatch batch_;
};

TEST_F(PickleProtocolTest, ConsumesOneFrameAtATimeWithCanonicalNames) {
  std::string bytes = LengthPrefixed(EncodeProtocol2({{"a.b", 1'700'000'000, 1.5}})) +
                      LengthPrefixed(EncodeProtocol2(
                          {{"m;b=1;a=2", 1'700'000'001, 2}, {"~c.d", 1'700'000'002, -3}}));
  std::string_view in = bytes;
  StreamProtocol::Step s = protocol_.Next(in, kNow, &batch_);
  ASSERT_EQ(s.status, Status::kUnit);
  ASSERT_EQ(batch_.size(), 1u);
  in.remove_prefix(s.consumed);
  s = protocol_.Next(in, kNow, &batch_);
  ASSERT_EQ(s.status, Status::kUnit);
  EXPECT_EQ(s.consumed, in.size());
  ASSERT_EQ(batch_.size(), 3u);
  EXPECT_EQ(Name(0), "a.b");
  EXPECT_EQ(batch_.entries()[0].timestamp, 1'700'000'000);
  EXPECT_EQ(batch_.entries()[0].value, 1.5);
  EXPECT_EQ(Name(1), "m;a=2;b=1");
  EXPECT_EQ(Name(2), "c.d");
  EXPECT_EQ(batch_.entries()[2].value, -3);
  EXPECT_EQ(protocol_.Next(in.substr(s.consumed), kNow, &batch_).status, Status::kNeedMore);
  EXPECT_EQ(Counter("ingest_pickle_frames_total"), 2u);
  EXPECT_EQ(protocol_.PublishCounts(), 3u);
  EXPECT_EQ(Counter("ingest_points_received_total"), 3u);
  EXPECT_EQ(protocol_.PublishCounts(), 0u);
}

TEST_F(PickleProtocolTest, IncompleteFrameAsksForItsWholeLength) {
  std::string frame = LengthPrefixed(EncodeProtocol2({{"a.b", 1, 1}}));
  for (size_t cut = 0; cut < frame.size(); ++cut) {
    StreamProtocol::Step s = protocol_.Next(std::string_view(frame).substr(0, cut), kNow, &batch_);
    ASSERT_EQ(s.status, Status::kNeedMore) << cut;
    EXPECT_EQ(s.need_bytes, cut < 4 ? 4u : frame.size()) << cut;
  }
  EXPECT_TRUE(batch_.empty());
  EXPECT_EQ(protocol_.Next(frame, kNow, &batch_).status, Status::kUnit);
}

TEST_F(PickleProtocolTest, LengthAboveTheLimitClosesBeforeTheBodyArrives) {
  EXPECT_EQ(protocol_.Next(std::string("\x00\x00\x10\x01", 4), kNow, &batch_).status,
            Status::kClose);  // 4097 > 4096
  EXPECT_EQ(protocol_.Next(std::string("\xff\xff\xff\xff", 4), kNow, &batch_).status,
            Status::kClose);
  EXPECT_EQ(FramesRejected("too_large"), 2u);
  // Exactly the limit is fine (carbon refuses length > MAX_LENGTH): it waits for the body.
  StreamProtocol::Step s = protocol_.Next(std::string("\x00\x00\x10\x00", 4), kNow, &batch_);
  EXPECT_EQ(s.status, Status::kNeedMore);
  EXPECT_EQ(s.need_bytes, 4100u);
}

TEST_F(PickleProtocolTest, RefusedFramesCloseByReasonAndKeepEarlierPoints) {
  const std::string good = LengthPrefixed(EncodeProtocol2({{"a.b", 1, 1}}));
  struct Case {
    std::string body;
    std::string reason;
  } cases[] = {
      {"\x80\x02"s + "cos\nsystem\n" + "X\x02\x00\x00\x00"s + "id" + "\x85R.", "forbidden_opcode"},
      {"\x80\x02](X\x03\x00\x00\x00"s + "a.b", "truncated"},
      {"\x80\x02K\x05.", "not_a_list"},
      {std::string(1100, '(') + "l.", "stack_too_deep"},
      {"\x80\x02\xff.", "unknown_opcode"},
      {"", "truncated"},
  };
  for (const Case& c : cases) {
    PickleProtocol protocol(metrics_, log_, "peer", 4096, 64);
    storage::PointBatch batch;
    std::string bytes = good + LengthPrefixed(c.body);
    StreamProtocol::Step s = protocol.Next(bytes, kNow, &batch);
    ASSERT_EQ(s.status, Status::kUnit);
    s = protocol.Next(std::string_view(bytes).substr(s.consumed), kNow, &batch);
    EXPECT_EQ(s.status, Status::kClose) << c.reason;
    EXPECT_EQ(batch.size(), 1u) << c.reason;
  }
  EXPECT_EQ(FramesRejected("forbidden_opcode"), 1u);
  EXPECT_EQ(FramesRejected("truncated"), 2u);
  EXPECT_EQ(FramesRejected("not_a_list"), 1u);
  EXPECT_EQ(FramesRejected("stack_too_deep"), 1u);
  EXPECT_EQ(FramesRejected("unknown_opcode"), 1u);
}

TEST_F(PickleProtocolTest, DatapointsGetThePlaintextRules) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::string body = EncodeProtocol2({
      {"ok.one", 10, 1},
      {"now.ts", -1, 2},              // int(ts) == -1 → now
      {"trunc.ts", 10.9, 3},          // truncated toward zero
      {"inf.value", 10, inf},         // kept, as carbon keeps it
      {"nan.value", 10, nan},         // dropped, counted
      {"inf.ts", inf, 1},             // bad_timestamp
      {"has space", 10, 1},           // whitespace
      {"a..b", 10, 1},                // empty_node
      {"", 10, 1},                    // empty_node
      {"ctl\x01x", 10, 1},            // control_char
      {"bad\xff", 10, 1},             // bad_utf8
      {"t;x", 10, 1},                 // bad_tags
      {std::string(65, 'x'), 10, 1},  // longer than max_name_bytes (64): too_long
  });
  ASSERT_EQ(protocol_.Next(LengthPrefixed(body), kNow, &batch_).status, Status::kUnit);
  ASSERT_EQ(batch_.size(), 4u);
  EXPECT_EQ(Name(0), "ok.one");
  EXPECT_EQ(batch_.entries()[1].timestamp, kNow);
  EXPECT_EQ(batch_.entries()[2].timestamp, 10);
  EXPECT_EQ(batch_.entries()[3].value, inf);
  for (const char* reason : {"nan_value", "bad_timestamp", "whitespace", "control_char", "bad_utf8",
                             "bad_tags", "too_long"}) {
    EXPECT_EQ(PointsRejected(reason), 1u) << reason;
  }
  EXPECT_EQ(PointsRejected("empty_node"), 2u);
}

TEST_F(PickleProtocolTest, BadElementsAreSkippedAndCounted) {
  // [('a.b', (1, 2)), ('short', (1,)), 5, ('x.y', ('nan?', 1)), ('s.v', ('3', '4.5'))]
  const std::string body = "\x80\x02]("s +                                        //
                           "X\x03\x00\x00\x00"s + "a.b" + "K\x01K\x02\x86\x86" +  //
                           "X\x05\x00\x00\x00"s + "short" + "K\x01\x85\x86" +     //
                           "K\x05" +                                              //
                           "X\x03\x00\x00\x00"s + "x.y" + "X\x04\x00\x00\x00"s + "nan?" +
                           "K\x01\x86\x86" +  //
                           "X\x03\x00\x00\x00"s + "s.v" + "X\x01\x00\x00\x00"s + "3" +
                           "X\x03\x00\x00\x00"s + "4.5" + "\x86\x86" + "e.";
  ASSERT_EQ(protocol_.Next(LengthPrefixed(body), kNow, &batch_).status, Status::kUnit);
  ASSERT_EQ(batch_.size(), 2u);
  EXPECT_EQ(Name(1), "s.v");
  EXPECT_EQ(batch_.entries()[1].timestamp, 3);
  EXPECT_EQ(batch_.entries()[1].value, 4.5);
  EXPECT_EQ(PointsRejected("bad_element"), 3u);
}

TEST_F(PickleProtocolTest, AbandonedPartialFrameIsCounted) {
  protocol_.Abandon("\x00\x00"s);
  EXPECT_EQ(FramesRejected("incomplete"), 1u);
}

// Carbon-relay's frames take the straight-line reader; it must answer as the VM does, including
// near the limits, where it hands over to the VM.
TEST(PickleFastPathTest, CarbonRelayFramesDecodeExactlyAsTheVm) {
  std::vector<meridian::testing::PickledPoint> points;
  for (int i = 0; i < 900; ++i) {  // one batch under the VM's 1024-entry stack
    points.push_back({"servers.host" + std::to_string(i) + ".cpu", 1.7e9 + i, i * 0.25 - 3});
  }
  points.push_back({"ints", 5, 65535});
  std::vector<std::string> frames = {EncodeProtocol2(points), EncodeProtocol2({}),
                                     EncodeProtocol2({{"one", 1, 2}})};
  // CPython's memo puts (BINPUT / LONG_BINPUT) as carbon-relay sends them.
  frames.push_back("\x80\x02]q\x00(X\x03\x00\x00\x00"s + "a.b" + "q\x01" +
                   "G\x41\xd9\x54\xfc\x40\x00\x00\x00"s + "G\x3f\xf8\x00\x00\x00\x00\x00\x00"s +
                   "\x86q\x02\x86r\x03\x00\x00\x00"s + "e.");
  frames.push_back(frames.back().substr(0, frames.back().size() - 1));  // no STOP: VM says why
  PickleLimits tight;
  tight.max_stack = 40;  // a 900-element batch: the VM's stack limit decides
  for (const PickleLimits& limits : {PickleLimits{}, tight}) {
    for (const std::string& f : frames) {
      PickleDecodeResult fast = DecodePickleFrame(f, limits);
      PickleDecodeResult vm = DecodePickleFrameWithVm(f, limits);
      ASSERT_EQ(fast.reject, vm.reject);
      ASSERT_EQ(fast.points.size(), vm.points.size());
      for (size_t i = 0; i < vm.points.size(); ++i) {
        EXPECT_EQ(fast.points[i].path, vm.points[i].path);
        EXPECT_EQ(fast.points[i].timestamp, vm.points[i].timestamp);
        EXPECT_EQ(fast.points[i].value, vm.points[i].value);
      }
    }
  }
  EXPECT_EQ(DecodePickleFrame(frames[0], PickleLimits{}).points.size(), 901u);
  EXPECT_EQ(DecodePickleFrame(frames[0], tight).reject, PickleReject::kStackTooDeep);
  PickleDecodeResult memo = DecodePickleFrame(frames[3], PickleLimits{});
  ASSERT_EQ(memo.points.size(), 1u);
  EXPECT_EQ(memo.points[0].path, "a.b");
  EXPECT_EQ(memo.points[0].value, 1.5);
  EXPECT_EQ(DecodePickleFrame(frames[4], PickleLimits{}).reject, PickleReject::kTruncated);
}

TEST(LineProtocolTest, CutsLinesAndClosesOnALineTooLong) {
  testing::FakeClock clock{kNow};
  core::MetricsRegistry registry;
  IngestMetrics metrics{registry};
  RejectLog log{clock, 1000};
  LineProtocol protocol(metrics, log, "peer", 16);
  storage::PointBatch batch;
  std::string_view in = "a.b 1 10\nc.d 2 10\nunterminated";
  StreamProtocol::Step s = protocol.Next(in, kNow, &batch);
  ASSERT_EQ(s.status, Status::kUnit);
  EXPECT_EQ(s.consumed, 9u);
  in.remove_prefix(s.consumed);
  s = protocol.Next(in, kNow, &batch);
  ASSERT_EQ(s.status, Status::kUnit);
  in.remove_prefix(s.consumed);
  EXPECT_EQ(protocol.Next(in, kNow, &batch).status, Status::kNeedMore);
  EXPECT_EQ(batch.size(), 2u);
  EXPECT_EQ(protocol.Next("0123456789abcdefg", kNow, &batch).status, Status::kClose);
  EXPECT_EQ(protocol.Next("this.is.too.long 1 1\n", kNow, &batch).status, Status::kClose);
  EXPECT_EQ(registry.GetCounter("ingest_lines_too_long_total", "").Value(), 2u);
  EXPECT_EQ(protocol.PublishCounts(), 2u);
}

}  // namespace
}  // namespace meridian::ingest::internal
