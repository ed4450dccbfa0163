// A restricted pickle VM for carbon's pickle protocol (carbon lib/carbon/protocols.py
// MetricPickleReceiver): one frame body (after the 4-byte big-endian length) holds a pickled list
// of (path, (timestamp, value)). Protocols 0-2 (and the 3/4 opcodes for bytes/short unicode/frame
// are accepted too). Admits NO globals: only lists, tuples, str/unicode/bytes, ints, longs,
// floats, None, True/False and the mark/memo/stack opcodes. Anything else (GLOBAL, STACK_GLOBAL,
// REDUCE, BUILD, INST, OBJ, NEWOBJ, PERSID, EXT*, dicts, sets...) is refused with a reason.
// Pure function over bytes; no recursion; stack, memo, object count and string bytes are bounded
// by PickleLimits. Elements that are not (path, (ts, value)) with float()-able ts/value are
// skipped and counted, like carbon's try/except around each datapoint.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meridian::ingest::internal {

enum class PickleReject : uint8_t {
  kOk = 0,
  kForbiddenOpcode,  // GLOBAL/REDUCE/BUILD/... : never executed
  kUnknownOpcode,    // byte that is not a pickle opcode
  kTruncated,        // frame ends before STOP or inside an argument
  kMalformed,        // bad argument, stack underflow, missing mark, bad memo key, trailing bytes
  kStackTooDeep,     // more than max_stack entries
  kMemoTooLarge,     // more than max_memo entries
  kTooManyObjects,   // more than max_objects values created
  kNotAList,         // the result is not a list/tuple of datapoints
  kOutputTooLarge,   // decoded paths exceed max_output_bytes (memoized-element repetition)
  // Framing (PickleProtocol), never returned by DecodePickleFrame:
  kFrameTooLarge,  // length prefix above ServerOptions::max_pickle_frame_bytes (not allocated)
  kIncomplete,     // the connection closed (or Stop() drained it) in the middle of a frame
};
inline constexpr size_t kPickleRejectCount = 12;
// "ok", "forbidden_opcode", "unknown_opcode", "truncated", "malformed", "stack_too_deep",
// "memo_too_large", "too_many_objects", "not_a_list", "output_too_large", "too_large",
// "incomplete": the reason label of ingest_pickle_frames_rejected_total.
std::string_view PickleRejectName(PickleReject r);

struct PickleLimits {
  size_t max_stack = 1024;
  size_t max_memo = 65536;
  size_t max_objects = 1 << 20;
  size_t max_output_bytes = 64 << 20;  // sum of decoded path sizes
};

// One datapoint as carbon sees it before float(): path as text, timestamp and value converted
// with Python's float() semantics (numbers or numeric strings).
struct PickleDatapoint {
  std::string_view path;  // into PickleDecodeResult::name_storage
  double timestamp = 0;
  double value = 0;
};

struct PickleDecodeResult {
  PickleReject reject = PickleReject::kOk;
  // On reject: the offset in the frame of the opcode that failed, and that opcode (for the log).
  size_t error_offset = 0;
  uint8_t error_opcode = 0;
  std::vector<PickleDatapoint> points;
  // The bytes of every point's path, owned here (a vector: moving the result keeps them put).
  std::vector<char> name_storage;
  size_t skipped_elements = 0;  // elements not shaped (path, (ts, value)) or not float()-able
};

// Decodes one frame body. On reject != kOk, points is empty. Thread-compatible.
// Frames shaped exactly as carbon-relay's (CPython protocol 2, no memo gets) take a straight-line
// reader; every other frame, and any frame near a limit, runs the VM. The answer is the VM's.
PickleDecodeResult DecodePickleFrame(std::string_view frame, const PickleLimits& limits);
// The VM alone (tests and pickle_fuzzer compare the two).
PickleDecodeResult DecodePickleFrameWithVm(std::string_view frame, const PickleLimits& limits);

}  // namespace meridian::ingest::internal
