#include "query/internal/pickle_writer.h"

#include <bit>
#include <cmath>
#include <cstring>

#include "query/internal/output_budget.h"

namespace meridian::query::internal {
namespace {

// CPython's pickler flushes APPENDS/SETITEMS every 1000 elements (BATCHSIZE).
constexpr size_t kBatch = 1000;

void LittleEndian(uint64_t v, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

PickleWriter::PickleWriter(std::string* out) : out_(out) {
  out_->push_back('\x80');  // PROTO 2
  out_->push_back('\x02');
}

// CPython writes a one-element list or dict with APPEND/SETITEM and anything larger in MARK-ed
// batches of 1000 (a trailing batch of one included), so the MARK goes before each batch's first
// element and the closing opcode after its last.
void PickleWriter::BeforeElement() {
  if (stack_.empty()) return;
  Frame& f = stack_.back();
  if (f.kind == Kind::kPair || f.size <= 1 || f.done % kBatch != 0) return;
  if (f.kind == Kind::kDict && f.awaiting_value) return;
  out_->push_back('(');  // MARK
}

void PickleWriter::AfterElement() {
  if (stack_.empty()) return;
  Frame& f = stack_.back();
  if (f.kind == Kind::kPair) return;
  if (f.kind == Kind::kDict) {
    f.awaiting_value = !f.awaiting_value;
    if (f.awaiting_value) return;  // a key: its value follows
  }
  ++f.done;
  const bool list = f.kind == Kind::kList;
  if (f.size == 1) {
    out_->push_back(list ? 'a' : 's');  // APPEND / SETITEM
  } else if (f.done % kBatch == 0 || f.done == f.size) {
    out_->push_back(list ? 'e' : 'u');  // APPENDS / SETITEMS
  }
}

void PickleWriter::BeginList(size_t size) {
  BeforeElement();
  out_->push_back(']');  // EMPTY_LIST
  stack_.push_back({Kind::kList, size});
}

void PickleWriter::EndList() {
  stack_.pop_back();
  AfterElement();
}

void PickleWriter::BeginDict(size_t size) {
  BeforeElement();
  out_->push_back('}');  // EMPTY_DICT
  stack_.push_back({Kind::kDict, size});
}

void PickleWriter::EndDict() { EndList(); }

void PickleWriter::BeginPair() {
  BeforeElement();
  stack_.push_back({Kind::kPair, 2});
}

void PickleWriter::EndPair() {
  stack_.pop_back();
  out_->push_back('\x86');  // TUPLE2
  AfterElement();
}

void PickleWriter::Str(std::string_view s) {
  BeforeElement();
  out_->push_back('X');  // BINUNICODE: u32 length + UTF-8
  LittleEndian(s.size(), 4, out_);
  out_->append(s);
  AfterElement();
}

void PickleWriter::Int(int64_t v) {
  BeforeElement();
  if (v >= 0 && v < 0x100) {
    out_->push_back('K');  // BININT1
    LittleEndian(static_cast<uint64_t>(v), 1, out_);
  } else if (v >= 0 && v < 0x10000) {
    out_->push_back('M');  // BININT2
    LittleEndian(static_cast<uint64_t>(v), 2, out_);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    out_->push_back('J');  // BININT
    LittleEndian(static_cast<uint64_t>(v), 4, out_);
  } else {
    // LONG1: the shortest little-endian two's complement that keeps the sign.
    int bytes = 1;
    while (bytes < 8) {
      const int64_t bound = int64_t{1} << (8 * bytes - 1);
      if (v >= -bound && v < bound) break;
      ++bytes;
    }
    out_->push_back('\x8a');
    out_->push_back(static_cast<char>(bytes));
    LittleEndian(static_cast<uint64_t>(v), bytes, out_);
  }
  AfterElement();
}

void PickleWriter::Float(double v) {
  BeforeElement();
  out_->push_back('G');  // BINFLOAT: big-endian IEEE 754
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  for (int i = 7; i >= 0; --i) out_->push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  AfterElement();
}

void PickleWriter::None() {
  BeforeElement();
  out_->push_back('N');
  AfterElement();
}

void PickleWriter::Bool(bool v) {
  BeforeElement();
  out_->push_back(v ? '\x88' : '\x89');  // NEWTRUE / NEWFALSE
  AfterElement();
}

void PickleWriter::Finish() { out_->push_back('.'); }

void MsgpackWriter::BigEndian(uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out_->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void MsgpackWriter::BeginList(size_t size) {
  if (size <= 15) {
    out_->push_back(static_cast<char>(0x90 | size));
  } else if (size <= 0xffff) {
    out_->push_back('\xdc');
    BigEndian(size, 2);
  } else {
    out_->push_back('\xdd');
    BigEndian(size, 4);
  }
}

void MsgpackWriter::BeginDict(size_t size) {
  if (size <= 15) {
    out_->push_back(static_cast<char>(0x80 | size));
  } else if (size <= 0xffff) {
    out_->push_back('\xde');
    BigEndian(size, 2);
  } else {
    out_->push_back('\xdf');
    BigEndian(size, 4);
  }
}

void MsgpackWriter::Str(std::string_view s) {
  if (s.size() <= 31) {
    out_->push_back(static_cast<char>(0xa0 | s.size()));
  } else if (s.size() <= 0xff) {
    out_->push_back('\xd9');
    BigEndian(s.size(), 1);
  } else if (s.size() <= 0xffff) {
    out_->push_back('\xda');
    BigEndian(s.size(), 2);
  } else {
    out_->push_back('\xdb');
    BigEndian(s.size(), 4);
  }
  out_->append(s);
}

void MsgpackWriter::Int(int64_t v) {
  const auto u = static_cast<uint64_t>(v);
  if (v >= 0) {
    if (v <= 127) {
      out_->push_back(static_cast<char>(v));
    } else if (v <= 0xff) {
      out_->push_back('\xcc');
      BigEndian(u, 1);
    } else if (v <= 0xffff) {
      out_->push_back('\xcd');
      BigEndian(u, 2);
    } else if (v <= 0xffffffffLL) {
      out_->push_back('\xce');
      BigEndian(u, 4);
    } else {
      out_->push_back('\xcf');
      BigEndian(u, 8);
    }
  } else if (v >= -32) {
    out_->push_back(static_cast<char>(v));  // negative fixint
  } else if (v >= INT8_MIN) {
    out_->push_back('\xd0');
    BigEndian(u, 1);
  } else if (v >= INT16_MIN) {
    out_->push_back('\xd1');
    BigEndian(u, 2);
  } else if (v >= INT32_MIN) {
    out_->push_back('\xd2');
    BigEndian(u, 4);
  } else {
    out_->push_back('\xd3');
    BigEndian(u, 8);
  }
}

void MsgpackWriter::Float(double v) {
  out_->push_back('\xcb');
  BigEndian(std::bit_cast<uint64_t>(v), 8);
}

void MsgpackWriter::None() { out_->push_back('\xc0'); }

void MsgpackWriter::Bool(bool v) { out_->push_back(v ? '\xc3' : '\xc2'); }

}  // namespace meridian::query::internal

namespace meridian::query::internal {
namespace {

template <typename W>
BodyChunks SeriesInfo(SeriesList series, OutputLimits limits) {
  ChunkedOutput out(limits, "render");
  W w(out.buffer());
  w.BeginList(series.size());
  for (const Series& s : series) {
    w.BeginDict(9);
    w.Str("name");
    w.Str(s.name);
    w.Str("start");
    w.Int(s.start);
    w.Str("end");
    w.Int(s.end);
    w.Str("step");
    w.Int(s.step);
    w.Str("values");
    w.BeginList(s.values.size());
    for (double v : s.values) {
      if (std::isnan(v)) {
        w.None();
      } else {
        w.Float(v);
      }
      CO_CHECK_OUTPUT(out);
    }
    w.EndList();
    w.Str("pathExpression");
    w.Str(s.path_expression.empty() ? s.name : s.path_expression);
    w.Str("valuesPerPoint");
    w.Int(s.values_per_point);
    w.Str("consolidationFunc");
    w.Str(s.consolidation_func);
    w.Str("xFilesFactor");
    w.Float(s.x_files_factor);
    w.EndDict();
    CO_CHECK_OUTPUT(out);
  }
  w.EndList();
  w.Finish();
  CO_FINISH_OUTPUT(out);
}

template <typename W>
core::Result<std::string> FindNodes(const std::vector<PeerFindNode>& nodes,
                                    const OutputLimits& limits) {
  OutputBudget budget(limits, "find");
  std::string out;
  W w(&out);
  w.BeginList(nodes.size());
  for (const PeerFindNode& node : nodes) {
    w.BeginDict(node.is_leaf ? 3 : 2);
    w.Str("path");
    w.Str(node.path);
    w.Str("is_leaf");
    w.Bool(node.is_leaf);
    if (node.is_leaf) {
      w.Str("intervals");
      w.BeginList(node.intervals.size());
      for (const FindInterval& interval : node.intervals) {
        w.BeginPair();
        w.Float(interval.start);
        w.Float(interval.end);
        w.EndPair();
      }
      w.EndList();
    }
    w.EndDict();
    RETURN_IF_ERROR(budget.Check(out.size()));
  }
  w.EndList();
  w.Finish();
  return out;
}

}  // namespace

BodyChunks EncodeSeriesInfo(SeriesList series, PeerEncoding encoding, OutputLimits limits) {
  return encoding == PeerEncoding::kPickle ? SeriesInfo<PickleWriter>(std::move(series), limits)
                                           : SeriesInfo<MsgpackWriter>(std::move(series), limits);
}

core::Result<std::string> EncodeFindNodes(const std::vector<PeerFindNode>& nodes,
                                          PeerEncoding encoding, const OutputLimits& limits) {
  return encoding == PeerEncoding::kPickle ? FindNodes<PickleWriter>(nodes, limits)
                                           : FindNodes<MsgpackWriter>(nodes, limits);
}

}  // namespace meridian::query::internal
