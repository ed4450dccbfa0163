#include "alerting/nsca_sink.h"

#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "alerting/internal/fd_wait.h"
#include "alerting/internal/retrying_queue.h"

namespace meridian::alerting {

using internal::DeliveryContext;
using internal::DeliveryOutcome;
using internal::WaitResult;
using Steady = std::chrono::steady_clock;

namespace {

DeliveryOutcome Failure(std::string reason, std::string detail) {
  return {0, std::move(reason), std::move(detail)};
}

// The daemon closed on us (it drops the connection at the first packet it cannot decrypt).
DeliveryOutcome SocketError(std::string_view what, int err) {
  bool reset = err == ECONNRESET || err == EPIPE || err == ENOTCONN;
  return Failure(reset ? "reset" : "write_failed", fmt::format("{}: {}", what, std::strerror(err)));
}

DeliveryOutcome Cancelled() { return Failure(std::string(internal::kCancelledReason), "stopping"); }

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) close(fd_);
  }
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

Steady::time_point After(int ms) { return Steady::now() + std::chrono::milliseconds(ms); }

}  // namespace

std::string_view NscaUnsendableReason(const CheckResult& result) {
  auto has_nul = [](const std::string& s) { return s.find('\0') != std::string::npos; };
  if (result.host.empty()) return "empty_host";
  if (result.host.size() >= kNscaHostNameSize) return "host_too_long";
  if (result.service.empty()) return "empty_service";
  if (result.service.size() >= kNscaServiceSize) return "service_too_long";
  if (has_nul(result.host) || has_nul(result.service) || has_nul(result.output)) return "nul_byte";
  return "";
}

core::Status NscaSinkOptions::Validate() const {
  if (host.empty()) return core::InvalidArgument("nsca host must be set");
  if (port == 0) return core::InvalidArgument("nsca port must be 1-65535");
  if (password.size() > 511) return core::InvalidArgument("nsca password must be <= 511 bytes");
  if (password.find('\0') != std::string::npos) {
    return core::InvalidArgument("nsca password must not contain NUL");
  }
  if (encryption != NscaEncryption::kNone && encryption != NscaEncryption::kXor) {
    return core::InvalidArgument("nsca encryption must be none or xor");
  }
  if (connect_timeout_ms <= 0) return core::InvalidArgument("connect_timeout_ms must be > 0");
  if (io_timeout_ms <= 0) return core::InvalidArgument("io_timeout_ms must be > 0");
  if (batch_size == 0) return core::InvalidArgument("batch_size must be > 0");
  if (max_queued_results == 0) return core::InvalidArgument("max_queued_results must be > 0");
  if (max_queued_bytes == 0) return core::InvalidArgument("max_queued_bytes must be > 0");
  if (retry_initial_ms <= 0) return core::InvalidArgument("retry_initial_ms must be > 0");
  if (retry_max_ms < retry_initial_ms) {
    return core::InvalidArgument("retry_max_ms must be >= retry_initial_ms");
  }
  if (stop_timeout_ms < 0) return core::InvalidArgument("stop_timeout_ms must be >= 0");
  return core::Status::Ok();
}

// One connection per batch; used by the queue's thread only.
class NscaSink::Sender {
 public:
  explicit Sender(NscaSinkOptions options) : options_(std::move(options)) {}
  // REQUIRES: called before the first delivery.
  void set_metrics(internal::SinkMetrics* metrics) { metrics_ = metrics; }

  DeliveryOutcome Deliver(std::span<const CheckResult> batch, const DeliveryContext& ctx) {
    UniqueFd sock;
    DeliveryOutcome step = Connect(ctx, &sock);
    if (!step.ok()) return step;
    NscaInit init;
    step = ReadInit(sock.get(), ctx, &init);
    if (!step.ok()) return step;
    std::vector<uint8_t> bytes;
    for (const CheckResult& r : batch) {
      NscaCheck check{r.host, r.service, static_cast<int16_t>(r.state), r.output};
      auto packet =
          EncodeNscaPacket(check, init, options_.encryption, options_.password, options_.format);
      // Submit() filtered everything EncodeNscaPacket rejects, so this is a bug; retrying
      // would fail forever, so the result is dropped, counted and logged instead.
      if (!packet.ok()) {
        metrics_->Dropped("invalid", 1);
        metrics_->Error("encode");
        fmt::print(stderr, "alerting: nsca sink: cannot encode result: {}\n",
                   packet.status().message());
        continue;
      }
      bytes.insert(bytes.end(), packet->begin(), packet->end());
    }
    step = WriteAll(sock.get(), bytes, ctx);
    if (!step.ok()) return step;
    step = AwaitClose(sock.get(), ctx);
    if (!step.ok()) return step;
    return {batch.size(), "", ""};
  }

 private:
  DeliveryOutcome Connect(const DeliveryContext& ctx, UniqueFd* out) const {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* list = nullptr;
    std::string port = std::to_string(options_.port);
    int rc = getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &list);
    if (rc != 0) return Failure("resolve", options_.host + ": " + gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(list, freeaddrinfo);
    DeliveryOutcome last = Failure("connect", "no address for " + options_.host);
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
      last = ConnectOne(*ai, ctx, out);
      if (last.ok() || last.error_reason == internal::kCancelledReason) return last;
    }
    return last;
  }

  DeliveryOutcome ConnectOne(const addrinfo& ai, const DeliveryContext& ctx, UniqueFd* out) const {
    std::string where = fmt::format("{}:{}", options_.host, options_.port);
    UniqueFd fd(socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) return Failure("connect", "socket: " + std::string(std::strerror(errno)));
    if (connect(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0) {
      if (errno != EINPROGRESS) return Failure("connect", where + ": " + std::strerror(errno));
      switch (
          internal::WaitFd(fd.get(), POLLOUT, ctx.cancel_fd, After(options_.connect_timeout_ms))) {
        case WaitResult::kCancelled:
          return Cancelled();
        case WaitResult::kTimeout:
          return Failure("connect_timeout", where);
        case WaitResult::kReady:
          break;
      }
      int err = 0;
      socklen_t len = sizeof(err);
      if (getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      if (err != 0) return Failure("connect", where + ": " + std::strerror(err));
    }
    *out = std::move(fd);
    return {};
  }

  DeliveryOutcome ReadInit(int fd, const DeliveryContext& ctx, NscaInit* init) const {
    std::vector<uint8_t> buf(kNscaInitPacketSize);
    size_t got = 0;
    auto deadline = After(options_.io_timeout_ms);
    while (got < buf.size()) {
      ssize_t n = recv(fd, buf.data() + got, buf.size() - got, 0);
      if (n > 0) {
        got += static_cast<size_t>(n);
        continue;
      }
      if (n == 0) return Failure("closed", fmt::format("daemon closed after {} bytes", got));
      if (errno == EINTR) continue;
      if (errno != EAGAIN) return Failure("closed", std::string("recv: ") + std::strerror(errno));
      WaitResult w = internal::WaitFd(fd, POLLIN, ctx.cancel_fd, deadline);
      if (w == WaitResult::kCancelled) return Cancelled();
      if (w == WaitResult::kTimeout) return Failure("init_timeout", "no init packet");
    }
    auto parsed = ParseNscaInit(buf);
    if (!parsed.ok()) return Failure("bad_init", parsed.status().message());
    *init = *parsed;
    return {};
  }

  DeliveryOutcome WriteAll(int fd, std::span<const uint8_t> bytes,
                           const DeliveryContext& ctx) const {
    auto deadline = After(options_.io_timeout_ms);
    while (!bytes.empty()) {
      ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n > 0) {
        bytes = bytes.subspan(static_cast<size_t>(n));
        deadline = After(options_.io_timeout_ms);  // the timeout is for progress, not the total
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != EAGAIN) {
        return SocketError("send", errno);
      }
      WaitResult w = internal::WaitFd(fd, POLLOUT, ctx.cancel_fd, deadline);
      if (w == WaitResult::kCancelled) return Cancelled();
      if (w == WaitResult::kTimeout) return Failure("write_timeout", "daemon stopped reading");
    }
    return {};
  }

  // Half-closes and waits for the daemon's EOF: then it has read every packet we sent.
  DeliveryOutcome AwaitClose(int fd, const DeliveryContext& ctx) const {
    if (shutdown(fd, SHUT_WR) != 0) {
      return SocketError("shutdown", errno);
    }
    auto deadline = After(options_.io_timeout_ms);
    while (true) {
      char scratch[256];
      ssize_t n = recv(fd, scratch, sizeof(scratch), 0);
      if (n == 0) return {};
      if (n > 0 || errno == EINTR) continue;  // the daemon sends nothing more; ignore if it does
      if (errno != EAGAIN) {
        return SocketError("recv", errno);
      }
      WaitResult w = internal::WaitFd(fd, POLLIN, ctx.cancel_fd, deadline);
      if (w == WaitResult::kCancelled) return Cancelled();
      if (w == WaitResult::kTimeout) return Failure("close_timeout", "daemon did not close");
    }
  }

  const NscaSinkOptions options_;
  internal::SinkMetrics* metrics_ = nullptr;
};

core::Result<std::unique_ptr<NscaSink>> NscaSink::Create(NscaSinkOptions options,
                                                         core::MetricsRegistry& metrics) {
  RETURN_IF_ERROR(options.Validate());
  internal::RetryingQueueOptions q;
  q.sink = "nsca";
  q.max_queued_results = options.max_queued_results;
  q.max_queued_bytes = options.max_queued_bytes;
  // nsca >= 2.9 recognises a 720-byte packet only when the connection ends right after it.
  q.batch_size = options.format == NscaPacketFormat::kLegacy27 ? 1 : options.batch_size;
  q.retry_initial = std::chrono::milliseconds(options.retry_initial_ms);
  q.retry_max = std::chrono::milliseconds(options.retry_max_ms);
  q.stop_timeout = std::chrono::milliseconds(options.stop_timeout_ms);
  auto sender = std::make_unique<Sender>(std::move(options));
  Sender* s = sender.get();
  auto queue = std::make_unique<internal::RetryingQueue>(
      std::move(q), metrics, [s](std::span<const CheckResult> batch, const DeliveryContext& ctx) {
        return s->Deliver(batch, ctx);
      });
  s->set_metrics(&queue->metrics());
  return std::unique_ptr<NscaSink>(new NscaSink(std::move(sender), std::move(queue)));
}

NscaSink::NscaSink(std::unique_ptr<Sender> sender, std::unique_ptr<internal::RetryingQueue> queue)
    : sender_(std::move(sender)), queue_(std::move(queue)) {}

NscaSink::~NscaSink() { Stop(); }

void NscaSink::Submit(std::span<const CheckResult> results) {
  // The common case (everything sendable) queues the caller's span without copying it first.
  size_t first_bad = 0;
  while (first_bad < results.size() && NscaUnsendableReason(results[first_bad]).empty()) {
    ++first_bad;
  }
  if (first_bad == results.size()) {
    queue_->Submit(results);
    return;
  }
  std::vector<CheckResult> ok(results.begin(), results.begin() + first_bad);
  for (size_t i = first_bad; i < results.size(); ++i) {
    std::string_view reason = NscaUnsendableReason(results[i]);
    if (reason.empty()) {
      ok.push_back(results[i]);
    } else {
      DropUnsendable(results[i], reason);
    }
  }
  queue_->Submit(ok);
}

void NscaSink::DropUnsendable(const CheckResult& result, std::string_view reason) {
  queue_->metrics().Dropped("invalid", 1);
  queue_->metrics().Error(reason);
  std::lock_guard lock(log_mu_);
  auto now = Steady::now();
  if (now < next_log_) {
    ++suppressed_logs_;
    return;
  }
  next_log_ = now + std::chrono::minutes(1);
  fmt::print(stderr,
             "alerting: nsca sink: dropped result for host '{:.80}' service '{:.160}': {}{}\n",
             result.host, result.service, reason,
             suppressed_logs_ > 0 ? fmt::format(" ({} similar suppressed)", suppressed_logs_) : "");
  suppressed_logs_ = 0;
}

void NscaSink::Stop() { queue_->Stop(); }

}  // namespace meridian::alerting
