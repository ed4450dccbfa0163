// GraphiteServer over real loopback sockets (port 0) with a recording PointSink.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "ingest/graphite_server.h"
#include "support/fake_clock.h"
#include "support/pickle_frames.h"
#include "support/process.h"

namespace meridian::ingest {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr auto kDeadline = std::chrono::seconds(20);
constexpr int64_t kNow = 1'700'000'000;

struct Recorded {
  std::string name;
  int64_t timestamp;
  double value;
  bool operator==(const Recorded&) const = default;
};

class RecordingSink : public PointSink {
 public:
  bool TryWrite(storage::PointBatch& batch) override {
    std::lock_guard lock(mu_);
    if (refuse_) {
      ++refusals_;
      return false;
    }
    for (const auto& e : batch.entries()) {
      points_.push_back({std::string(batch.name(e)), e.timestamp, e.value});
    }
    cv_.notify_all();
    return true;
  }
  void SetRefuse(bool refuse) {
    std::lock_guard lock(mu_);
    refuse_ = refuse;
  }
  bool WaitForPoints(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return points_.size() >= n; });
  }
  std::vector<Recorded> points() {
    std::lock_guard lock(mu_);
    return points_;
  }
  size_t refusals() {
    std::lock_guard lock(mu_);
    return refusals_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool refuse_ = false;
  size_t refusals_ = 0;
  std::vector<Recorded> points_;
};

// Waits (testing::WaitFor: polling with a deadline) until `done` holds.
bool Eventually(const std::function<bool()>& done) {
  return meridian::testing::WaitFor(done, std::chrono::duration_cast<milliseconds>(kDeadline));
}

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// A connected client socket, closed on destruction.
class Client {
 public:
  // `source` picks the client's address (any of 127.0.0.0/8 reaches the loopback listener), so a
  // test can be several senders.
  explicit Client(uint16_t port, const char* source = nullptr)
      : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    if (source != nullptr) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      inet_pton(AF_INET, source, &local.sin_addr);
      if (bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) return;
    }
    sockaddr_in addr = Loopback(port);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~Client() { Close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // True once the server closed the connection (EOF or reset), within the deadline.
  bool WaitClosedByPeer() {
    auto until = steady_clock::now() + kDeadline;
    char buf[256];
    while (steady_clock::now() < until) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) > 0) {
        ssize_t n = recv(fd_, buf, sizeof(buf), 0);
        if (n <= 0) return true;
      }
    }
    return false;
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
  bool connected_ = false;
};

bool SendDatagram(uint16_t port, std::string_view data) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr = Loopback(port);
  ssize_t n =
      sendto(fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  close(fd);
  return n == static_cast<ssize_t>(data.size());
}

class IngestServerTest : public ::testing::Test {
 protected:
  IngestServerTest() : clock_(kNow) { options_.listen = "127.0.0.1:0"; }

  void StartServer() {
    auto server = GraphiteServer::Start(options_, sink_, clock_, registry_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  uint64_t CounterValue(const std::string& name, const core::Labels& labels = {}) {
    return registry_.GetCounter(name, "", labels).Value();
  }
  uint64_t Rejected(const std::string& reason) {
    return CounterValue("ingest_lines_rejected_total", {{"reason", reason}});
  }
  int64_t OpenConnections() { return registry_.GetGauge("ingest_connections_open", "").Value(); }

  ServerOptions options_;
  testing::FakeClock clock_;
  core::MetricsRegistry registry_;
  RecordingSink sink_;
  std::unique_ptr<GraphiteServer> server_;
};

TEST_F(IngestServerTest, TcpLinesArriveWithCanonicalNamesAndNowForMinusOne) {
  StartServer();
  Client c(server_->tcp_port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("a.b 1.5 100\r\nm;z=1;y=2\t2 -1\n"));
  // Delivered by the flush timer while the connection stays open.
  ASSERT_TRUE(sink_.WaitForPoints(2));
  EXPECT_EQ(sink_.points(), (std::vector<Recorded>{{"a.b", 100, 1.5}, {"m;y=2;z=1", kNow, 2}}));
  EXPECT_EQ(CounterValue("ingest_points_received_total"), 2u);
  EXPECT_EQ(CounterValue("ingest_connections_total"), 1u);
}

TEST_F(IngestServerTest, UdpDatagramLinesArriveIncludingUnterminatedLastLine) {
  StartServer();
  ASSERT_NE(server_->udp_port(), 0);
  ASSERT_TRUE(SendDatagram(server_->udp_port(), "a 1 10\r\nb 2 20\rc 3 30"));
  ASSERT_TRUE(sink_.WaitForPoints(3));
  EXPECT_EQ(sink_.points(), (std::vector<Recorded>{{"a", 10, 1}, {"b", 20, 2}, {"c", 30, 3}}));
  EXPECT_EQ(CounterValue("ingest_udp_datagrams_total"), 1u);
}

TEST_F(IngestServerTest, MalformedLinesAreCountedAndNeighboursKept) {
  StartServer();
  Client c(server_->tcp_port());
  ASSERT_TRUE(c.Send("a 1 10\nbad line\nb nan 10\n\nc x 10\nd;t=~v 1 1\ne 5 50\n"));
  ASSERT_TRUE(sink_.WaitForPoints(2));
  ASSERT_TRUE(c.Send("f 6 60\n"));  // the connection survived
  ASSERT_TRUE(sink_.WaitForPoints(3));
  EXPECT_EQ(sink_.points(), (std::vector<Recorded>{{"a", 10, 1}, {"e", 50, 5}, {"f", 60, 6}}));
  EXPECT_EQ(Rejected("too_few_fields"), 1u);
  EXPECT_EQ(Rejected("nan_value"), 1u);
  EXPECT_EQ(Rejected("bad_value"), 1u);
  EXPECT_EQ(Rejected("bad_tags"), 1u);
}

TEST_F(IngestServerTest, LineOverLimitDropsOnlyThatConnection) {
  StartServer();
  Client bad(server_->tcp_port());
  Client good(server_->tcp_port());
  ASSERT_TRUE(good.Send("good 1 10\n"));
  ASSERT_TRUE(bad.Send("before 1 10\n" + std::string(16385, 'x') + "\nafter 1 10\n"));
  EXPECT_TRUE(bad.WaitClosedByPeer());
  ASSERT_TRUE(good.Send("good 2 20\n"));
  ASSERT_TRUE(sink_.WaitForPoints(3));
  std::vector<Recorded> got = sink_.points();
  EXPECT_NE(std::find(got.begin(), got.end(), Recorded{"before", 10, 1}), got.end());
  EXPECT_EQ(std::find(got.begin(), got.end(), Recorded{"after", 10, 1}), got.end());
  EXPECT_EQ(CounterValue("ingest_lines_too_long_total"), 1u);
  EXPECT_TRUE(Eventually([&] { return OpenConnections() == 1; }));
}

TEST_F(IngestServerTest, LineExactlyAtLimitIsAccepted) {
  StartServer();
  Client c(server_->tcp_port());
  std::string name(16384 - 5, 'n');
  ASSERT_TRUE(c.Send(name + " 1 2\n"));
  ASSERT_TRUE(sink_.WaitForPoints(1));
  EXPECT_EQ(sink_.points()[0].name, name);
  EXPECT_EQ(CounterValue("ingest_lines_too_long_total"), 0u);
}

TEST_F(IngestServerTest, TwoHundredConcurrentConnectionsAllDelivered) {
  StartServer();
  constexpr int kClients = 200, kLines = 50;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>(server_->tcp_port()));
    ASSERT_TRUE(clients.back()->connected()) << i;
  }
  for (int i = 0; i < kClients; ++i) {
    std::string data;
    for (int j = 0; j < kLines; ++j)
      data += "c" + std::to_string(i) + " " + std::to_string(j) + " 1\n";
    ASSERT_TRUE(clients[i]->Send(data));
  }
  clients.clear();  // closing flushes each connection's batch
  ASSERT_TRUE(sink_.WaitForPoints(kClients * kLines));
  EXPECT_EQ(sink_.points().size(), static_cast<size_t>(kClients * kLines));
  EXPECT_EQ(CounterValue("ingest_connections_total"), static_cast<uint64_t>(kClients));
  EXPECT_TRUE(Eventually([&] { return OpenConnections() == 0; }));
}

TEST_F(IngestServerTest, ConnectionsOverLimitAreClosedAndCounted) {
  options_.max_connections = 2;
  StartServer();
  Client a(server_->tcp_port()), b(server_->tcp_port());
  ASSERT_TRUE(Eventually([&] { return OpenConnections() == 2; }));
  Client c(server_->tcp_port());
  EXPECT_TRUE(c.WaitClosedByPeer());
  EXPECT_EQ(CounterValue("ingest_connections_rejected_total", {{"reason", "max_connections"}}), 1u);
  ASSERT_TRUE(a.Send("still 1 1\n"));
  EXPECT_TRUE(sink_.WaitForPoints(1));
}

TEST_F(IngestServerTest, PerSourceCapRefusesThatSourceAndLetsASecondSourceIn) {
  options_.max_connections = 3;
  options_.max_connections_per_source = 2;
  StartServer();
  // One sender holds its two slots idle (the lock-out of issue 12 needs it to hold all of them).
  Client a1(server_->tcp_port(), "127.0.0.1"), a2(server_->tcp_port(), "127.0.0.1");
  ASSERT_TRUE(a1.connected() && a2.connected());
  ASSERT_TRUE(Eventually([&] { return OpenConnections() == 2; }));
  Client a3(server_->tcp_port(), "127.0.0.1");
  EXPECT_TRUE(a3.WaitClosedByPeer());
  EXPECT_EQ(
      CounterValue("ingest_connections_rejected_total", {{"reason", "max_connections_per_source"}}),
      1u);
  Client b(server_->tcp_port(), "127.0.0.2");
  ASSERT_TRUE(b.connected());
  ASSERT_TRUE(b.Send("second.source 1 1\n"));
  ASSERT_TRUE(sink_.WaitForPoints(1));
  EXPECT_EQ(sink_.points()[0].name, "second.source");
  EXPECT_EQ(OpenConnections(), 3);
  EXPECT_EQ(CounterValue("ingest_connections_rejected_total", {{"reason", "max_connections"}}), 0u);
}

TEST_F(IngestServerTest, IdleSenderIsClosedAndCountedAfterItsPointsAreDelivered) {
  options_.idle_timeout = milliseconds(300);
  options_.flush_interval_ms = 600'000;  // only the close delivers the batch
  StartServer();
  Client idle(server_->tcp_port());
  ASSERT_TRUE(idle.Send("i 1 1\n"));
  EXPECT_TRUE(idle.WaitClosedByPeer());
  ASSERT_TRUE(sink_.WaitForPoints(1));
  EXPECT_EQ(CounterValue("ingest_connections_idle_closed_total"), 1u);
  EXPECT_TRUE(Eventually([&] { return OpenConnections() == 0; }));
}

TEST_F(IngestServerTest, BadLinesDoNotKeepAConnectionFromIdling) {
  options_.idle_timeout = milliseconds(300);
  StartServer();
  Client junk(server_->tcp_port());
  ASSERT_TRUE(junk.Send("not a point at all\n"));
  // Carbon resets its idle timer on a received metric only; so does Meridian.
  ASSERT_TRUE(Eventually([&] { return Rejected("too_many_fields") == 1; }));
  ASSERT_TRUE(junk.Send("still not\n"));
  EXPECT_TRUE(junk.WaitClosedByPeer());
  EXPECT_EQ(CounterValue("ingest_connections_idle_closed_total"), 1u);
}

TEST_F(IngestServerTest, BadNamesAreRejectedWithTheirReasonOverTcpAndUdp) {
  StartServer();
  Client c(server_->tcp_port());
  const std::string tcp_lines =
      std::string("dot..dot 1 1\n.lead 1 1\ntrail. 1 1\nn") + '\0' + "ul 1 1\nok.tcp 1 1\n";
  ASSERT_TRUE(c.Send(tcp_lines));
  ASSERT_TRUE(SendDatagram(server_->udp_port(), "c\x01trl 1 1\nok.udp 1 1\n"));
  ASSERT_TRUE(sink_.WaitForPoints(2));
  EXPECT_EQ(Rejected("empty_node"), 3u);
  EXPECT_TRUE(Eventually([&] { return Rejected("control_char") == 2; }));
  std::vector<Recorded> got = sink_.points();
  std::vector<std::string> names;
  for (const Recorded& r : got) names.push_back(r.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"ok.tcp", "ok.udp"}));
}

TEST_F(IngestServerTest, UdpLineOverLimitIsRejectedAndTheDatagramsOtherLinesKept) {
  StartServer();
  // A 60 KB name, as issue 8 created through UDP; default max_line_bytes 16384.
  const std::string huge(60'000, 'h');
  ASSERT_TRUE(SendDatagram(server_->udp_port(), "before 1 10\n" + huge + " 1 10\nafter 2 20"));
  ASSERT_TRUE(sink_.WaitForPoints(2));
  EXPECT_EQ(sink_.points(), (std::vector<Recorded>{{"before", 10, 1}, {"after", 20, 2}}));
  EXPECT_EQ(Rejected("too_long"), 1u);
  EXPECT_EQ(CounterValue("ingest_udp_datagrams_total"), 1u);
}

TEST_F(IngestServerTest, FullSinkPausesReadingThenDeliversEverythingInOrder) {
  options_.batch_points = 10;
  sink_.SetRefuse(true);
  StartServer();
  Client c(server_->tcp_port());
  constexpr int kLines = 5000;
  std::string data;
  for (int i = 0; i < kLines; ++i) data += "bp " + std::to_string(i) + " 1\n";
  std::thread sender([&] { EXPECT_TRUE(c.Send(data)); });
  // Several retries have been refused: parsing stopped at the first full batch.
  ASSERT_TRUE(Eventually([&] { return sink_.refusals() >= 5; }));
  EXPECT_EQ(CounterValue("ingest_points_received_total"), options_.batch_points);
  EXPECT_GE(CounterValue("ingest_backpressure_pauses_total"), 1u);
  sink_.SetRefuse(false);
  ASSERT_TRUE(sink_.WaitForPoints(kLines));
  sender.join();
  std::vector<Recorded> got = sink_.points();
  ASSERT_EQ(got.size(), static_cast<size_t>(kLines));
  for (int i = 0; i < kLines; ++i) EXPECT_EQ(got[i].value, i);
}

// The pickle receiver runs on the same connection machinery: a full sink pauses it between
// frames, nothing is lost, order is kept; pickle connections count towards max_connections.
TEST_F(IngestServerTest, PickleFramesObeyBackpressureAndSharedConnectionLimits) {
  options_.batch_points = 10;
  options_.pickle_listen = "127.0.0.1:0";
  sink_.SetRefuse(true);
  StartServer();
  ASSERT_NE(server_->pickle_port(), 0);
  ASSERT_NE(server_->pickle_port(), server_->tcp_port());
  constexpr int kFrames = 700;
  constexpr int kPerFrame = 7;
  std::string data;
  for (int f = 0; f < kFrames; ++f) {
    std::vector<testing::PickledPoint> points;
    for (int i = 0; i < kPerFrame; ++i) points.push_back({"pk", 1, double(f * kPerFrame + i)});
    data += testing::LengthPrefixed(testing::EncodeProtocol2(points));
  }
  Client c(server_->pickle_port());
  Client plain(server_->tcp_port());
  ASSERT_TRUE(Eventually([&] { return OpenConnections() == 2; }));
  std::thread sender([&] { EXPECT_TRUE(c.Send(data)); });
  // Two frames fill the 10-point batch; the sink refuses it: reading stops there.
  ASSERT_TRUE(Eventually([&] { return sink_.refusals() >= 5; }));
  EXPECT_EQ(CounterValue("ingest_points_received_total"), 2u * kPerFrame);
  EXPECT_GE(CounterValue("ingest_backpressure_pauses_total"), 1u);
  sink_.SetRefuse(false);
  ASSERT_TRUE(sink_.WaitForPoints(kFrames * kPerFrame));
  sender.join();
  std::vector<Recorded> got = sink_.points();
  ASSERT_EQ(got.size(), static_cast<size_t>(kFrames * kPerFrame));
  for (int i = 0; i < kFrames * kPerFrame; ++i) EXPECT_EQ(got[i].value, i);
  EXPECT_EQ(CounterValue("ingest_pickle_frames_total"), static_cast<uint64_t>(kFrames));
}

TEST_F(IngestServerTest, StopDrainsPendingBatches) {
  options_.flush_interval_ms = 600'000;
  StartServer();
  Client c(server_->tcp_port());
  ASSERT_TRUE(c.Send("s 1 1\ns 2 2\ns 3 3\n"));
  ASSERT_TRUE(Eventually([&] { return CounterValue("ingest_points_received_total") == 3; }));
  EXPECT_TRUE(sink_.points().empty());  // parsed, still in the connection's batch
  server_->Stop();
  EXPECT_EQ(sink_.points().size(), 3u);
  EXPECT_EQ(OpenConnections(), 0);
}

TEST_F(IngestServerTest, StopGivesUpOnRefusingSinkAfterDrainTimeoutAndCounts) {
  options_.flush_interval_ms = 600'000;
  options_.drain_timeout_ms = 100;
  sink_.SetRefuse(true);
  StartServer();
  Client c(server_->tcp_port());
  ASSERT_TRUE(c.Send("s 1 1\ns 2 2\n"));
  ASSERT_TRUE(Eventually([&] { return CounterValue("ingest_points_received_total") == 2; }));
  server_->Stop();
  EXPECT_EQ(CounterValue("ingest_points_dropped_total", {{"reason", "shutdown"}}), 2u);
}

TEST_F(IngestServerTest, UdpPointsRefusedBySinkAreDroppedAndCounted) {
  sink_.SetRefuse(true);
  StartServer();
  ASSERT_TRUE(SendDatagram(server_->udp_port(), "u 1 1\nu 2 2\n"));
  ASSERT_TRUE(Eventually([&] { return CounterValue("ingest_udp_points_dropped_total") == 2; }));
  EXPECT_TRUE(sink_.points().empty());
}

// A sink whose first TryWrite blocks until Open(): the UDP receiver stalls, as a slow store would
// stall it, while the kernel queue fills up and drops the rest.
class GatedSink : public PointSink {
 public:
  bool TryWrite(storage::PointBatch& batch) override {
    std::unique_lock lock(mu_);
    open_cv_.wait(lock, [&] { return open_; });
    points_ += batch.size();
    return true;
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    open_cv_.notify_all();
  }
  uint64_t points() {
    std::lock_guard lock(mu_);
    return points_;
  }

 private:
  std::mutex mu_;
  std::condition_variable open_cv_;
  bool open_ = false;
  uint64_t points_ = 0;
};

TEST_F(IngestServerTest, UdpKernelDropsAreExportedAndDropsPlusStoredEqualsSent) {
  options_.udp_receive_buffer_bytes = 65536;
  options_.udp_drops_poll_interval = milliseconds(20);
  GatedSink gated;
  auto server = GraphiteServer::Start(options_, gated, clock_, registry_);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  // Linux doubles the request for its bookkeeping.
  EXPECT_EQ(registry_.GetGauge("ingest_udp_receive_buffer_bytes", "").Value(), 2 * 65536);

  constexpr uint64_t kSent = 200'000;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr = Loopback((*server)->udp_port());
  for (uint64_t i = 0; i < kSent; ++i) {
    std::string line = "drop.test " + std::to_string(i) + " 1\n";
    ASSERT_EQ(
        sendto(fd, line.data(), line.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)),
        static_cast<ssize_t>(line.size()));
  }
  close(fd);
  gated.Open();
  auto drops = [&] { return CounterValue("ingest_udp_kernel_drops_total"); };
  auto datagrams = [&] { return CounterValue("ingest_udp_datagrams_total"); };
  ASSERT_TRUE(meridian::testing::WaitFor([&] { return datagrams() + drops() == kSent; },
                                         std::chrono::seconds(60)))
      << "datagrams " << datagrams() << " drops " << drops();
  ASSERT_TRUE(Eventually([&] { return gated.points() == datagrams(); }));
  EXPECT_GT(drops(), 0u);
  EXPECT_EQ(drops() + gated.points(), kSent);
  (*server)->Stop();
  EXPECT_EQ(drops() + gated.points(), kSent);  // the final read at Stop() adds nothing new
}

TEST_F(IngestServerTest, InvalidOptionsAndBusyPortFailToStart) {
  ServerOptions bad = options_;
  bad.listen = "nonsense";
  EXPECT_EQ(GraphiteServer::Start(bad, sink_, clock_, registry_).status().code(),
            core::StatusCode::kInvalidArgument);
  bad.listen = "example.com:0";  // no DNS: IP literals and localhost only
  EXPECT_EQ(GraphiteServer::Start(bad, sink_, clock_, registry_).status().code(),
            core::StatusCode::kInvalidArgument);
  StartServer();
  ServerOptions same = options_;
  same.listen = "127.0.0.1:" + std::to_string(server_->tcp_port());
  same.udp = false;
  // SO_REUSEADDR does not allow two listeners on one port.
  EXPECT_EQ(GraphiteServer::Start(same, sink_, clock_, registry_).status().code(),
            core::StatusCode::kUnavailable);
}

TEST_F(IngestServerTest, LocalhostIsAcceptedAsListenHost) {
  options_.listen = "localhost:0";
  StartServer();
  Client c(server_->tcp_port());
  ASSERT_TRUE(c.Send("l 1 1\n"));
  EXPECT_TRUE(sink_.WaitForPoints(1));
}

TEST_F(IngestServerTest, MultipleIoThreadsDeliverEverything) {
  options_.io_threads = 2;
  StartServer();
  constexpr int kClients = 20, kLines = 500;
  std::vector<std::thread> senders;
  for (int i = 0; i < kClients; ++i) {
    senders.emplace_back([&, i] {
      Client c(server_->tcp_port());
      std::string data;
      for (int j = 0; j < kLines; ++j)
        data += "t" + std::to_string(i) + " 1 " + std::to_string(j) + "\n";
      EXPECT_TRUE(c.Send(data));
    });
  }
  for (auto& t : senders) t.join();
  ASSERT_TRUE(sink_.WaitForPoints(kClients * kLines));
  EXPECT_EQ(sink_.points().size(), static_cast<size_t>(kClients * kLines));
}

}  // namespace
}  // namespace meridian::ingest
