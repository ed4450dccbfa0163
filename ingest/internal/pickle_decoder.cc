#include "ingest/internal/pickle_decoder.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <unordered_map>

#include "ingest/internal/python_float.h"

namespace meridian::ingest::internal {
namespace {

enum class Kind : uint8_t { kNone, kBool, kInt, kFloat, kStr, kList, kTuple, kMark };

// Trivially copyable and small: a carbon frame creates five per datapoint.
struct Obj {
  Kind kind = Kind::kNone;
  double num = 0;        // kBool/kInt/kFloat (ints beyond 2^53 lose precision like float())
  std::string_view str;  // kStr: points into the frame or into Vm::owned
  uint32_t first = 0;    // kTuple: items are Vm::tuple_items_[first, first + count);
  uint32_t count = 0;    // kList: items are Vm::lists_[first] (appended to over time)
};

constexpr uint32_t kNoMemo = UINT32_MAX;

class Vm {
 public:
  Vm(std::string_view f, const PickleLimits& l) : f_(f), lim_(l) {
    // Carbon-relay frames take ~20 bytes per object: one allocation instead of log2(n) regrowths.
    objs_.reserve(std::min(f.size() / 16 + 16, lim_.max_objects));
  }

  PickleReject Run(uint32_t* result);
  const Obj& obj(uint32_t i) const { return objs_[i]; }
  size_t size(const Obj& o) const {
    return o.kind == Kind::kTuple ? o.count : lists_[o.first].size();
  }
  uint32_t item(const Obj& o, size_t i) const {
    return o.kind == Kind::kTuple ? tuple_items_[o.first + i] : lists_[o.first][i];
  }
  size_t op_offset() const { return op_offset_; }
  uint8_t op() const { return op_; }

 private:
  bool Need(size_t n) const { return f_.size() - pos_ >= n; }
  PickleReject New(Obj o, uint32_t* id) {
    if (objs_.size() >= lim_.max_objects) return PickleReject::kTooManyObjects;
    objs_.push_back(std::move(o));
    *id = static_cast<uint32_t>(objs_.size() - 1);
    return PickleReject::kOk;
  }
  PickleReject Push(Obj o) {
    if (stack_.size() >= lim_.max_stack) return PickleReject::kStackTooDeep;
    uint32_t id;
    if (auto r = New(std::move(o), &id); r != PickleReject::kOk) return r;
    stack_.push_back(id);
    return PickleReject::kOk;
  }
  PickleReject PushId(uint32_t id) {
    if (stack_.size() >= lim_.max_stack) return PickleReject::kStackTooDeep;
    stack_.push_back(id);
    return PickleReject::kOk;
  }
  uint64_t LE(size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t(uint8_t(f_[pos_ + i])) << (8 * i);
    pos_ += n;
    return v;
  }
  bool ReadLine(std::string_view* line) {
    size_t nl = f_.find('\n', pos_);
    if (nl == std::string_view::npos) return false;
    *line = f_.substr(pos_, nl - pos_);
    pos_ = nl + 1;
    return true;
  }
  // Index of the topmost mark, or npos.
  size_t FindMark() const {
    for (size_t i = stack_.size(); i-- > 0;)
      if (objs_[stack_[i]].kind == Kind::kMark) return i;
    return std::string_view::npos;
  }
  // Keys below max_memo (CPython numbers them 0, 1, 2...) live in a dense vector; others in a map.
  PickleReject Memoize(uint64_t key) {
    if (stack_.empty()) return PickleReject::kMalformed;
    uint32_t* slot = nullptr;
    if (key < lim_.max_memo) {
      if (key >= dense_memo_.size()) {
        dense_memo_.resize(
            std::min<size_t>(std::max<size_t>(key + 1, dense_memo_.size() * 2), lim_.max_memo),
            kNoMemo);
      }
      slot = &dense_memo_[key];
    } else {
      auto it = sparse_memo_.find(key);
      if (it != sparse_memo_.end()) slot = &it->second;
    }
    if (slot == nullptr || *slot == kNoMemo) {
      if (memo_count_ >= lim_.max_memo) return PickleReject::kMemoTooLarge;
      ++memo_count_;
      if (slot == nullptr) slot = &sparse_memo_[key];
    }
    *slot = stack_.back();
    return PickleReject::kOk;
  }
  PickleReject Get(uint64_t key) {
    uint32_t id = kNoMemo;
    if (key < dense_memo_.size()) {
      id = dense_memo_[key];
    } else if (auto it = sparse_memo_.find(key); it != sparse_memo_.end()) {
      id = it->second;
    }
    if (id == kNoMemo) return PickleReject::kMalformed;
    return PushId(id);
  }
  PickleReject Append(size_t from) {  // appends stack_[from..] to the list at stack_[from-1]
    if (from == 0 || from > stack_.size()) return PickleReject::kMalformed;
    Obj& list = objs_[stack_[from - 1]];
    if (list.kind != Kind::kList) return PickleReject::kMalformed;
    std::vector<uint32_t>& items = lists_[list.first];
    items.insert(items.end(), stack_.begin() + static_cast<ptrdiff_t>(from), stack_.end());
    stack_.resize(from);
    return PickleReject::kOk;
  }
  PickleReject Str(std::string_view s) { return Push(Obj{Kind::kStr, 0, s, 0, 0}); }
  PickleReject Num(Kind k, double v) { return Push(Obj{k, v, {}, 0, 0}); }
  // A new list holding stack_[from..] (none when from == stack_.size()), popped.
  PickleReject List(size_t from) {
    Obj o{Kind::kList, 0, {}, 0, 0};
    o.first = static_cast<uint32_t>(lists_.size());
    lists_.emplace_back(stack_.begin() + static_cast<ptrdiff_t>(from), stack_.end());
    stack_.resize(from);
    return Push(o);
  }
  PickleReject Seq(Kind k, size_t from) {  // pops stack_[from..] into a new list/tuple
    if (k == Kind::kList) return List(from);
    Obj o{Kind::kTuple, 0, {}, 0, 0};
    o.first = static_cast<uint32_t>(tuple_items_.size());
    o.count = static_cast<uint32_t>(stack_.size() - from);
    tuple_items_.insert(tuple_items_.end(), stack_.begin() + static_cast<ptrdiff_t>(from),
                        stack_.end());
    stack_.resize(from);
    return Push(o);
  }
  PickleReject Text(std::string_view quoted);

  std::string_view f_;
  const PickleLimits& lim_;
  size_t pos_ = 0;
  size_t op_offset_ = 0;  // where the current opcode starts
  uint8_t op_ = 0;
  std::vector<Obj> objs_;
  std::vector<uint32_t> stack_;
  std::vector<uint32_t> dense_memo_;
  std::unordered_map<uint64_t, uint32_t> sparse_memo_;
  size_t memo_count_ = 0;
  std::vector<uint32_t> tuple_items_;
  std::vector<std::vector<uint32_t>> lists_;
  std::vector<std::unique_ptr<std::string>> owned_;
};

// Protocol-0 STRING argument: 'text' or "text" with Python escapes; we keep the raw content
// without unescaping backslashes except \\ \' \" \n \t \r \xHH (metric paths never need more).
PickleReject Vm::Text(std::string_view q) {
  if (q.size() < 2 || q.front() != q.back() || (q.front() != '\'' && q.front() != '"'))
    return PickleReject::kMalformed;
  q = q.substr(1, q.size() - 2);
  if (q.find('\\') == std::string_view::npos) return Str(q);
  auto s = std::make_unique<std::string>();
  for (size_t i = 0; i < q.size(); ++i) {
    if (q[i] != '\\') {
      s->push_back(q[i]);
      continue;
    }
    if (++i >= q.size()) return PickleReject::kMalformed;
    switch (q[i]) {
      case 'n':
        s->push_back('\n');
        break;
      case 't':
        s->push_back('\t');
        break;
      case 'r':
        s->push_back('\r');
        break;
      case 'x': {
        if (i + 2 >= q.size()) return PickleReject::kMalformed;
        unsigned v = 0;
        auto [p, ec] = std::from_chars(q.data() + i + 1, q.data() + i + 3, v, 16);
        if (ec != std::errc() || p != q.data() + i + 3) return PickleReject::kMalformed;
        s->push_back(static_cast<char>(v));
        i += 2;
        break;
      }
      default:
        s->push_back(q[i]);
    }
  }
  std::string_view v = *s;
  owned_.push_back(std::move(s));
  return Str(v);
}

bool ParseInt(std::string_view s, double* out) {
  if (!s.empty() && s.back() == 'L') s.remove_suffix(1);
  if (s == "00") {
    *out = 0;
    return true;
  }  // protocol 0 False
  if (s == "01") {
    *out = 1;
    return true;
  }  // protocol 0 True
  if (s.empty()) return false;
  bool neg = s.front() == '-';
  if (neg || s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  double v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  // Past 2^53 the running sum rounds at every step; float(int) rounds once, as from_chars does.
  if (s.size() > 15) {
    [[maybe_unused]] auto parsed = std::from_chars(s.data(), s.data() + s.size(), v);  // digits
  }
  *out = neg ? -v : v;
  return true;
}

double LongBytes(std::string_view b) {  // little-endian two's complement
  if (b.empty()) return 0;
  double v = 0;
  for (size_t i = b.size(); i-- > 0;) v = v * 256 + uint8_t(b[i]);
  if (uint8_t(b.back()) & 0x80) v -= std::ldexp(1.0, static_cast<int>(8 * b.size()));
  return v;
}

PickleReject Vm::Run(uint32_t* result) {
  using R = PickleReject;
  while (true) {
    op_offset_ = pos_;
    if (!Need(1)) return R::kTruncated;
    uint8_t op = uint8_t(f_[pos_++]);
    op_ = op;
    R r = R::kOk;
    std::string_view line;
    switch (op) {
      case 0x80:  // PROTO
        if (!Need(1)) return R::kTruncated;
        if (uint8_t(f_[pos_++]) > 5) return R::kMalformed;
        break;
      case 0x95:  // FRAME (protocol 4): only a length hint
        if (!Need(8)) return R::kTruncated;
        pos_ += 8;
        break;
      case '.':  // STOP
        if (stack_.size() != 1 || pos_ != f_.size()) return R::kMalformed;
        if (objs_[stack_[0]].kind == Kind::kMark) return R::kMalformed;
        *result = stack_[0];
        return R::kOk;
      case '(':
        r = Num(Kind::kMark, 0);
        break;
      case '0':  // POP
        if (stack_.empty()) return R::kMalformed;
        stack_.pop_back();
        break;
      case '1': {  // POP_MARK
        size_t m = FindMark();
        if (m == std::string_view::npos) return R::kMalformed;
        stack_.resize(m);
        break;
      }
      case '2':  // DUP
        if (stack_.empty()) return R::kMalformed;
        r = PushId(stack_.back());
        break;
      case 'N':
        r = Num(Kind::kNone, 0);
        break;
      case 0x88:
        r = Num(Kind::kBool, 1);
        break;
      case 0x89:
        r = Num(Kind::kBool, 0);
        break;
      case 'I':
      case 'L': {
        double v;
        if (!ReadLine(&line)) return R::kTruncated;
        if (!ParseInt(line, &v)) return R::kMalformed;
        r = Num(op == 'I' && (line == "00" || line == "01") ? Kind::kBool : Kind::kInt, v);
        break;
      }
      case 'F': {
        double v;
        if (!ReadLine(&line)) return R::kTruncated;
        if (!ParsePythonFloat(line, &v)) return R::kMalformed;
        r = Num(Kind::kFloat, v);
        break;
      }
      case 'J':
        if (!Need(4)) return R::kTruncated;
        r = Num(Kind::kInt, static_cast<int32_t>(LE(4)));
        break;
      case 'K':
        if (!Need(1)) return R::kTruncated;
        r = Num(Kind::kInt, static_cast<double>(LE(1)));
        break;
      case 'M':
        if (!Need(2)) return R::kTruncated;
        r = Num(Kind::kInt, static_cast<double>(LE(2)));
        break;
      case 0x8a:    // LONG1
      case 0x8b: {  // LONG4
        size_t w = op == 0x8a ? 1 : 4;
        if (!Need(w)) return R::kTruncated;
        uint64_t n = LE(w);
        if (op == 0x8b && (n & 0x80000000u)) return R::kMalformed;
        if (!Need(n)) return R::kTruncated;
        r = Num(Kind::kInt, LongBytes(f_.substr(pos_, n)));
        pos_ += n;
        break;
      }
      case 'G': {  // BINFLOAT, big-endian double
        if (!Need(8)) return R::kTruncated;
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | uint8_t(f_[pos_ + i]);
        pos_ += 8;
        r = Num(Kind::kFloat, std::bit_cast<double>(bits));
        break;
      }
      case 'S':
      case 'V':  // protocol-0 unicode: raw-unicode-escape; \uXXXX left as is (rare in paths)
        if (!ReadLine(&line)) return R::kTruncated;
        r = op == 'S' ? Text(line) : Str(line);
        break;
      case 'U':    // SHORT_BINSTRING
      case 'C':    // SHORT_BINBYTES
      case 0x8c:   // SHORT_BINUNICODE
      case 'T':    // BINSTRING
      case 'B':    // BINBYTES
      case 'X': {  // BINUNICODE
        size_t w = (op == 'U' || op == 'C' || op == 0x8c) ? 1 : 4;
        if (!Need(w)) return R::kTruncated;
        uint64_t n = LE(w);
        if (op == 'T' && (n & 0x80000000u)) return R::kMalformed;
        if (!Need(n)) return R::kTruncated;
        r = Str(f_.substr(pos_, n));
        pos_ += n;
        break;
      }
      case ']':
        r = List(stack_.size());
        break;
      case ')':
        r = Push(Obj{Kind::kTuple, 0, {}, 0, 0});
        break;
      case 'l':
      case 't': {
        size_t m = FindMark();
        if (m == std::string_view::npos) return R::kMalformed;
        r = Seq(op == 'l' ? Kind::kList : Kind::kTuple, m + 1);
        if (r == R::kOk) {  // drop the mark under the new sequence
          stack_.erase(stack_.begin() + static_cast<ptrdiff_t>(m));
        }
        break;
      }
      case 0x85:
      case 0x86:
      case 0x87: {
        size_t n = op - 0x84u;
        if (stack_.size() < n) return R::kMalformed;
        for (size_t i = stack_.size() - n; i < stack_.size(); ++i)
          if (objs_[stack_[i]].kind == Kind::kMark) return R::kMalformed;
        r = Seq(Kind::kTuple, stack_.size() - n);
        break;
      }
      case 'a':
        if (stack_.size() < 2 || objs_[stack_.back()].kind == Kind::kMark) return R::kMalformed;
        r = Append(stack_.size() - 1);
        break;
      case 'e': {
        size_t m = FindMark();
        if (m == std::string_view::npos || m == 0) return R::kMalformed;
        stack_.erase(stack_.begin() + static_cast<ptrdiff_t>(m));
        r = Append(m);
        break;
      }
      case 'p': {
        double k;
        if (!ReadLine(&line)) return R::kTruncated;
        // A memo key is a uint64 (Python would take any int; no real pickle needs more).
        if (!ParseInt(line, &k) || k < 0 || k >= 18446744073709551616.0) return R::kMalformed;
        r = Memoize(static_cast<uint64_t>(k));
        break;
      }
      case 'g': {
        double k;
        if (!ReadLine(&line)) return R::kTruncated;
        // A memo key is a uint64 (Python would take any int; no real pickle needs more).
        if (!ParseInt(line, &k) || k < 0 || k >= 18446744073709551616.0) return R::kMalformed;
        r = Get(static_cast<uint64_t>(k));
        break;
      }
      case 'q':
      case 'h':
        if (!Need(1)) return R::kTruncated;
        r = op == 'q' ? Memoize(LE(1)) : Get(LE(1));
        break;
      case 'r':
      case 'j':
        if (!Need(4)) return R::kTruncated;
        r = op == 'r' ? Memoize(LE(4)) : Get(LE(4));
        break;
      case 0x94:  // MEMOIZE
        r = Memoize(memo_count_);
        break;
      // Refused: everything that names or calls code, or builds types carbon's data never holds.
      case 'c':   // GLOBAL
      case 0x93:  // STACK_GLOBAL
      case 'R':   // REDUCE
      case 'b':   // BUILD
      case 'i':   // INST
      case 'o':   // OBJ
      case 0x81:  // NEWOBJ
      case 0x92:  // NEWOBJ_EX
      case 'P':   // PERSID
      case 'Q':   // BINPERSID
      case 0x82:  // EXT1
      case 0x83:  // EXT2
      case 0x84:  // EXT4
      case '}':   // EMPTY_DICT
      case 'd':   // DICT
      case 's':   // SETITEM
      case 'u':   // SETITEMS
      case 0x8f:  // EMPTY_SET
      case 0x90:  // ADDITEMS
      case 0x91:  // FROZENSET
      case 0x96:  // BYTEARRAY8
      case 0x97:  // NEXT_BUFFER
      case 0x98:  // READONLY_BUFFER
      case 0x8d:  // BINUNICODE8
      case 0x8e:  // BINBYTES8
        return R::kForbiddenOpcode;
      default:
        return R::kUnknownOpcode;
    }
    if (r != R::kOk) return r;
  }
}

bool ToFloat(const Obj& o, double* out) {
  switch (o.kind) {
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kFloat:
      *out = o.num;
      return true;
    case Kind::kStr:
      return ParsePythonFloat(o.str, out);
    default:
      return false;
  }
}

}  // namespace

std::string_view PickleRejectName(PickleReject r) {
  switch (r) {
    case PickleReject::kOk:
      return "ok";
    case PickleReject::kForbiddenOpcode:
      return "forbidden_opcode";
    case PickleReject::kUnknownOpcode:
      return "unknown_opcode";
    case PickleReject::kTruncated:
      return "truncated";
    case PickleReject::kMalformed:
      return "malformed";
    case PickleReject::kStackTooDeep:
      return "stack_too_deep";
    case PickleReject::kMemoTooLarge:
      return "memo_too_large";
    case PickleReject::kTooManyObjects:
      return "too_many_objects";
    case PickleReject::kNotAList:
      return "not_a_list";
    case PickleReject::kOutputTooLarge:
      return "output_too_large";
    case PickleReject::kFrameTooLarge:
      return "too_large";
    case PickleReject::kIncomplete:
      return "incomplete";
  }
  return "unknown";
}

namespace {

// The paths point into the frame or the VM: copy them into one buffer the result owns.
void StorePaths(const std::vector<std::string_view>& paths, PickleDecodeResult* out) {
  size_t total = 0;
  for (std::string_view path : paths) total += path.size();
  out->name_storage.resize(total);
  char* dest = out->name_storage.data();
  for (size_t i = 0; i < paths.size(); ++i) {
    if (!paths[i].empty()) std::memcpy(dest, paths[i].data(), paths[i].size());
    out->points[i].path = std::string_view(dest, paths[i].size());
    dest += paths[i].size();
  }
}

// The one shape carbon-relay (CPython's pickle.dumps, protocol 2) gives a list of
// (str, (number, number)): PROTO 2, EMPTY_LIST, then batches of MARK + elements + APPENDS (or one
// element + APPEND), STOP; each element BINUNICODE, BINFLOAT/BININT*, BINFLOAT/BININT*, TUPLE2,
// TUPLE2, each object optionally followed by a memo put. Anything else — another opcode, a memo
// get, a limit the VM would hit — returns false and the caller runs the VM, so the answer is
// always the VM's (pickle_fuzzer checks both agree). Fills out->points and *paths on true.
bool FastDecode(std::string_view f, const PickleLimits& lim, PickleDecodeResult* out,
                std::vector<std::string_view>* paths) {
  const auto* b = reinterpret_cast<const uint8_t*>(f.data());
  const size_t size = f.size();
  size_t pos = 0;
  size_t puts = 0;
  size_t objects = 1;  // the list
  size_t out_bytes = 0;
  auto need = [&](size_t n) { return size - pos >= n; };
  auto le = [&](size_t n) {
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint32_t{b[pos + i]} << (8 * i);
    pos += n;
    return v;
  };
  auto put = [&] {
    if (need(2) && b[pos] == 'q') {
      pos += 2;
      ++puts;
    } else if (need(5) && b[pos] == 'r') {
      pos += 5;
      ++puts;
    }
  };
  auto number = [&](double* v) {
    if (!need(1)) return false;
    switch (b[pos++]) {
      case 'G': {
        if (!need(8)) return false;
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | b[pos + i];
        pos += 8;
        *v = std::bit_cast<double>(bits);
        return true;
      }
      case 'J':
        if (!need(4)) return false;
        *v = static_cast<int32_t>(le(4));
        return true;
      case 'K':
        if (!need(1)) return false;
        *v = le(1);
        return true;
      case 'M':
        if (!need(2)) return false;
        *v = le(2);
        return true;
      default:
        return false;
    }
  };
  auto fail = [&] {
    out->points.clear();
    paths->clear();
    return false;
  };
  if (size < 3 || b[0] != 0x80 || b[1] != 2 || b[2] != ']') return false;
  pos = 3;
  put();
  out->points.reserve(size / 64);
  paths->reserve(size / 64);
  while (need(1) && b[pos] != '.') {
    const bool batch = b[pos] == '(';
    if (batch) {
      ++pos;
      ++objects;  // the mark
    }
    size_t items = 0;
    while (need(1) && b[pos] == 'X') {
      ++pos;
      if (!need(4)) return fail();
      const uint32_t n = le(4);
      if (!need(n)) return fail();
      const std::string_view path = f.substr(pos, n);
      pos += n;
      put();
      PickleDatapoint p;
      if (!number(&p.timestamp) || !number(&p.value)) return fail();
      for (int t = 0; t < 2; ++t) {
        if (!need(1) || b[pos++] != 0x86) return fail();
        put();
      }
      ++items;
      objects += 5;
      out_bytes += path.size() + sizeof(PickleDatapoint);
      // The VM holds a batch's elements on its stack (list, mark, elements, 3 in the making).
      if (items + 5 > lim.max_stack || out_bytes > lim.max_output_bytes) return fail();
      paths->push_back(path);
      out->points.push_back(p);
      if (!batch) break;
    }
    if (!need(1) || items == 0 || b[pos++] != (batch ? 'e' : 'a')) return fail();
  }
  if (!need(1) || pos + 1 != size || puts > lim.max_memo || objects > lim.max_objects) {
    return fail();
  }
  return true;
}

}  // namespace

PickleDecodeResult DecodePickleFrameWithVm(std::string_view frame, const PickleLimits& limits) {
  PickleDecodeResult out;
  Vm vm(frame, limits);
  uint32_t root = 0;
  out.reject = vm.Run(&root);
  if (out.reject != PickleReject::kOk) {
    out.error_offset = vm.op_offset();
    out.error_opcode = vm.op();
    return out;
  }
  const Obj& top = vm.obj(root);
  if (top.kind != Kind::kList && top.kind != Kind::kTuple) {
    out.reject = PickleReject::kNotAList;
    return out;
  }
  // A sequence of n items.
  auto is_seq = [&](const Obj& o, size_t n) {
    return (o.kind == Kind::kList || o.kind == Kind::kTuple) && vm.size(o) == n;
  };
  size_t out_bytes = 0;
  std::vector<std::string_view> paths;
  const size_t n = vm.size(top);
  out.points.reserve(n);
  paths.reserve(n);
  for (size_t i = 0; i < n; ++i) {  // carbon: for metric, (timestamp, value) in datapoints
    const Obj& e = vm.obj(vm.item(top, i));
    PickleDatapoint p;
    if (!is_seq(e, 2) || vm.obj(vm.item(e, 0)).kind != Kind::kStr) {
      ++out.skipped_elements;
      continue;
    }
    const Obj& tv = vm.obj(vm.item(e, 1));
    if (!is_seq(tv, 2) || !ToFloat(vm.obj(vm.item(tv, 0)), &p.timestamp) ||
        !ToFloat(vm.obj(vm.item(tv, 1)), &p.value)) {
      ++out.skipped_elements;
      continue;
    }
    std::string_view path = vm.obj(vm.item(e, 0)).str;
    out_bytes += path.size() + sizeof(PickleDatapoint);
    if (out_bytes > limits.max_output_bytes) {
      out.points.clear();
      out.reject = PickleReject::kOutputTooLarge;
      return out;
    }
    paths.push_back(path);
    out.points.push_back(p);
  }
  StorePaths(paths, &out);
  return out;
}

PickleDecodeResult DecodePickleFrame(std::string_view frame, const PickleLimits& limits) {
  PickleDecodeResult out;
  std::vector<std::string_view> paths;
  if (FastDecode(frame, limits, &out, &paths)) {
    StorePaths(paths, &out);
    return out;
  }
  return DecodePickleFrameWithVm(frame, limits);
}

}  // namespace meridian::ingest::internal
