// graphite_load: a realistic Graphite plaintext load generator for ingest benchmarks.
//
// Dataset (fixed seed, identical for every receiver): `--series` series named
// <prefix>.dc<N>.host-<NNNNN>.<metric> (`--prefix`, default servers; 20 metrics per host, 4 data
// centres), `--points` points
// per series `--step` seconds apart, ending at `--end` (default: now aligned down to the step,
// minus one step). Kinds by metric: gauges with 1-2 decimals (random walks), counters
// (monotonic integers), constants, and sparse small integers (mostly 0). Order is time-major
// like real senders: every series at t0, then t1, ...; hosts are split over `--connections`
// TCP connections, each written as fast as the receiver accepts.
//
// Prints one JSON object: lines, bytes, seconds (first connect to last byte written),
// lines_per_second, first_ts, last_ts, and `sample`: a few series names (spread over the set,
// plus each connection's last series) for the caller to poll for completeness.
// --names-only prints every series name instead (for receivers polled by name).
// --whisper-dir DIR writes the same points as whisper files under DIR instead of sending them
// (one archive of `--step` x `--points` and some spare slots, average, xFilesFactor 0.5, as carbon
// would have stored them): for graphite-web at scales carbon-cache would take hours to ingest.
// --pickle N sends the same points as carbon's pickle protocol instead (to a pickle receiver,
// e.g. port 2004): frames of N points (carbon-relay's MAX_DATAPOINTS_PER_MESSAGE is 500), each a
// 4-byte big-endian length and a protocol-2 pickle of [(name, (ts, value)), ...] as CPython
// writes it (BINUNICODE names, BINFLOAT timestamps and values, memo puts), which is what
// carbon-relay sends; values are the plaintext's, rounded the same way.
#include <arpa/inet.h>
#include <fmt/core.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "whisper_file.h"

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 2003;
  int64_t series = 20000;
  int64_t points = 100;
  int connections = 4;
  int64_t step = 10;
  int64_t end = 0;  // 0 = now aligned down to step, minus one step.
  uint64_t seed = 42;
  bool names_only = false;    // Print every series name, one per line, and send nothing.
  int64_t pickle_points = 0;  // > 0: carbon pickle frames of this many points instead of lines.
  std::string whisper_dir;    // Write whisper files here instead of sending.
};

enum class Kind { kGauge1, kGauge2, kCounter, kConstant, kSparse };
struct Metric {
  const char* name;
  Kind kind;
};
constexpr Metric kMetrics[] = {
    {"cpu.user", Kind::kGauge2},
    {"cpu.system", Kind::kGauge2},
    {"cpu.iowait", Kind::kGauge2},
    {"load.shortterm", Kind::kGauge2},
    {"load.longterm", Kind::kGauge2},
    {"memory.used_pct", Kind::kGauge1},
    {"disk.root.used_pct", Kind::kGauge1},
    {"http.latency_ms", Kind::kGauge1},
    {"net.eth0.rx_bytes", Kind::kCounter},
    {"net.eth0.tx_bytes", Kind::kCounter},
    {"http.requests.count", Kind::kCounter},
    {"disk.root.writes", Kind::kCounter},
    {"memory.total", Kind::kConstant},
    {"cpu.cores", Kind::kConstant},
    {"disk.root.total", Kind::kConstant},
    {"processes.zombies", Kind::kSparse},
    {"users.logged_in", Kind::kSparse},
    {"http.status.5xx", Kind::kSparse},
    {"oom.kills", Kind::kSparse},
    {"ntp.offset_ms", Kind::kGauge2},
};
constexpr int64_t kMetricsPerHost = std::size(kMetrics);

uint64_t SplitMix(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::string g_prefix = "servers";  // --prefix

std::string SeriesName(int64_t series) {
  int64_t host = series / kMetricsPerHost;
  return fmt::format("{}.dc{}.host-{:05}.{}", g_prefix, host % 4, host,
                     kMetrics[series % kMetricsPerHost].name);
}

// Per-series generator; values depend only on (seed, series, point index).
struct SeriesState {
  std::string name;
  Kind kind;
  uint64_t rng;
  double value;
  int64_t counter;

  SeriesState(int64_t series, uint64_t seed)
      : name(SeriesName(series)),
        kind(kMetrics[series % kMetricsPerHost].kind),
        rng(seed * 1000003u + static_cast<uint64_t>(series)) {
    value = static_cast<double>(SplitMix(rng) % 10000) / 100.0;
    counter = static_cast<int64_t>(SplitMix(rng) % 1000000);
  }

  // The next value, as the plaintext line prints it.
  double Next() {
    uint64_t r = SplitMix(rng);
    switch (kind) {
      case Kind::kGauge1:
      case Kind::kGauge2: {
        value += (static_cast<double>(r % 201) - 100.0) / 100.0;
        if (value < 0) value = -value;
        const double scale = kind == Kind::kGauge1 ? 10.0 : 100.0;
        return std::round(value * scale) / scale;
      }
      case Kind::kCounter:
        counter += static_cast<int64_t>(r % 5000);
        return static_cast<double>(counter);
      case Kind::kConstant:
        return static_cast<double>(counter % 64 + 1);
      case Kind::kSparse:
        return static_cast<double>(r % 20 == 0 ? r % 7 + 1 : 0);
    }
    return 0;
  }

  void Append(int64_t ts, fmt::memory_buffer& out) {
    const double v = Next();
    if (kind == Kind::kGauge1 || kind == Kind::kGauge2) {
      fmt::format_to(std::back_inserter(out), "{} {:.{}f} {}\n", name, v,
                     kind == Kind::kGauge1 ? 1 : 2, ts);
    } else {
      fmt::format_to(std::back_inserter(out), "{} {} {}\n", name, static_cast<int64_t>(v), ts);
    }
  }
};

// Carbon pickle frames, protocol 2, as CPython's pickle.dumps writes a list of (str, (float,
// float)) tuples: strings and tuples memoized (BINPUT / LONG_BINPUT), floats not.
class PickleFrames {
 public:
  void Add(std::string_view name, int64_t ts, double value) {
    if (count_ == 0) Start();
    body_.push_back('X');
    PutLE32(static_cast<uint32_t>(name.size()));
    body_.append(name);
    Put();
    PutFloat(static_cast<double>(ts));
    PutFloat(value);
    body_.push_back('\x86');
    Put();
    body_.push_back('\x86');
    Put();
    ++count_;
  }
  size_t count() const { return count_; }
  // Closes the current frame (if any) and appends it, length first, to `out`.
  void Flush(fmt::memory_buffer& out) {
    if (count_ == 0) return;
    body_ += "e.";
    const auto n = static_cast<uint32_t>(body_.size());
    const char len[4] = {static_cast<char>(n >> 24), static_cast<char>((n >> 16) & 0xFF),
                         static_cast<char>((n >> 8) & 0xFF), static_cast<char>(n & 0xFF)};
    out.append(len, len + 4);
    out.append(body_.data(), body_.data() + body_.size());
    count_ = 0;
  }

 private:
  void Start() {
    body_.assign("\x80\x02]", 3);
    memo_ = 0;
    Put();
    body_.push_back('(');
  }
  void PutLE32(uint32_t v) {
    for (int i = 0; i < 4; ++i) body_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  void Put() {  // memoize the top of the stack
    if (memo_ < 256) {
      body_.push_back('q');
      body_.push_back(static_cast<char>(memo_));
    } else {
      body_.push_back('r');
      PutLE32(memo_);
    }
    ++memo_;
  }
  void PutFloat(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    body_.push_back('G');
    for (int i = 7; i >= 0; --i) body_.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
  }

  std::string body_;
  uint32_t memo_ = 0;
  size_t count_ = 0;
};

int Connect(const Options& o) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(o.port));
  if (inet_pton(AF_INET, o.host.c_str(), &addr.sin_addr) != 1 ||
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  int bufsize = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize));
  return fd;
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

struct Result {
  int64_t lines = 0;
  int64_t bytes = 0;
  std::string error;
};

// One connection: the hosts h with h % connections == index, time-major.
void RunConnection(const Options& o, int index, int64_t first_ts, Result& result) {
  std::vector<SeriesState> series;
  for (int64_t s = 0; s < o.series; ++s) {
    if ((s / kMetricsPerHost) % o.connections == index) series.emplace_back(s, o.seed);
  }
  int fd = Connect(o);
  if (fd < 0) {
    result.error = fmt::format("connect {}:{}: {}", o.host, o.port, std::strerror(errno));
    return;
  }
  fmt::memory_buffer buf;
  PickleFrames frames;
  for (int64_t p = 0; p < o.points && result.error.empty(); ++p) {
    int64_t ts = first_ts + p * o.step;
    for (auto& s : series) {
      if (o.pickle_points > 0) {
        frames.Add(s.name, ts, s.Next());
        if (static_cast<int64_t>(frames.count()) >= o.pickle_points) frames.Flush(buf);
      } else {
        s.Append(ts, buf);
      }
      ++result.lines;
      if (buf.size() >= (256 << 10)) {
        if (!WriteAll(fd, buf.data(), buf.size())) result.error = std::strerror(errno);
        result.bytes += static_cast<int64_t>(buf.size());
        buf.clear();
      }
    }
  }
  frames.Flush(buf);
  if (result.error.empty() && buf.size() > 0) {
    if (!WriteAll(fd, buf.data(), buf.size())) result.error = std::strerror(errno);
    result.bytes += static_cast<int64_t>(buf.size());
  }
  shutdown(fd, SHUT_WR);
  close(fd);
}

bool ParseArgs(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--whisper-dir" && i + 1 < argc) {
      o.whisper_dir = argv[++i];
      continue;
    }
    if (arg == "--names-only") {
      o.names_only = true;
      continue;
    }
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = next();
    if (v == nullptr) return false;
    if (arg == "--host")
      o.host = v;
    else if (arg == "--port")
      o.port = std::atoi(v);
    else if (arg == "--series")
      o.series = std::atoll(v);
    else if (arg == "--points")
      o.points = std::atoll(v);
    else if (arg == "--connections")
      o.connections = std::atoi(v);
    else if (arg == "--step")
      o.step = std::atoll(v);
    else if (arg == "--end")
      o.end = std::atoll(v);
    else if (arg == "--seed")
      o.seed = std::strtoull(v, nullptr, 10);
    else if (arg == "--prefix")
      g_prefix = v;
    else if (arg == "--pickle")
      o.pickle_points = std::atoll(v);
    else
      return false;
  }
  return o.port > 0 && o.port < 65536 && o.series > 0 && o.points > 0 && o.connections > 0 &&
         o.step > 0 && o.pickle_points >= 0;
}

// Series to poll: spread evenly over the set, plus the last series of each connection.
std::vector<int64_t> Sample(const Options& o) {
  std::vector<int64_t> out;
  int64_t stride = std::max<int64_t>(1, o.series / 40);
  for (int64_t s = 0; s < o.series; s += stride) out.push_back(s);
  for (int64_t s = o.series - 1; s >= 0 && s >= o.series - kMetricsPerHost * o.connections; --s) {
    out.push_back(s);
  }
  return out;
}

// --whisper-dir: every series' points as one whisper file, slot 0 the first point.
int WriteWhisper(const Options& o, int64_t first_ts) {
  // Spare slots past the data (timestamp 0: null to whisper), as many again, so that a read of
  // the whole window hours later is not clipped by the retention.
  const std::vector<meridian::bench::WhisperArchive> archive = {
      {static_cast<uint32_t>(o.step),
       static_cast<uint32_t>(o.points + std::max<int64_t>(360, o.points))}};
  std::string file;
  uint64_t bytes = 0;
  for (int64_t s = 0; s < o.series; ++s) {
    SeriesState state(s, o.seed);
    file.clear();
    meridian::bench::PutWhisperHeader(&file, archive, 0.5f);
    for (int64_t p = 0; p < o.points; ++p) {
      meridian::bench::PutWhisperSlot(&file, first_ts + p * o.step, state.Next());
    }
    for (uint32_t p = static_cast<uint32_t>(o.points); p < archive[0].points; ++p) {
      meridian::bench::PutWhisperSlot(&file, 0, 0.0);
    }
    std::string relative = state.name;
    std::replace(relative.begin(), relative.end(), '.', '/');
    if (!meridian::bench::WriteWhisperFile(
            std::filesystem::path(o.whisper_dir) / (relative + ".wsp"), file)) {
      std::fprintf(stderr, "graphite_load: cannot write %s under %s\n", relative.c_str(),
                   o.whisper_dir.c_str());
      return 1;
    }
    bytes += file.size();
  }
  std::printf("{\"series\": %lld, \"bytes\": %llu, \"first_ts\": %lld, \"last_ts\": %lld}\n",
              static_cast<long long>(o.series), static_cast<unsigned long long>(bytes),
              static_cast<long long>(first_ts),
              static_cast<long long>(first_ts + (o.points - 1) * o.step));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: graphite_load [--host H] [--port P] [--series N] [--points N]\n"
                 "       [--connections N] [--step S] [--end EPOCH] [--seed N] [--prefix P] "
                 "[--names-only]\n"
                 "       [--whisper-dir DIR]\n"
                 "       [--pickle POINTS_PER_FRAME]\n");
    return 2;
  }
  if (o.names_only) {
    for (int64_t s = 0; s < o.series; ++s) std::printf("%s\n", SeriesName(s).c_str());
    return 0;
  }
  int64_t end = o.end > 0 ? o.end : (std::time(nullptr) / o.step - 1) * o.step;
  int64_t first_ts = end - (o.points - 1) * o.step;
  if (!o.whisper_dir.empty()) return WriteWhisper(o, first_ts);
  std::vector<Result> results(static_cast<size_t>(o.connections));
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c) {
    threads.emplace_back(RunConnection, std::cref(o), c, first_ts, std::ref(results[c]));
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Result total;
  for (const auto& r : results) {
    total.lines += r.lines;
    total.bytes += r.bytes;
    if (total.error.empty()) total.error = r.error;
  }
  std::string sample;
  for (int64_t s : Sample(o))
    sample += fmt::format("{}\"{}\"", sample.empty() ? "" : ",", SeriesName(s));
  std::printf(
      "{\"lines\": %lld, \"bytes\": %lld, \"seconds\": %.6f, \"lines_per_second\": %.1f, "
      "\"first_ts\": %lld, \"last_ts\": %lld, \"points_per_series\": %lld, \"error\": \"%s\", "
      "\"sample\": [%s]}\n",
      static_cast<long long>(total.lines), static_cast<long long>(total.bytes), seconds,
      static_cast<double>(total.lines) / seconds, static_cast<long long>(first_ts),
      static_cast<long long>(end), static_cast<long long>(o.points), total.error.c_str(),
      sample.c_str());
  return total.error.empty() ? 0 : 1;
}
