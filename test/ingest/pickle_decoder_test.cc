#include "ingest/internal/pickle_decoder.h"

#include <gtest/gtest.h>

#include <string>

namespace meridian::ingest::internal {
namespace {

std::string Hex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Generated with (P = 0, 1, 2):
// python3 -c "import pickle,sys; sys.stdout.write(pickle.dumps([('a.b',(1700000000,1.5)),
//   ('c;t=v',('1700000001','2')),('bad',(1,)),(u'd.e',(1700000002, 3))], protocol=P).hex())"
constexpr std::string_view kPy0 =
    "286c70300a2856612e620a70310a2849313730303030303030300a46312e350a7470320a7470330a612856633b74"
    "3d760a70340a2856313730303030303030310a70350a56320a70360a7470370a7470380a6128566261640a70390a"
    "2849310a747031300a747031310a612856642e650a7031320a2849313730303030303030320a49330a747031330a"
    "747031340a612e";
constexpr std::string_view kPy1 =
    "5d710028285803000000612e627101284a00f15365473ff8000000000000747102747103285805000000633b743d"
    "76710428580a00000031373030303030303031710558010000003271067471077471082858030000006261647109"
    "284b0174710a74710b285803000000642e65710c284a02f153654b0374710d74710e652e";
constexpr std::string_view kPy2 =
    "80025d7100285803000000612e6271014a00f15365473ff80000000000008671028671035805000000633b743d76"
    "7104580a0000003137303030303030303171055801000000327106867107867108580300000062616471094b0185"
    "710a86710b5803000000642e65710c4a02f153654b0386710d86710e652e";

void ExpectFixture(std::string_view hex) {
  PickleDecodeResult r = DecodePickleFrame(Hex(hex), PickleLimits{});
  ASSERT_EQ(r.reject, PickleReject::kOk) << PickleRejectName(r.reject);
  ASSERT_EQ(r.points.size(), 3u);
  EXPECT_EQ(r.skipped_elements, 1u);  // ('bad', (1,))
  EXPECT_EQ(r.points[0].path, "a.b");
  EXPECT_EQ(r.points[0].timestamp, 1700000000);
  EXPECT_EQ(r.points[0].value, 1.5);
  EXPECT_EQ(r.points[1].path, "c;t=v");
  EXPECT_EQ(r.points[1].timestamp, 1700000001);  // float('1700000001')
  EXPECT_EQ(r.points[1].value, 2);
  EXPECT_EQ(r.points[2].path, "d.e");
  EXPECT_EQ(r.points[2].value, 3);
}

TEST(PickleDecoderTest, Python3Protocol0) { ExpectFixture(kPy0); }
TEST(PickleDecoderTest, Python3Protocol1) { ExpectFixture(kPy1); }
TEST(PickleDecoderTest, Python3Protocol2) { ExpectFixture(kPy2); }

TEST(PickleDecoderTest, HandWrittenPython2Protocol0WithSStrings) {
  // Python 2's pickle.dumps([('a.b', (1700000000, 1.5))], 0) byte for byte.
  std::string f = "(lp0\n(S'a.b'\np1\n(I1700000000\nF1.5\ntp2\ntp3\na.";
  PickleDecodeResult r = DecodePickleFrame(f, PickleLimits{});
  ASSERT_EQ(r.reject, PickleReject::kOk) << PickleRejectName(r.reject);
  ASSERT_EQ(r.points.size(), 1u);
  EXPECT_EQ(r.points[0].path, "a.b");
  EXPECT_EQ(r.points[0].value, 1.5);
}

TEST(PickleDecoderTest, HandWrittenProtocol2LongAndBools) {
  // [("x", (LONG1 1700000000, True))]
  std::string f("\x80\x02]q\x00(U\x01xq\x01\x8a\x04\x00\xf1\x53\x65\x88\x86\x86\x65.", 22);
  PickleDecodeResult r = DecodePickleFrame(f, PickleLimits{});
  ASSERT_EQ(r.reject, PickleReject::kOk) << PickleRejectName(r.reject);
  ASSERT_EQ(r.points.size(), 1u);
  EXPECT_EQ(r.points[0].timestamp, 1700000000);
  EXPECT_EQ(r.points[0].value, 1);
}

TEST(PickleDecoderTest, NonNumericStringSkipped) {
  std::string f = "(lp0\n(S'a'\n(S'x'\nS'1'\ntta(S'b'\n(I1\nI2\ntta.";
  PickleDecodeResult r = DecodePickleFrame(f, PickleLimits{});
  ASSERT_EQ(r.reject, PickleReject::kOk) << PickleRejectName(r.reject);
  EXPECT_EQ(r.points.size(), 1u);
  EXPECT_EQ(r.skipped_elements, 1u);
}

PickleReject Reject(std::string_view f, PickleLimits l = PickleLimits{}) {
  return DecodePickleFrame(f, l).reject;
}

TEST(PickleDecoderTest, GlobalsAndCallsRefused) {
  // python3 -c "import pickle,os; print(pickle.dumps(os.system,protocol=2).hex())"
  EXPECT_EQ(Reject(Hex("800263706f7369780a73797374656d0a71002e")), PickleReject::kForbiddenOpcode);
  EXPECT_EQ(Reject("cos\nsystem\n(S'id'\ntR."), PickleReject::kForbiddenOpcode);
  EXPECT_EQ(Reject("(lp0\nS'x'\nR."), PickleReject::kForbiddenOpcode);   // REDUCE
  EXPECT_EQ(Reject("]b."), PickleReject::kForbiddenOpcode);              // BUILD
  EXPECT_EQ(Reject("(ios\nsystem\n."), PickleReject::kForbiddenOpcode);  // INST
  EXPECT_EQ(Reject("\x80\x04\x93."), PickleReject::kForbiddenOpcode);    // STACK_GLOBAL
  EXPECT_EQ(Reject("(o."), PickleReject::kForbiddenOpcode);              // OBJ
  EXPECT_EQ(Reject(")\x81."), PickleReject::kForbiddenOpcode);           // NEWOBJ
  EXPECT_EQ(Reject("P1\n."), PickleReject::kForbiddenOpcode);            // PERSID
  EXPECT_EQ(Reject("\x82\x01."), PickleReject::kForbiddenOpcode);        // EXT1
  EXPECT_EQ(Reject("}."), PickleReject::kForbiddenOpcode);               // dict
  EXPECT_EQ(Reject("\xff"), PickleReject::kUnknownOpcode);
}

TEST(PickleDecoderTest, MalformedAndTruncated) {
  EXPECT_EQ(Reject(""), PickleReject::kTruncated);
  EXPECT_EQ(Reject("]"), PickleReject::kTruncated);
  EXPECT_EQ(Reject("X\xff\xff\xff\x7f"), PickleReject::kTruncated);  // 2 GiB unicode length
  EXPECT_EQ(Reject("T\xff\xff\xff\xff"), PickleReject::kMalformed);  // negative BINSTRING
  EXPECT_EQ(Reject("\x8b\xff\xff\xff\x7f"), PickleReject::kTruncated);
  EXPECT_EQ(Reject("(lp0\nS'a"), PickleReject::kTruncated);
  EXPECT_EQ(Reject("a."), PickleReject::kMalformed);      // APPEND on empty stack
  EXPECT_EQ(Reject("t."), PickleReject::kMalformed);      // TUPLE without MARK
  EXPECT_EQ(Reject("h\x05."), PickleReject::kMalformed);  // unknown memo key
  EXPECT_EQ(Reject("]]."), PickleReject::kMalformed);     // two objects at STOP
  EXPECT_EQ(Reject("].x"), PickleReject::kMalformed);     // trailing bytes
  EXPECT_EQ(Reject("N."), PickleReject::kNotAList);
  EXPECT_EQ(Reject("S'a\\x4'\n."), PickleReject::kMalformed);
}

TEST(PickleDecoderTest, DeepNestingBoundedByStack) {
  PickleLimits l;
  l.max_stack = 100;
  EXPECT_EQ(Reject(std::string(1000, '('), l), PickleReject::kStackTooDeep);
  EXPECT_EQ(Reject(std::string(1000000, ']'), PickleLimits{}), PickleReject::kStackTooDeep);
  // A long frame that keeps the stack short is fine (a flat list of 100000 empty lists, all
  // skipped as elements): the VM never recurses, and only three levels are read.
  std::string deep = "]";
  for (int i = 0; i < 100000; ++i) deep += "]a";
  deep += ".";
  // "]]a" appends a list to a list then leaves the outer one: the result is a valid list.
  EXPECT_EQ(Reject(deep), PickleReject::kOk);
}

TEST(PickleDecoderTest, MemoAndObjectBombsBounded) {
  PickleLimits l;
  l.max_memo = 10;
  std::string memo = "]";
  for (int i = 0; i < 20; ++i) memo += "r" + std::string(1, char(i)) + std::string(3, '\0');
  memo += ".";
  EXPECT_EQ(Reject(memo, l), PickleReject::kMemoTooLarge);

  PickleLimits o;
  o.max_objects = 1000;
  std::string many = "]";
  for (int i = 0; i < 2000; ++i) many += "Na";
  many += ".";
  EXPECT_EQ(Reject(many, o), PickleReject::kTooManyObjects);
}

TEST(PickleDecoderTest, RepeatedMemoizedElementOutputBounded) {
  // One element with a 100 KB path, memoized, then referenced 100000 times via BINGET.
  std::string path(100000, 'a');
  std::string f = "](X";
  uint32_t n = static_cast<uint32_t>(path.size());
  for (int i = 0; i < 4; ++i) f.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  f += path +
       "(I1\nI1\nttq\x01"
       "a";
  for (int i = 0; i < 1000; ++i) {
    f += "(";
    for (int j = 0; j < 100; ++j) f += "h\x01";
    f += "e";
  }
  f += ".";
  PickleLimits l;
  l.max_output_bytes = 16 << 20;
  PickleDecodeResult r = DecodePickleFrame(f, l);
  EXPECT_EQ(r.reject, PickleReject::kOutputTooLarge);
  EXPECT_TRUE(r.points.empty());
}

TEST(PickleDecoderTest, EveryTruncationOfARealFrameIsRejectedNotCrashed) {
  std::string f = Hex(kPy2);
  for (size_t i = 0; i < f.size(); ++i) {
    EXPECT_NE(Reject(std::string_view(f).substr(0, i)), PickleReject::kOk) << i;
  }
}

}  // namespace
}  // namespace meridian::ingest::internal
