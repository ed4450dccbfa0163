// Binary encoders for graphite-web's cluster protocol: the values graphite-web's peers exchange
// (lists, dicts, str, int, float, None, bool, 2-tuples) as Python pickle and as MessagePack.
//
// PickleWriter writes protocol 2 without memo: byte for byte what CPython 3.11's C pickler writes
// for the same structure with `Pickler(f, protocol=2)` and `fast = True`. Protocol 2 is read by
// every graphite-web (Python 2 and 3); the opcodes (PROTO, EMPTY_LIST/DICT, MARK, APPEND(S),
// SETITEM(S), BINUNICODE, BININT*, LONG1, BINFLOAT, NONE, NEWTRUE/NEWFALSE, TUPLE2, STOP) involve
// no class lookup, so graphite-web's SafeUnpickler accepts them.
//
// MsgpackWriter writes what graphite-web's bundled umsgpack writes: smallest int encoding, floats
// always float64, str as fixstr/str8/16/32.
//
// Both are streaming: containers declare their size up front. REQUIRES: exactly `size` elements
// (a dict element = one key + one value) are written before the matching End*. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "query/formats.h"
#include "query/internal/body_chunks.h"
#include "query/series.h"

namespace meridian::query::internal {

class PickleWriter {
 public:
  explicit PickleWriter(std::string* out);

  void BeginList(size_t size);
  void EndList();
  void BeginDict(size_t size);
  void EndDict();
  // A 2-tuple; its two elements follow.
  void BeginPair();
  void EndPair();

  void Str(std::string_view s);
  void Int(int64_t v);
  void Float(double v);
  void None();
  void Bool(bool v);
  // Writes STOP. Call once, after the top-level value.
  void Finish();

 private:
  enum class Kind { kList, kDict, kPair };
  struct Frame {
    Kind kind;
    size_t size;
    size_t done = 0;  // elements (dict: key/value pairs) finished
    bool awaiting_value = false;
  };
  void BeforeElement();
  void AfterElement();

  std::string* out_;
  std::vector<Frame> stack_;
};

// Same interface as PickleWriter, so one template encodes a structure in both.
class MsgpackWriter {
 public:
  explicit MsgpackWriter(std::string* out) : out_(out) {}

  void BeginList(size_t size);
  void EndList() {}
  void BeginDict(size_t size);
  void EndDict() {}
  void BeginPair() { BeginList(2); }
  void EndPair() {}

  void Str(std::string_view s);
  void Int(int64_t v);
  void Float(double v);
  void None();
  void Bool(bool v);
  void Finish() {}

 private:
  void BigEndian(uint64_t v, int bytes);
  std::string* out_;
};

enum class PeerEncoding { kPickle, kMsgpack };

// The /render body graphite-web's cluster protocol carries: a list of TimeSeries.getInfo() dicts
// {name, start, end, step, values, pathExpression, valuesPerPoint, consolidationFunc,
// xFilesFactor} in that key order; NaN values are None; an empty path_expression is the name.
// Written in pieces (BodyChunks: a streamed answer); RESOURCE_EXHAUSTED / DEADLINE_EXCEEDED /
// CANCELLED past `limits` (see query::OutputLimits) end it.
BodyChunks EncodeSeriesInfo(SeriesList series, PeerEncoding encoding, OutputLimits limits = {});

struct PeerFindNode {
  std::string_view path;
  bool is_leaf = false;
  std::vector<FindInterval> intervals;  // leaves only
};

// The /metrics/find body of the cluster protocol: a list of {path, is_leaf[, intervals]} (leaves
// carry intervals, as (start, end) tuples / 2-element arrays). Errors as EncodeSeriesInfo.
core::Result<std::string> EncodeFindNodes(const std::vector<PeerFindNode>& nodes,
                                          PeerEncoding encoding, const OutputLimits& limits = {});

}  // namespace meridian::query::internal
