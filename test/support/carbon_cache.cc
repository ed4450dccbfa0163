#include "support/carbon_cache.h"

#include <fmt/core.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace meridian::testing {
namespace {

using core::Status;
using nlohmann::json;

// argv: request.json result.json. Non-finite values become strings: JSON has no inf/nan.
constexpr char kFetchScript[] = R"PY(
import json, math, os, sys, whisper
req = json.load(open(sys.argv[1]))
def enc(v):
    if v is None or math.isfinite(v):
        return v
    return repr(v)
out = {}
for m in req["metrics"]:
    path = os.path.join(req["dir"], *m.split(".")) + ".wsp"
    res = []
    for f, u in req["windows"]:
        r = whisper.fetch(path, f, u) if os.path.exists(path) else None
        if r is None:
            res.append(None)
            continue
        (start, end, step), values = r
        res.append({"from": start, "until": end, "step": step, "values": [enc(v) for v in values]})
    out[m] = res
with open(sys.argv[2], "w") as fh:
    json.dump(out, fh)
)PY";

// argv: port metrics.json result.txt. Prints the number of points still in carbon's cache.
constexpr char kCacheQueryScript[] = R"PY(
import json, pickle, socket, struct, sys
metrics = json.load(open(sys.argv[2]))
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
def recvall(n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("cache query connection closed")
        buf += chunk
    return buf
total = 0
for i in range(0, len(metrics), 5000):
    req = pickle.dumps({"type": "cache-query-bulk", "metrics": metrics[i:i + 5000]}, protocol=2)
    s.sendall(struct.pack("!L", len(req)) + req)
    (n,) = struct.unpack("!L", recvall(4))
    resp = pickle.loads(recvall(n))
    total += sum(len(v) for v in resp["datapointsByMetric"].values())
with open(sys.argv[3], "w") as fh:
    fh.write(str(total))
)PY";

size_t CountOccurrences(const std::string& haystack, std::string_view needle) {
  size_t count = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++count;
  }
  return count;
}

std::optional<double> DecodeValue(const json& v) {
  if (v.is_null()) return std::nullopt;
  if (v.is_number()) return v.get<double>();
  std::string s = v.is_string() ? v.get<std::string>() : "nan";
  if (s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-inf") return -std::numeric_limits<double>::infinity();
  return std::numeric_limits<double>::quiet_NaN();
}

// Throws json::exception on a malformed document; the caller converts it.
void DecodeFetches(const json& out, WhisperFetches& fetches) {
  for (const auto& [metric, per_window] : out.items()) {
    auto& dest = fetches[metric];
    for (const auto& w : per_window) {
      if (w.is_null()) {
        dest.push_back(std::nullopt);
        continue;
      }
      WhisperSeries s{w.at("from").get<int64_t>(),
                      w.at("until").get<int64_t>(),
                      w.at("step").get<int64_t>(),
                      {}};
      for (const auto& v : w.at("values")) s.values.push_back(DecodeValue(v));
      dest.push_back(std::move(s));
    }
  }
}

}  // namespace

core::Result<std::unique_ptr<CarbonCache>> CarbonCache::Start(CarbonCacheOptions options) {
  if (options.storage_schemas.empty()) return core::InvalidArgument("storage_schemas is empty");
  std::unique_ptr<CarbonCache> carbon(new CarbonCache(std::move(options)));
  Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    last = carbon->Launch();
    if (last.ok()) return carbon;
  }
  return last;
}

CarbonCache::~CarbonCache() {
  if (proc_) proc_->Stop(std::chrono::seconds(5));
}

Status CarbonCache::Launch() {
  const auto& root = dir_.path();
  std::filesystem::path conf = root / "conf";
  std::filesystem::path storage = root / "storage";
  std::filesystem::create_directories(conf);
  std::filesystem::create_directories(storage / "whisper");
  std::filesystem::create_directories(storage / "log");
  line_port_ = FreeTcpPort();
  pickle_port_ = FreeTcpPort();
  cache_query_port_ = FreeTcpPort();
  std::string carbon_conf = fmt::format(
      "[cache]\n"
      "STORAGE_DIR = {0}\nLOCAL_DATA_DIR = {0}/whisper\nWHITELISTS_DIR = {0}/lists\n"
      "LOG_DIR = {0}/log\nPID_DIR = {0}\nUSER =\n"
      "MAX_CACHE_SIZE = inf\nMAX_UPDATES_PER_SECOND = inf\nMAX_CREATES_PER_MINUTE = inf\n"
      "LINE_RECEIVER_INTERFACE = 127.0.0.1\nLINE_RECEIVER_PORT = {1}\n"
      "ENABLE_UDP_LISTENER = False\n"
      "PICKLE_RECEIVER_INTERFACE = 127.0.0.1\nPICKLE_RECEIVER_PORT = {2}\n"
      "CACHE_QUERY_INTERFACE = 127.0.0.1\nCACHE_QUERY_PORT = {3}\n"
      "ENABLE_TAGS = False\nCARBON_METRIC_INTERVAL = 0\n"
      "LOG_UPDATES = True\nLOG_CREATES = True\nLOG_LISTENER_CONN_SUCCESS = True\n"
      "WHISPER_AUTOFLUSH = False\nWHISPER_SPARSE_CREATE = True\n{4}\n",
      storage.string(), line_port_, pickle_port_, cache_query_port_, options_.extra_cache_settings);
  RETURN_IF_ERROR(WriteFile(conf / "carbon.conf", carbon_conf));
  RETURN_IF_ERROR(WriteFile(conf / "storage-schemas.conf", options_.storage_schemas));
  if (!options_.storage_aggregation.empty()) {
    RETURN_IF_ERROR(WriteFile(conf / "storage-aggregation.conf", options_.storage_aggregation));
  }
  std::error_code ec;
  std::filesystem::remove(storage / "carbon-cache-a.pid", ec);  // A stale pid blocks "start".
  SubprocessOptions sub;
  sub.argv = {kSystemPython, "/usr/bin/carbon-cache", "--config=" + (conf / "carbon.conf").string(),
              "--nodaemon", "start"};
  sub.env = {"GRAPHITE_ROOT=" + root.string(), "GRAPHITE_CONF_DIR=" + conf.string(),
             "GRAPHITE_STORAGE_DIR=" + storage.string(), "PYTHONWARNINGS=ignore"};
  sub.cwd = root;
  sub.log_path = root / "carbon-cache.log";
  ASSIGN_OR_RETURN(proc_, Subprocess::Start(std::move(sub)));
  bool up = WaitFor(
      [this] {
        return !proc_->Running() ||
               (WaitForTcpPort(line_port_, std::chrono::milliseconds(0)) &&
                WaitForTcpPort(cache_query_port_, std::chrono::milliseconds(0)));
      },
      options_.start_timeout);
  if (!up || !proc_->Running()) {
    std::string log = proc_->ReadLog();
    proc_->Stop(std::chrono::seconds(2));
    return core::Unavailable("carbon-cache did not start: " + log.substr(0, 4000));
  }
  return Status::Ok();
}

core::Result<int64_t> CarbonCache::CachedPointCount(const std::vector<std::string>& metrics) const {
  std::filesystem::path request = dir_.path() / "cache-query.json";
  std::filesystem::path result = dir_.path() / "cache-query.out";
  RETURN_IF_ERROR(WriteFile(request, json(metrics).dump()));
  SubprocessOptions sub;
  sub.argv = {kSystemPython,     "-c",
              kCacheQueryScript, std::to_string(cache_query_port_),
              request.string(),  result.string()};
  RETURN_IF_ERROR(RunAndCapture(sub, dir_.path(), std::chrono::seconds(60)).status());
  std::string text = ReadFileOrEmpty(result);
  if (text.empty()) return core::Internal("cache query wrote nothing");
  return std::stoll(text);
}

Status CarbonCache::WaitUntilWritten(const std::vector<std::string>& metrics, int connections,
                                     std::chrono::milliseconds deadline) {
  // The writer pops a metric from the cache before writing it, so an empty cache alone can hide
  // one in-flight write; two consecutive empty polls with an unchanged count of logged writes
  // cannot.
  size_t previous_writes = std::numeric_limits<size_t>::max();
  Status last_error;
  bool done = WaitFor(
      [&] {
        std::string log = proc_->ReadLog();
        if (CountOccurrences(log, "closed cleanly") < static_cast<size_t>(connections)) {
          return false;
        }
        auto cached = CachedPointCount(metrics);
        if (!cached.ok()) {
          last_error = cached.status();
          return false;
        }
        size_t writes = CountOccurrences(proc_->ReadLog(), "[updates] wrote");
        bool quiet = *cached == 0 && writes == previous_writes;
        previous_writes = *cached == 0 ? writes : std::numeric_limits<size_t>::max();
        return quiet;
      },
      deadline);
  if (done) return Status::Ok();
  return core::Status(core::StatusCode::kDeadlineExceeded,
                      "carbon-cache did not finish writing: " + last_error.ToString());
}

core::Result<WhisperFetches> CarbonCache::Fetch(const std::vector<std::string>& metrics,
                                                const std::vector<TimeWindow>& windows) const {
  std::filesystem::path request = dir_.path() / "fetch.json";
  std::filesystem::path result = dir_.path() / "fetch.out.json";
  json req = {{"dir", whisper_dir().string()}, {"metrics", metrics}, {"windows", json::array()}};
  for (const auto& [from, until] : windows) req["windows"].push_back({from, until});
  RETURN_IF_ERROR(WriteFile(request, req.dump()));
  SubprocessOptions sub;
  sub.argv = {kSystemPython, "-c", kFetchScript, request.string(), result.string()};
  RETURN_IF_ERROR(RunAndCapture(sub, dir_.path(), std::chrono::seconds(120)).status());
  json out = json::parse(ReadFileOrEmpty(result), nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded() || !out.is_object()) return core::Corruption("whisper fetch output");
  WhisperFetches fetches;
  try {
    DecodeFetches(out, fetches);
  } catch (const json::exception& e) {
    return core::Corruption(std::string("whisper fetch output: ") + e.what());
  }
  return fetches;
}

int CarbonCache::Stop() { return proc_->Stop(std::chrono::seconds(10)); }

}  // namespace meridian::testing
