// Golden bytes for every /render and /metrics/find format, produced by Debian's graphite-web 1.1.8
// (python3 /usr/lib/python3/dist-packages/graphite) on the same inputs. Oracle (Django set up with
// a settings module importing graphite.settings, TAGDB = LocalDatabaseTagDB):
//
//   from graphite.render import views as rv; from graphite.metrics import views as mv
//   a = TimeSeries('a.b', 1000, 1060, 10, [1.0, None, 2.5, 1e20, -0.0001, 1/3])
//   a.pathExpression = 'a.*'; a.xFilesFactor = 0.0
//   b = TimeSeries('cpu;a-b=y;dc=x', 1000, 1060, 20, [3.0, None, 7.0], consolidate='sum',
//                  xFilesFactor=0.5); b.pathExpression = "seriesByTag('name=cpu')"
//   c = TimeSeries('h\u00e9llo.\U0001F600,"q', 1000, 1030, 10, [None, None, 12345678901234567.0])
//   c.xFilesFactor = 0.0
//   rv.renderViewJson({'tzinfo': pytz.utc[, 'pretty': True | 'jsonp': 'cb' |
//                      'noNullPoints': True]}, [a, b, c]).content   (likewise Csv, Raw, Rickshaw,
//                      MsgPack; Csv with tzinfo=pytz.timezone('Etc/GMT+5'))
//   pickle: p = pickle.Pickler(buf, protocol=2); p.fast = True; p.dump([s.getInfo() ...])
//     (graphite-web writes protocol -1; both decode to the same list, checked by the oracle)
//   find: nodes = [LeafNode('a.b', r), BranchNode('a.c'), BranchNode('a.d'), LeafNode('a.d', r),
//                  LeafNode('a.\u00e9', r)], r.get_intervals() = IntervalSet([Interval(1000.5,
//                  2000.0)]); mv.json_response_for(RequestFactory().get('/', HTTP_ACCEPT=
//                  'application/json'), mv.json_nodes(nodes) | mv.nodes_by_position(nodes, 1));
//                  mv.msgpack_nodes(nodes); pickle of [dict(path, is_leaf[, intervals: tuples])].
#include "query/formats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "query/internal/pickle_writer.h"

namespace meridian::query {
namespace {

constexpr double kNull = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

template <size_t N>
std::string Bytes(const char (&s)[N]) {
  return std::string(s, N - 1);
}

// application/json
constexpr char kJson[] =
    "[{\"target\": \"a.b\", \"tags\": {\"name\": \"a.b\"}, \"datapoints\": [[1.0, 1000], [null, "
    "1010], [2.5, 1020], [1e+20, 1030], [-0.0001, 1040], [0.3333333333333333, 1050]]}, "
    "{\"target\": \"cpu;a-b=y;dc=x\", \"tags\": {\"a-b\": \"y\", \"dc\": \"x\", \"name\": "
    "\"cpu\"}, \"datapoints\": [[3.0, 1000], [null, 1020], [7.0, 1040]]}, {\"target\": "
    "\"h\\u00e9llo.\\ud83d\\ude00,\\\"q\", \"tags\": {\"name\": "
    "\"h\\u00e9llo.\\ud83d\\ude00,\\\"q\"}, \"datapoints\": [[null, 1000], [null, 1010], "
    "[1.2345678901234568e+16, 1020]]}]";
// application/json
constexpr char kJsonPretty[] =
    "[\x0a  {\x0a    \"target\": \"a.b\",\x0a    \"tags\": {\x0a      \"name\": \"a.b\"\x0a    "
    "},\x0a    \"datapoints\": [\x0a      [\x0a        1.0,\x0a        1000\x0a      ],\x0a      "
    "[\x0a        null,\x0a        1010\x0a      ],\x0a      [\x0a        2.5,\x0a        1020\x0a "
    "     ],\x0a      [\x0a        1e+20,\x0a        1030\x0a      ],\x0a      [\x0a        "
    "-0.0001,\x0a        1040\x0a      ],\x0a      [\x0a        0.3333333333333333,\x0a        "
    "1050\x0a      ]\x0a    ]\x0a  },\x0a  {\x0a    \"target\": \"cpu;a-b=y;dc=x\",\x0a    "
    "\"tags\": {\x0a      \"a-b\": \"y\",\x0a      \"dc\": \"x\",\x0a      \"name\": \"cpu\"\x0a   "
    " },\x0a    \"datapoints\": [\x0a      [\x0a        3.0,\x0a        1000\x0a      ],\x0a      "
    "[\x0a        null,\x0a        1020\x0a      ],\x0a      [\x0a        7.0,\x0a        1040\x0a "
    "     ]\x0a    ]\x0a  },\x0a  {\x0a    \"target\": \"h\\u00e9llo.\\ud83d\\ude00,\\\"q\",\x0a   "
    " \"tags\": {\x0a      \"name\": \"h\\u00e9llo.\\ud83d\\ude00,\\\"q\"\x0a    },\x0a    "
    "\"datapoints\": [\x0a      [\x0a        null,\x0a        1000\x0a      ],\x0a      [\x0a      "
    "  null,\x0a        1010\x0a      ],\x0a      [\x0a        1.2345678901234568e+16,\x0a        "
    "1020\x0a      ]\x0a    ]\x0a  }\x0a]";
// text/javascript
constexpr char kJsonp[] =
    "cb([{\"target\": \"a.b\", \"tags\": {\"name\": \"a.b\"}, \"datapoints\": [[1.0, 1000], [null, "
    "1010], [2.5, 1020], [1e+20, 1030], [-0.0001, 1040], [0.3333333333333333, 1050]]}, "
    "{\"target\": \"cpu;a-b=y;dc=x\", \"tags\": {\"a-b\": \"y\", \"dc\": \"x\", \"name\": "
    "\"cpu\"}, \"datapoints\": [[3.0, 1000], [null, 1020], [7.0, 1040]]}, {\"target\": "
    "\"h\\u00e9llo.\\ud83d\\ude00,\\\"q\", \"tags\": {\"name\": "
    "\"h\\u00e9llo.\\ud83d\\ude00,\\\"q\"}, \"datapoints\": [[null, 1000], [null, 1010], "
    "[1.2345678901234568e+16, 1020]]}])";
// application/json
constexpr char kJsonNoNullPoints[] =
    "[{\"target\": \"a.b\", \"tags\": {\"name\": \"a.b\"}, \"datapoints\": [[1.0, 1000], [2.5, "
    "1020], [1e+20, 1030], [-0.0001, 1040], [0.3333333333333333, 1050]]}, {\"target\": "
    "\"cpu;a-b=y;dc=x\", \"tags\": {\"a-b\": \"y\", \"dc\": \"x\", \"name\": \"cpu\"}, "
    "\"datapoints\": [[3.0, 1000], [7.0, 1040]]}, {\"target\": "
    "\"h\\u00e9llo.\\ud83d\\ude00,\\\"q\", \"tags\": {\"name\": "
    "\"h\\u00e9llo.\\ud83d\\ude00,\\\"q\"}, \"datapoints\": [[1.2345678901234568e+16, 1020]]}]";
// text/csv
constexpr char kCsvUtc[] =
    "a.b,1970-01-01 00:16:40,1.0\x0d\x0a"
    "a.b,1970-01-01 00:16:50,\x0d\x0a"
    "a.b,1970-01-01 00:17:00,2.5\x0d\x0a"
    "a.b,1970-01-01 00:17:10,1e+20\x0d\x0a"
    "a.b,1970-01-01 00:17:20,-0.0001\x0d\x0a"
    "a.b,1970-01-01 00:17:30,0.3333333333333333\x0d\x0a"
    "cpu;a-b=y;dc=x,1970-01-01 00:16:40,3.0\x0d\x0a"
    "cpu;a-b=y;dc=x,1970-01-01 00:17:00,\x0d\x0a"
    "cpu;a-b=y;dc=x,1970-01-01 "
    "00:17:20,7.0\x0d\x0a\"h\xc3\xa9llo.\xf0\x9f\x98\x80,\"\"q\",1970-01-01 "
    "00:16:40,\x0d\x0a\"h\xc3\xa9llo.\xf0\x9f\x98\x80,\"\"q\",1970-01-01 "
    "00:16:50,\x0d\x0a\"h\xc3\xa9llo.\xf0\x9f\x98\x80,\"\"q\",1970-01-01 "
    "00:17:00,1.2345678901234568e+16\x0d\x0a";
// text/csv
constexpr char kCsvGmtPlus5[] =
    "a.b,1969-12-31 19:16:40,1.0\x0d\x0a"
    "a.b,1969-12-31 19:16:50,\x0d\x0a"
    "a.b,1969-12-31 19:17:00,2.5\x0d\x0a"
    "a.b,1969-12-31 19:17:10,1e+20\x0d\x0a"
    "a.b,1969-12-31 19:17:20,-0.0001\x0d\x0a"
    "a.b,1969-12-31 19:17:30,0.3333333333333333\x0d\x0a"
    "cpu;a-b=y;dc=x,1969-12-31 19:16:40,3.0\x0d\x0a"
    "cpu;a-b=y;dc=x,1969-12-31 19:17:00,\x0d\x0a"
    "cpu;a-b=y;dc=x,1969-12-31 "
    "19:17:20,7.0\x0d\x0a\"h\xc3\xa9llo.\xf0\x9f\x98\x80,\"\"q\",1969-12-31 "
    "19:16:40,\x0d\x0a\"h\xc3\xa9llo.\xf0\x9f\x98\x80,\"\"q\",1969-12-31 "
    "19:16:50,\x0d\x0a\"h\xc3\xa9llo.\xf0\x9f\x98\x80,\"\"q\",1969-12-31 "
    "19:17:00,1.2345678901234568e+16\x0d\x0a";
// text/plain
constexpr char kRaw[] =
    "a.b,1000,1060,10|1.0,None,2.5,1e+20,-0.0001,0.3333333333333333\x0a"
    "cpu;a-b=y;dc=x,1000,1060,20|3.0,None,7.0\x0ah\xc3\xa9llo.\xf0\x9f\x98\x80,\"q,1000,1030,10|"
    "None,None,1.2345678901234568e+16\x0a";
// application/json
constexpr char kRickshaw[] =
    "[{\"target\": \"a.b\", \"datapoints\": [{\"x\": 1000, \"y\": 1.0}, {\"x\": 1010, \"y\": "
    "null}, {\"x\": 1020, \"y\": 2.5}, {\"x\": 1030, \"y\": 1e+20}, {\"x\": 1040, \"y\": -0.0001}, "
    "{\"x\": 1050, \"y\": 0.3333333333333333}]}, {\"target\": \"cpu;a-b=y;dc=x\", \"datapoints\": "
    "[{\"x\": 1000, \"y\": 3.0}, {\"x\": 1020, \"y\": null}, {\"x\": 1040, \"y\": 7.0}]}, "
    "{\"target\": \"h\\u00e9llo.\\ud83d\\ude00,\\\"q\", \"datapoints\": [{\"x\": 1000, \"y\": "
    "null}, {\"x\": 1010, \"y\": null}, {\"x\": 1020, \"y\": 1.2345678901234568e+16}]}]";
// application/json
constexpr char kRickshawPretty[] =
    "[\x0a  {\x0a    \"target\": \"a.b\",\x0a    \"datapoints\": [\x0a      {\x0a        \"x\": "
    "1000,\x0a        \"y\": 1.0\x0a      },\x0a      {\x0a        \"x\": 1010,\x0a        \"y\": "
    "null\x0a      },\x0a      {\x0a        \"x\": 1020,\x0a        \"y\": 2.5\x0a      },\x0a     "
    " {\x0a        \"x\": 1030,\x0a        \"y\": 1e+20\x0a      },\x0a      {\x0a        \"x\": "
    "1040,\x0a        \"y\": -0.0001\x0a      },\x0a      {\x0a        \"x\": 1050,\x0a        "
    "\"y\": 0.3333333333333333\x0a      }\x0a    ]\x0a  }\x0a]";
// application/json
constexpr char kDygraph[] =
    "{\"labels\" : [\"Time\", \"x\", \"y\"], \"data\" : [[1000000, 1.0, 0.5], [1010000, null, "
    "-Infinity], [1020000, Infinity, 2.0]]}";
// application/x-msgpack
constexpr char kMsgpack[] =
    "\x93\x89\xa4name\xa3"
    "a.b\xa5start\xcd\x03\xe8\xa3"
    "end\xcd\x04$\xa4step\x0a\xa6values\x96\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00\xc0\xcb@"
    "\x04\x00\x00\x00\x00\x00\x00\xcb"
    "D\x15\xaf\x1dx\xb5\x8c@\xcb\xbf\x1a"
    "6\xe2\xeb\x1c"
    "C-\xcb\x3f\xd5UUUUUU\xaepathExpression\xa3"
    "a.*\xaevaluesPerPoint\x01\xb1"
    "consolidationFunc\xa7"
    "average\xacxFilesFactor\xcb\x00\x00\x00\x00\x00\x00\x00\x00\x89\xa4name\xae"
    "cpu;a-b=y;dc=x\xa5start\xcd\x03\xe8\xa3"
    "end\xcd\x04$\xa4step\x14\xa6values\x93\xcb@\x08\x00\x00\x00\x00\x00\x00\xc0\xcb@"
    "\x1c\x00\x00\x00\x00\x00\x00\xaepathExpression\xb7seriesByTag('name=cpu')"
    "\xaevaluesPerPoint\x01\xb1"
    "consolidationFunc\xa3sum\xacxFilesFactor\xcb\x3f\xe0\x00\x00\x00\x00\x00\x00\x89\xa4name\xaeh"
    "\xc3\xa9llo.\xf0\x9f\x98\x80,\"q\xa5start\xcd\x03\xe8\xa3"
    "end\xcd\x04\x06\xa4step\x0a\xa6values\x93\xc0\xc0\xcb"
    "CE\xee*.\xb5\xa5\xc4\xaepathExpression\xaeh\xc3\xa9llo.\xf0\x9f\x98\x80,"
    "\"q\xaevaluesPerPoint\x01\xb1"
    "consolidationFunc\xa7"
    "average\xacxFilesFactor\xcb\x00\x00\x00\x00\x00\x00\x00\x00";
// protocol 2, fast (memo-free); decodes equal to graphite-web's protocol -1 bytes
constexpr char kPickle[] =
    "\x80\x02](}(X\x04\x00\x00\x00nameX\x03\x00\x00\x00"
    "a.bX\x05\x00\x00\x00startM\xe8\x03X\x03\x00\x00\x00"
    "endM$\x04X\x04\x00\x00\x00stepK\x0aX\x06\x00\x00\x00values]("
    "G\x3f\xf0\x00\x00\x00\x00\x00\x00NG@\x04\x00\x00\x00\x00\x00\x00GD\x15\xaf\x1dx\xb5\x8c@"
    "G\xbf\x1a"
    "6\xe2\xeb\x1c"
    "C-G\x3f\xd5UUUUUUeX\x0e\x00\x00\x00pathExpressionX\x03\x00\x00\x00"
    "a.*X\x0e\x00\x00\x00valuesPerPointK\x01X\x11\x00\x00\x00"
    "consolidationFuncX\x07\x00\x00\x00"
    "averageX\x0c\x00\x00\x00xFilesFactorG\x00\x00\x00\x00\x00\x00\x00\x00u}("
    "X\x04\x00\x00\x00nameX\x0e\x00\x00\x00"
    "cpu;a-b=y;dc=xX\x05\x00\x00\x00startM\xe8\x03X\x03\x00\x00\x00"
    "endM$\x04X\x04\x00\x00\x00stepK\x14X\x06\x00\x00\x00values](G@\x08\x00\x00\x00\x00\x00\x00NG@"
    "\x1c\x00\x00\x00\x00\x00\x00"
    "eX\x0e\x00\x00\x00pathExpressionX\x17\x00\x00\x00seriesByTag('name=cpu')"
    "X\x0e\x00\x00\x00valuesPerPointK\x01X\x11\x00\x00\x00"
    "consolidationFuncX\x03\x00\x00\x00sumX\x0c\x00\x00\x00xFilesFactorG\x3f\xe0\x00\x00\x00\x00"
    "\x00\x00u}(X\x04\x00\x00\x00nameX\x0e\x00\x00\x00h\xc3\xa9llo.\xf0\x9f\x98\x80,"
    "\"qX\x05\x00\x00\x00startM\xe8\x03X\x03\x00\x00\x00"
    "endM\x06\x04X\x04\x00\x00\x00stepK\x0aX\x06\x00\x00\x00values](NNGCE\xee*.\xb5\xa5\xc4"
    "eX\x0e\x00\x00\x00pathExpressionX\x0e\x00\x00\x00h\xc3\xa9llo.\xf0\x9f\x98\x80,"
    "\"qX\x0e\x00\x00\x00valuesPerPointK\x01X\x11\x00\x00\x00"
    "consolidationFuncX\x07\x00\x00\x00"
    "averageX\x0c\x00\x00\x00xFilesFactorG\x00\x00\x00\x00\x00\x00\x00\x00ue.";
// application/json
constexpr char kFindJson[] =
    "[{\"path\": \"a.b\", \"is_leaf\": true, \"intervals\": [{\"start\": 1000.5, \"end\": "
    "2000.0}]}, {\"path\": \"a.c\", \"is_leaf\": false}, {\"path\": \"a.d\", \"is_leaf\": false}, "
    "{\"path\": \"a.d\", \"is_leaf\": true, \"intervals\": [{\"start\": 1000.5, \"end\": "
    "2000.0}]}, {\"path\": \"a.\\u00e9\", \"is_leaf\": true, \"intervals\": [{\"start\": 1000.5, "
    "\"end\": 2000.0}]}]";
// text/javascript;charset=utf-8
constexpr char kFindJsonpUtf8[] =
    "cb([{\"path\": \"a.b\", \"is_leaf\": true, \"intervals\": [{\"start\": 1000.5, \"end\": "
    "2000.0}]}, {\"path\": \"a.c\", \"is_leaf\": false}, {\"path\": \"a.d\", \"is_leaf\": false}, "
    "{\"path\": \"a.d\", \"is_leaf\": true, \"intervals\": [{\"start\": 1000.5, \"end\": "
    "2000.0}]}, {\"path\": \"a.\xc3\xa9\", \"is_leaf\": true, \"intervals\": [{\"start\": 1000.5, "
    "\"end\": 2000.0}]}])";
// application/json
constexpr char kFindNodelist1[] = "{\"nodes\": [\"b\", \"c\", \"d\", \"\\u00e9\"]}";
// application/json
constexpr char kFindNodelistMinus2Pretty[] = "{\x0a  \"nodes\": [\x0a    \"a\"\x0a  ]\x0a}";
// application/x-msgpack
constexpr char kFindMsgpack[] =
    "\x95\x83\xa4path\xa3"
    "a.b\xa7is_leaf\xc3\xa9intervals\x91\x92\xcb@\x8f"
    "D\x00\x00\x00\x00\x00\xcb@\x9f@\x00\x00\x00\x00\x00\x82\xa4path\xa3"
    "a.c\xa7is_leaf\xc2\x82\xa4path\xa3"
    "a.d\xa7is_leaf\xc2\x83\xa4path\xa3"
    "a.d\xa7is_leaf\xc3\xa9intervals\x91\x92\xcb@\x8f"
    "D\x00\x00\x00\x00\x00\xcb@\x9f@\x00\x00\x00\x00\x00\x83\xa4path\xa4"
    "a.\xc3\xa9\xa7is_leaf\xc3\xa9intervals\x91\x92\xcb@\x8f"
    "D\x00\x00\x00\x00\x00\xcb@\x9f@\x00\x00\x00\x00\x00";
// protocol 2, fast; intervals as tuples
constexpr char kFindPickle[] =
    "\x80\x02](}(X\x04\x00\x00\x00pathX\x03\x00\x00\x00"
    "a.bX\x07\x00\x00\x00is_leaf\x88X\x09\x00\x00\x00intervals]G@\x8f"
    "D\x00\x00\x00\x00\x00G@\x9f@\x00\x00\x00\x00\x00\x86"
    "au}(X\x04\x00\x00\x00pathX\x03\x00\x00\x00"
    "a.cX\x07\x00\x00\x00is_leaf\x89u}(X\x04\x00\x00\x00pathX\x03\x00\x00\x00"
    "a.dX\x07\x00\x00\x00is_leaf\x89u}(X\x04\x00\x00\x00pathX\x03\x00\x00\x00"
    "a.dX\x07\x00\x00\x00is_leaf\x88X\x09\x00\x00\x00intervals]G@\x8f"
    "D\x00\x00\x00\x00\x00G@\x9f@\x00\x00\x00\x00\x00\x86"
    "au}(X\x04\x00\x00\x00pathX\x04\x00\x00\x00"
    "a.\xc3\xa9X\x07\x00\x00\x00is_leaf\x88X\x09\x00\x00\x00intervals]G@\x8f"
    "D\x00\x00\x00\x00\x00G@\x9f@\x00\x00\x00\x00\x00\x86"
    "aue.";
// pickle.Pickler(protocol=2, fast=True) / graphite.umsgpack.packb of [0, 127, 128, 255, 256, 65535,
// 65536, 2147483647, 2147483648, 4294967295, 4294967296, -1, -32, -33, -128, -129, -32768, -32769,
// -2147483648, -2147483649, 9223372036854775807, -9223372036854775808]
constexpr char kPickleInts[] =
    "\x80\x02]("
    "K\x00K\x7fK\x80K\xffM\x00\x01M\xff\xffJ\x00\x00\x01\x00J\xff\xff\xff\x7f\x8a\x05\x00\x00\x00"
    "\x80\x00\x8a\x05\xff\xff\xff\xff\x00\x8a\x05\x00\x00\x00\x00\x01J\xff\xff\xff\xffJ\xe0\xff\xff"
    "\xffJ\xdf\xff\xff\xffJ\x80\xff\xff\xffJ\x7f\xff\xff\xffJ\x00\x80\xff\xffJ\xff\x7f\xff\xffJ\x00"
    "\x00\x00\x80\x8a\x05\xff\xff\xff\x7f\xff\x8a\x08\xff\xff\xff\xff\xff\xff\xff\x7f\x8a\x08\x00"
    "\x00\x00\x00\x00\x00\x00\x80"
    "e.";
constexpr char kMsgpackInts[] =
    "\xdc\x00\x16\x00\x7f\xcc\x80\xcc\xff\xcd\x01\x00\xcd\xff\xff\xce\x00\x01\x00\x00\xce\x7f\xff"
    "\xff\xff\xce\x80\x00\x00\x00\xce\xff\xff\xff\xff\xcf\x00\x00\x00\x01\x00\x00\x00\x00\xff\xe0"
    "\xd0\xdf\xd0\x80\xd1\xff\x7f\xd1\x80\x00\xd2\xff\xff\x7f\xff\xd2\x80\x00\x00\x00\xd3\xff\xff"
    "\xff\xff\x7f\xff\xff\xff\xcf\x7f\xff\xff\xff\xff\xff\xff\xff\xd3\x80\x00\x00\x00\x00\x00\x00"
    "\x00";
// the same of [[7], {'k': None}, [], {}, True, False, -0.0, 's' * 40]
constexpr char kPickleSingles[] =
    "\x80\x02](]K\x07"
    "a}X\x01\x00\x00\x00kNs]}\x88\x89G\x80\x00\x00\x00\x00\x00\x00\x00X("
    "\x00\x00\x00sssssssssssssssssssssssssssssssssssssssse.";
constexpr char kMsgpackSingles[] =
    "\x98\x91\x07\x81\xa1k\xc0\x90\x80\xc3\xc2\xcb\x80\x00\x00\x00\x00\x00\x00\x00\xd9("
    "ssssssssssssssssssssssssssssssssssssssss";

Series Make(std::string name, int64_t start, int64_t end, int64_t step, std::vector<double> values,
            std::string path_expression = "", std::string func = "average", double xff = 0) {
  Series s;
  s.tags = TagsForName(name);
  s.name = std::move(name);
  s.path_expression = path_expression.empty() ? s.name : std::move(path_expression);
  s.start = start;
  s.end = end;
  s.step = step;
  s.values = std::move(values);
  s.consolidation_func = std::move(func);
  s.x_files_factor = xff;
  return s;
}

SeriesList Fixture() {
  return {Make("a.b", 1000, 1060, 10, {1.0, kNull, 2.5, 1e20, -0.0001, 1.0 / 3}, "a.*"),
          Make("cpu;a-b=y;dc=x", 1000, 1060, 20, {3.0, kNull, 7.0}, "seriesByTag('name=cpu')",
               "sum", 0.5),
          Make("h\xc3\xa9llo.\xf0\x9f\x98\x80,\"q", 1000, 1030, 10,
               {kNull, kNull, 12345678901234567.0})};
}

FormattedBody Render(SeriesList series, FormatOptions options) {
  auto body = FormatRender(std::move(series), options);
  EXPECT_TRUE(body.ok()) << body.status().message();
  return body.ok() ? *body : FormattedBody{};
}

FormatOptions Options(std::string format) {
  FormatOptions options;
  options.format = std::move(format);
  return options;
}

TEST(FormatRenderTest, JsonMatchesGraphiteWebBytes) {
  FormattedBody out = Render(Fixture(), Options("json"));
  EXPECT_EQ(out.body, Bytes(kJson));
  EXPECT_EQ(out.content_type, "application/json");
}

TEST(FormatRenderTest, PrettyJsonIndentsLikePython) {
  FormatOptions options = Options("json");
  options.pretty = true;
  EXPECT_EQ(Render(Fixture(), options).body, Bytes(kJsonPretty));
}

TEST(FormatRenderTest, JsonpWrapsJsonAsJavascript) {
  FormatOptions options = Options("json");
  options.jsonp = "cb";
  FormattedBody out = Render(Fixture(), options);
  EXPECT_EQ(out.body, Bytes(kJsonp));
  EXPECT_EQ(out.content_type, "text/javascript");
}

TEST(FormatRenderTest, NoNullPointsDropsNullsAndSeriesLeftEmpty) {
  FormatOptions options = Options("json");
  options.no_null_points = true;
  SeriesList series = Fixture();
  series.push_back(Make("d", 1000, 1020, 10, {kNull, kNull}));
  EXPECT_EQ(Render(series, options).body, Bytes(kJsonNoNullPoints));
}

TEST(FormatRenderTest, JsonOfOnlyEmptySeriesIsEmptyList) {
  // graphite-web: `if any(data)` skips everything when no series holds a value.
  EXPECT_EQ(Render({Make("e", 1000, 1000, 10, {})}, Options("json")).body, "[]");
  EXPECT_EQ(Render({}, Options("json")).body, "[]");
}

TEST(FormatRenderTest, JsonWritesInfinityAsNull) {
  // Deliberate difference: graphite-web writes 1e9999, which Grafana cannot decode.
  EXPECT_EQ(Render({Make("x", 0, 20, 10, {kInf, -kInf})}, Options("json")).body,
            "[{\"target\": \"x\", \"tags\": {\"name\": \"x\"}, \"datapoints\": [[null, 0], "
            "[null, 10]]}]");
}

TEST(FormatRenderTest, JsonEscapesInvalidUtf8AsSurrogateEscape) {
  Series s = Make("a\xff\x01\x7f", 0, 10, 10, {1.0});
  EXPECT_EQ(Render({s}, Options("json")).body,
            "[{\"target\": \"a\\udcff\\u0001\\u007f\", \"tags\": {\"name\": "
            "\"a\\udcff\\u0001\\u007f\"}, \"datapoints\": [[1.0, 0]]}]");
}

TEST(FormatRenderTest, JsonAppliesMaxDataPoints) {
  // Oracle: renderViewJson({'maxDataPoints': 6}, [TimeSeries('s', 1000, 1200, 10,
  // [0.0 .. 19.0])]).
  std::vector<double> values;
  for (int i = 0; i < 20; ++i) values.push_back(i);
  FormatOptions options = Options("json");
  options.max_data_points = 6;
  EXPECT_EQ(Render({Make("s", 1000, 1200, 10, values)}, options).body,
            "[{\"target\": \"s\", \"tags\": {\"name\": \"s\"}, \"datapoints\": [[4.5, 1040], "
            "[8.5, 1080], [12.5, 1120], [16.5, 1160], [19.0, 1200]]}]");
}

TEST(FormatRenderTest, MaxDataPointsAppliesToJsonOnly) {
  FormatOptions options = Options("raw");
  options.max_data_points = 1;
  EXPECT_EQ(Render({Make("s", 0, 20, 10, {1.0, 2.0})}, options).body, "s,0,20,10|1.0,2.0\n");
}

TEST(FormatRenderTest, CsvMatchesGraphiteWebInUtc) {
  FormatOptions options = Options("csv");
  options.tz = "UTC";
  FormattedBody out = Render(Fixture(), options);
  EXPECT_EQ(out.body, Bytes(kCsvUtc));
  EXPECT_EQ(out.content_type, "text/csv");
}

TEST(FormatRenderTest, CsvUsesRequestTimeZone) {
  FormatOptions options = Options("csv");
  options.tz = "Etc/GMT+5";  // POSIX sign: UTC-5
  EXPECT_EQ(Render(Fixture(), options).body, Bytes(kCsvGmtPlus5));
  // Oracle: datetime.fromtimestamp(t, pytz.timezone('Europe/Berlin')) on both sides of the
  // 2024-03-31 spring-forward (01:59:59 UTC+1, then 03:00:00 UTC+2).
  options.tz = "Europe/Berlin";
  EXPECT_EQ(Render({Make("s", 1711846799, 1711846801, 1, {1.5, -kInf})}, options).body,
            "s,2024-03-31 01:59:59,1.5\r\ns,2024-03-31 03:00:00,-inf\r\n");
}

TEST(FormatRenderTest, CsvFallsBackToDefaultZoneForUnknownNames) {
  FormatOptions unknown = Options("csv");
  unknown.tz = "Not/AZone";
  FormatOptions empty = Options("csv");
  EXPECT_EQ(Render(Fixture(), unknown).body, Render(Fixture(), empty).body);
}

TEST(FormatRenderTest, RawMatchesGraphiteWeb) {
  FormattedBody out = Render(Fixture(), Options("raw"));
  EXPECT_EQ(out.body, Bytes(kRaw));
  EXPECT_EQ(out.content_type, "text/plain");
}

TEST(FormatRenderTest, RickshawMatchesGraphiteWeb) {
  EXPECT_EQ(Render(Fixture(), Options("rickshaw")).body, Bytes(kRickshaw));
  FormatOptions options = Options("rickshaw");
  options.pretty = true;
  SeriesList one = Fixture();
  one.resize(1);
  EXPECT_EQ(Render(one, options).body, Bytes(kRickshawPretty));
}

TEST(FormatRenderTest, DygraphMatchesGraphiteWeb) {
  FormattedBody out = Render(
      {Make("x", 1000, 1030, 10, {1.0, kNull, kInf}), Make("y", 1000, 1030, 10, {0.5, -kInf, 2.0})},
      Options("dygraph"));
  EXPECT_EQ(out.body, Bytes(kDygraph));
  EXPECT_EQ(out.content_type, "application/json");
  EXPECT_EQ(Render({}, Options("dygraph")).body, "{}");
}

TEST(FormatRenderTest, DygraphPadsShorterSeriesWithNull) {
  // graphite-web raises here; Meridian follows the first series' grid.
  EXPECT_EQ(
      Render({Make("x", 0, 20, 10, {1.0, 2.0}), Make("y", 0, 10, 10, {3.0})}, Options("dygraph"))
          .body,
      "{\"labels\" : [\"Time\", \"x\", \"y\"], \"data\" : [[0000, 1.0, 3.0], [10000, 2.0, "
      "null]]}");
}

TEST(FormatRenderTest, MsgpackMatchesGraphiteWebBytes) {
  FormattedBody out = Render(Fixture(), Options("msgpack"));
  EXPECT_EQ(out.body, Bytes(kMsgpack));
  EXPECT_EQ(out.content_type, "application/x-msgpack");
}

TEST(FormatRenderTest, PickleMatchesPythonProtocol2) {
  FormattedBody out = Render(Fixture(), Options("pickle"));
  EXPECT_EQ(out.body, Bytes(kPickle));
  EXPECT_EQ(out.content_type, "application/pickle");
}

TEST(FormatRenderTest, RejectsUnknownFormatAndBadMaxDataPoints) {
  auto png = FormatRender(Fixture(), Options("png"));
  ASSERT_FALSE(png.ok());
  EXPECT_EQ(png.status().code(), core::StatusCode::kInvalidArgument);
  FormatOptions options = Options("json");
  options.max_data_points = 0;
  auto zero = FormatRender(Fixture(), options);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().code(), core::StatusCode::kInvalidArgument);
  options.max_data_points = 2;
  SeriesList bad = Fixture();
  bad[0].consolidation_func = "median";
  auto func = FormatRender(bad, options);
  ASSERT_FALSE(func.ok());
  EXPECT_EQ(func.status().code(), core::StatusCode::kInvalidArgument);
}

std::vector<storage::FindMatch> FindFixture() {
  return {
      {"a.b", true, false}, {"a.c", false, true}, {"a.d", true, true}, {"a.\xc3\xa9", true, false}};
}

FindFormatOptions FindOptions(std::string format) {
  FindFormatOptions options;
  options.format = std::move(format);
  options.leaf_intervals = [](std::string_view) {
    return std::vector<FindInterval>{{1000.5, 2000.0}};
  };
  return options;
}

FormattedBody Find(const FindFormatOptions& options) {
  auto out = FormatFindExtra("a.*", FindFixture(), options);
  EXPECT_TRUE(out.ok()) << out.status().message();
  return out.ok() ? *out : FormattedBody{};
}

TEST(FormatFindExtraTest, JsonListsIntervalsOfLeavesAndSplitsLeafBranches) {
  FormattedBody out = Find(FindOptions("json"));
  EXPECT_EQ(out.body, Bytes(kFindJson));
  EXPECT_EQ(out.content_type, "application/json");
}

TEST(FormatFindExtraTest, JsonpWithoutEnsureAsciiWritesUtf8) {
  FindFormatOptions options = FindOptions("json");
  options.jsonp = "cb";
  options.ensure_ascii = false;
  FormattedBody out = Find(options);
  EXPECT_EQ(out.body, Bytes(kFindJsonpUtf8));
  EXPECT_EQ(out.content_type, "text/javascript;charset=utf-8");
}

TEST(FormatFindExtraTest, NodelistListsSortedComponentsAtPosition) {
  FindFormatOptions options = FindOptions("nodelist");
  options.node_position = 1;
  EXPECT_EQ(Find(options).body, Bytes(kFindNodelist1));
  options.node_position = -2;
  options.pretty = true;
  EXPECT_EQ(Find(options).body, Bytes(kFindNodelistMinus2Pretty));
}

TEST(FormatFindExtraTest, NodelistPositionOutsidePathIsInvalidArgument) {
  FindFormatOptions options = FindOptions("nodelist");
  for (int64_t position : {2, -3}) {
    options.node_position = position;
    auto out = FormatFindExtra("a.*", FindFixture(), options);
    ASSERT_FALSE(out.ok()) << position;
    EXPECT_EQ(out.status().code(), core::StatusCode::kInvalidArgument);
  }
}

TEST(FormatFindExtraTest, MsgpackMatchesGraphiteWebBytes) {
  FormattedBody out = Find(FindOptions("msgpack"));
  EXPECT_EQ(out.body, Bytes(kFindMsgpack));
  EXPECT_EQ(out.content_type, "application/x-msgpack");
}

TEST(FormatFindExtraTest, PickleMatchesPythonProtocol2) {
  FormattedBody out = Find(FindOptions("pickle"));
  EXPECT_EQ(out.body, Bytes(kFindPickle));
  EXPECT_EQ(out.content_type, "application/pickle");
}

TEST(FormatFindExtraTest, LeavesWithoutIntervalSourceHaveEmptyIntervals) {
  FindFormatOptions options;
  options.format = "json";
  auto out = FormatFindExtra("a", {{"a", true, false}}, options);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->body, "[{\"path\": \"a\", \"is_leaf\": true, \"intervals\": []}]");
}

TEST(FormatFindExtraTest, UnknownFormatIsInvalidArgument) {
  auto out = FormatFindExtra("a", {}, FindOptions("treejson"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), core::StatusCode::kInvalidArgument);
}

template <typename W>
std::string EncodeInts(const std::vector<int64_t>& ints) {
  std::string out;
  W w(&out);
  w.BeginList(ints.size());
  for (int64_t v : ints) w.Int(v);
  w.EndList();
  w.Finish();
  return out;
}

const std::vector<int64_t> kInts = {
    0,  127, 128, 255,  256,  65535,  65536,  2147483647,  2147483648,  4294967295, 4294967296,
    -1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, INT64_MAX,  INT64_MIN};

TEST(PeerWriterTest, IntegersUseCPythonAndUmsgpackEncodings) {
  EXPECT_EQ(EncodeInts<internal::PickleWriter>(kInts), Bytes(kPickleInts));
  EXPECT_EQ(EncodeInts<internal::MsgpackWriter>(kInts), Bytes(kMsgpackInts));
}

template <typename W>
std::string EncodeSingles() {
  std::string out;
  W w(&out);
  w.BeginList(8);
  w.BeginList(1);
  w.Int(7);
  w.EndList();
  w.BeginDict(1);
  w.Str("k");
  w.None();
  w.EndDict();
  w.BeginList(0);
  w.EndList();
  w.BeginDict(0);
  w.EndDict();
  w.Bool(true);
  w.Bool(false);
  w.Float(-0.0);
  w.Str(std::string(40, 's'));
  w.EndList();
  w.Finish();
  return out;
}

TEST(PeerWriterTest, SingleElementAndEmptyContainersMatchOracle) {
  EXPECT_EQ(EncodeSingles<internal::PickleWriter>(), Bytes(kPickleSingles));
  EXPECT_EQ(EncodeSingles<internal::MsgpackWriter>(), Bytes(kMsgpackSingles));
}

// CPython's BININT1/BININT2 for 0..65535, as the oracle writes them.
std::string SmallInt(int v) {
  if (v < 256) return std::string("K") + static_cast<char>(v);
  return std::string("M") + static_cast<char>(v & 0xff) + static_cast<char>(v >> 8);
}

TEST(PeerWriterTest, PickleBatchesAppendsAndSetitemsByThousand) {
  // Equal to pickle.Pickler(protocol=2, fast=True) of list(range(2001)) and of
  // {str(i): i for i in range(1001)} (checked against the oracle).
  std::vector<int64_t> ints;
  std::string expected = "\x80\x02](";
  for (int i = 0; i < 2001; ++i) {
    ints.push_back(i);
    if (i == 1000 || i == 2000) expected += "e(";
    expected += SmallInt(i);
  }
  expected += "e.";
  EXPECT_EQ(EncodeInts<internal::PickleWriter>(ints), expected);

  std::string dict;
  internal::PickleWriter w(&dict);
  w.BeginDict(1001);
  expected = "\x80\x02}(";
  for (int i = 0; i < 1001; ++i) {
    const std::string key = std::to_string(i);
    w.Str(key);
    w.Int(i);
    if (i == 1000) expected += "u(";
    expected += "X" + std::string(1, static_cast<char>(key.size())) + std::string(3, '\0') + key;
    expected += SmallInt(i);
  }
  w.EndDict();
  w.Finish();
  expected += "u.";
  EXPECT_EQ(dict, expected);
}

TEST(PeerWriterTest, MsgpackUsesWideHeadersForLargeContainers) {
  std::string out;
  internal::MsgpackWriter w(&out);
  w.BeginList(16);
  w.BeginList(70000);
  w.BeginDict(20);
  w.BeginDict(70000);
  w.Str(std::string(300, 'x'));
  EXPECT_EQ(out.substr(0, 19), std::string("\xdc\x00\x10\xdd\x00\x01\x11\x70\xde\x00\x14\xdf\x00"
                                           "\x01\x11\x70\xda\x01\x2c",
                                           19));
}

}  // namespace
}  // namespace meridian::query
