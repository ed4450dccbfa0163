// Session: one HTTP/1.1 connection (plain or TLS), as a chain of asynchronous steps on the
// connection's strand: [TLS handshake] → headers → [100-continue] → body → admit (route, auth)
// → handler (worker pool, or inline) → write → keep-alive idle → headers …
//
// Every waiting step has its own timeout (ServerOptions); a waiting connection holds no thread
// and, once idle, only its socket and a small buffer.
#pragma once

#include <fmt/format.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "http/internal/beast_request.h"
#include "http/internal/server_state.h"

namespace meridian::http::internal {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
class Session final : public Connection, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  Session(ServerState& state, Stream stream)
      : state_(state), stream_(std::move(stream)), buffer_(state.options.max_header_bytes + 4096) {}

  ~Session() override {
    if (id_ != 0) state_.Unregister(id_);
    state_.open_connections.fetch_sub(1);
    state_.counters.open.Add(-1);
  }

  void Start() {
    id_ = state_.Register(this->weak_from_this());
    remote_ = RemoteOf();
    if constexpr (kTls) {
      Lowest().expires_after(state_.options.header_timeout);
      stream_.async_handshake(
          net::ssl::stream_base::server,
          [self = this->shared_from_this()](beast::error_code ec) { self->OnHandshake(ec); });
    } else {
      ReadHeader();
    }
  }

  void Abort() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->working_ || self->body_ != nullptr) {
        self->state_.counters.cancelled_shutdown.Add();
        self->deadline_.Cancel();
      }
      beast::error_code ignored;
      self->Lowest().socket().close(ignored);
    });
  }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  std::string RemoteOf() {
    beast::error_code ec;
    auto ep = Lowest().socket().remote_endpoint(ec);
    if (ec) return "?";
    return ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      if (ec == beast::error::timeout) state_.counters.timeout_header.Add();
      state_.counters.tls_handshake_failed.Add();
      return Close();
    }
    ReadHeader();
  }

  void ReadHeader() {
    if (state_.stopping) return Close();
    parser_.emplace();
    LimitParser(*parser_, state_.options.max_header_bytes, state_.options.max_body_bytes);
    Lowest().expires_after(state_.options.header_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  // Keep-alive: waits for the first byte of the next request under idle_timeout, then gives
  // the headers header_timeout.
  void WaitIdle() {
    if (state_.stopping) return Close();
    if (buffer_.size() > 0) return ReadHeader();
    buffer_.shrink_to_fit();
    Lowest().expires_after(state_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(512),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) {
                                if (ec == beast::error::timeout)
                                  self->state_.counters.timeout_idle.Add();
                                return self->Close();
                              }
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void OnHeader(beast::error_code ec) {
    const ServerOptions& o = state_.options;
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
      state_.counters.limit_header_bytes.Add();
      return Refuse(431, fmt::format("request line and header fields exceed {} bytes "
                                     "(http.max_header_bytes)",
                                     o.max_header_bytes));
    }
    if (ec == bhttp::error::body_limit) {  // a Content-Length past the limit
      state_.counters.limit_body.Add();
      return Refuse(413, BodyTooLarge());
    }
    if (ec) {
      if (ec == beast::error::timeout) state_.counters.timeout_header.Add();
      // A parse error (not a closed or timed-out stream) gets a 400 naming it.
      if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
          ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
        return Refuse(400, "malformed request: " + ec.message());
      }
      return Close();
    }
    auto& req = parser_->get();
    size_t fields = 0;
    for (auto it = req.begin(); it != req.end(); ++it) ++fields;
    if (fields > o.max_header_fields) {
      state_.counters.limit_header_fields.Add();
      return Refuse(431, fmt::format("more than {} header fields (http.max_header_fields)",
                                     o.max_header_fields));
    }
    if (req.target().size() > o.max_url_bytes) {
      state_.counters.limit_url.Add();
      return Refuse(414, fmt::format("request target longer than {} bytes (http.max_url_bytes); "
                                     "POST the parameters as a form instead",
                                     o.max_url_bytes));
    }
    if (auto len = parser_->content_length(); len && *len > o.max_body_bytes) {
      state_.counters.limit_body.Add();
      return Refuse(413, BodyTooLarge());
    }
    if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
      continue_ = std::make_unique<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       req.version());
      Lowest().expires_after(o.write_timeout);
      return bhttp::async_write(stream_, *continue_,
                                [self = this->shared_from_this()](beast::error_code ec, size_t) {
                                  self->continue_.reset();
                                  if (ec) return self->Close();
                                  self->ReadBody();
                                });
    }
    ReadBody();
  }

  std::string BodyTooLarge() const {
    return fmt::format("request body larger than {} bytes (http.max_body_bytes)",
                       state_.options.max_body_bytes);
  }

  void ReadBody() {
    if (parser_->is_done()) return Dispatch();
    Lowest().expires_after(state_.options.body_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      state_.counters.limit_body.Add();
      return Refuse(413, BodyTooLarge());
    }
    if (ec) {
      if (ec == beast::error::timeout) state_.counters.timeout_body.Add();
      return Close();
    }
    Dispatch();
  }

  void Dispatch() {
    auto& breq = parser_->get();
    keep_alive_ = breq.keep_alive();
    head_ = breq.method() == bhttp::verb::head;
    Request req;
    core::Status parsed = ToRequest(breq, req);
    parser_.reset();
    state_.counters.requests.Add();
    if (!parsed.ok()) return Respond(Response::Text(400, parsed.message()));
    req.remote = remote_;
    const Route* route = nullptr;
    Response early;
    if (!Admit(state_, req, route, early)) return Respond(std::move(early));
    req.deadline = core::Deadline::After(state_.options.request_timeout);
    if (route->inline_io || (route->inline_io_if && route->inline_io_if(req))) {
      return Respond(RunHandler(state_, *route, req));
    }
    deadline_ = req.deadline;
    working_ = true;
    client_gone_ = false;
    if (route->async_handler) {
      auto reply = [self = this->shared_from_this()](Response r) {
        net::post(self->stream_.get_executor(),
                  [self, r = std::move(r)]() mutable { self->OnWorkDone(std::move(r)); });
      };
      if (!StartAsync(state_, *route, req, std::move(reply))) {
        working_ = false;
        return Respond(Response::Text(500, "internal error starting the request"));
      }
      return WatchClient();
    }
    auto task = [self = this->shared_from_this(), route, req = std::move(req)] {
      Response r = RunHandler(self->state_, *route, req);
      net::post(self->stream_.get_executor(),
                [self, r = std::move(r)]() mutable { self->OnWorkDone(std::move(r)); });
    };
    if (!state_.pool->TrySubmit(std::move(task))) {
      working_ = false;
      state_.counters.limit_queue.Add();
      return Respond(
          Response::Text(503, fmt::format("server busy: {} requests are queued or running "
                                          "(http.max_queued_requests)",
                                          state_.options.max_queued_requests)));
    }
    WatchClient();
  }

  // While a handler runs, notices a client that closed its connection and cancels the
  // request's Deadline. Plain HTTP only (TLS records hide an end of stream from a peek).
  void WatchClient() {
    if constexpr (kTls) return;
    Lowest().socket().async_wait(
        net::socket_base::wait_read, [self = this->shared_from_this()](beast::error_code ec) {
          if (ec || !self->working_) return;
          char c;
          const ssize_t n =
              ::recv(self->Lowest().socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
          if (n > 0) return;  // the next pipelined request: it waits its turn
          if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            return self->WatchClient();
          }
          self->client_gone_ = true;
          self->deadline_.Cancel();
          self->state_.counters.cancelled_client_gone.Add();
        });
  }

  void OnWorkDone(Response r) {
    working_ = false;
    beast::error_code ignored;
    Lowest().socket().cancel(ignored);  // the client watch
    if (client_gone_) return Close();
    Respond(std::move(r));
  }

  // Answers and closes: the request was not (fully) read, so the stream cannot be reused.
  void Refuse(int status, std::string message) {
    keep_alive_ = false;
    linger_ = true;
    parser_.reset();
    Respond(Response::Text(status, std::move(message)));
  }

  void Respond(Response r) {
    if (r.status >= 500) {
      state_.counters.errors_5xx.Add();
    } else if (r.status >= 400) {
      state_.counters.errors_4xx.Add();
    }
    if (r.stream != nullptr) return RespondStreamed(std::move(r));
    res_ = std::make_unique<bhttp::response<bhttp::string_body>>();
    res_->version(11);
    res_->result(static_cast<unsigned>(r.status));
    res_->set(bhttp::field::server, "Meridian");
    res_->set(bhttp::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) res_->set(name, value);
    res_->keep_alive(keep_alive_ && !state_.stopping);
    const size_t length = r.body.size();
    res_->body() = std::move(r.body);
    res_->prepare_payload();
    if (head_) {
      res_->body().clear();
      res_->content_length(length);
    }
    serializer_ = std::make_unique<bhttp::response_serializer<bhttp::string_body>>(*res_);
    WriteSome();
  }

  // Writes in pieces, each under write_timeout: a slow reader is fine, a stalled one is closed.
  void WriteSome() {
    Lowest().expires_after(state_.options.write_timeout);
    bhttp::async_write_some(stream_, *serializer_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) {
                                if (ec == beast::error::timeout)
                                  self->state_.counters.timeout_write.Add();
                                return self->Close();
                              }
                              if (!self->serializer_->is_done()) return self->WriteSome();
                              const bool keep = self->res_->keep_alive();
                              self->serializer_.reset();
                              self->res_.reset();
                              if (!keep) return self->linger_ ? self->LingerClose() : self->Close();
                              self->WaitIdle();
                            });
  }

  // A streamed answer (http::BodyStream): the header with Transfer-Encoding: chunked, the first
  // part as one chunk, then one piece at a time — pulled on a worker, written here — each write
  // under write_timeout. An error after the header cuts the answer off without the last chunk.
  void RespondStreamed(Response r) {
    head_res_ = std::make_unique<bhttp::response<bhttp::empty_body>>();
    head_res_->version(11);
    head_res_->result(static_cast<unsigned>(r.status));
    head_res_->set(bhttp::field::server, "Meridian");
    head_res_->set(bhttp::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) head_res_->set(name, value);
    head_res_->keep_alive(keep_alive_ && !state_.stopping);
    head_res_->chunked(true);
    body_ = std::move(r.stream);
    body_done_ = false;
    piece_ = std::move(r.body);
    head_serializer_ = std::make_unique<bhttp::response_serializer<bhttp::empty_body>>(*head_res_);
    Lowest().expires_after(state_.options.write_timeout);
    bhttp::async_write_header(stream_, *head_serializer_,
                              [self = this->shared_from_this()](beast::error_code ec, size_t) {
                                if (ec) return self->StreamWriteFailed(ec);
                                self->WritePiece();
                              });
  }

  void WritePiece() {
    if (piece_.empty()) return body_done_ ? WriteLastChunk() : PullPiece();
    Lowest().expires_after(state_.options.write_timeout);
    net::async_write(stream_, bhttp::make_chunk(net::buffer(piece_)),
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->StreamWriteFailed(ec);
                       self->piece_.clear();
                       self->body_done_ ? self->WriteLastChunk() : self->PullPiece();
                     });
  }

  void PullPiece() {
    auto task = [self = this->shared_from_this()] {
      std::string piece;
      core::Result<bool> more = false;
      try {
        more = self->body_->Next(&piece);
      } catch (const std::exception& e) {
        self->state_.counters.handler_exceptions.Add();
        more = core::Internal(fmt::format("internal error: {}", e.what()));
      } catch (...) {
        self->state_.counters.handler_exceptions.Add();
        more = core::Internal("internal error");
      }
      net::post(self->stream_.get_executor(),
                [self, more = std::move(more), piece = std::move(piece)]() mutable {
                  self->OnPiece(std::move(more), std::move(piece));
                });
    };
    if (!state_.pool->SubmitContinuation(std::move(task))) {
      StreamCutOff(core::Unavailable("the server is stopping"));
    }
  }

  void OnPiece(core::Result<bool> more, std::string piece) {
    if (body_ == nullptr) return;  // the connection failed meanwhile
    if (!more.ok()) return StreamCutOff(more.status());
    body_done_ = !*more;
    piece_ = std::move(piece);
    WritePiece();
  }

  void WriteLastChunk() {
    body_.reset();
    Lowest().expires_after(state_.options.write_timeout);
    net::async_write(stream_, bhttp::make_chunk_last(),
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->StreamWriteFailed(ec);
                       const bool keep = self->head_res_->keep_alive();
                       self->head_serializer_.reset();
                       self->head_res_.reset();
                       if (!keep) return self->Close();
                       self->WaitIdle();
                     });
  }

  void StreamWriteFailed(beast::error_code ec) {
    if (ec == beast::error::timeout) state_.counters.timeout_write.Add();
    body_.reset();
    deadline_.Cancel();
    Close();
  }

  // The status is on the wire: all that is left is to say why in the log and not to end the
  // chunked body, so that no client takes the cut-off answer for a complete one.
  void StreamCutOff(const core::Status& why) {
    state_.counters.stream_aborted.Add();
    state_.LogThrottled(
        fmt::format("meridian: http: answer to {} cut off after its status was sent: {}", remote_,
                    why.ToString()));
    body_.reset();
    deadline_.Cancel();
    Close();
  }

  // After refusing a request whose body was not read: stop sending, then read and drop what the
  // client is still sending for a moment, so that closing does not reset the connection and
  // destroy the error answer before the client reads it (RFC 9112 §9.6).
  void LingerClose() {
    if constexpr (kTls) {
      return Close();
    } else {
      beast::error_code ignored;
      Lowest().socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
      Lowest().expires_after(std::chrono::seconds(2));
      DrainSome();
    }
  }

  void DrainSome() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(16384),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > (64u << 20)) return self->Close();
                              self->DrainSome();
                            });
  }

  void Close() {
    beast::error_code ignored;
    if constexpr (kTls) {
      if (!tls_shutdown_started_ && Lowest().socket().is_open()) {
        tls_shutdown_started_ = true;
        Lowest().expires_after(std::chrono::seconds(1));
        return stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
          beast::error_code ignored2;
          self->Lowest().socket().close(ignored2);
        });
      }
    } else {
      Lowest().socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    }
    Lowest().socket().close(ignored);
  }

  ServerState& state_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::unique_ptr<bhttp::response<bhttp::empty_body>> continue_;
  std::unique_ptr<bhttp::response<bhttp::string_body>> res_;
  std::unique_ptr<bhttp::response_serializer<bhttp::string_body>> serializer_;
  // A streamed answer in flight: its header, its producer and the piece being written.
  std::unique_ptr<bhttp::response<bhttp::empty_body>> head_res_;
  std::unique_ptr<bhttp::response_serializer<bhttp::empty_body>> head_serializer_;
  std::shared_ptr<BodyStream> body_;
  std::string piece_;
  bool body_done_ = false;
  core::Deadline deadline_;
  std::string remote_;
  uint64_t id_ = 0;
  bool keep_alive_ = false;
  bool head_ = false;
  bool working_ = false;
  bool client_gone_ = false;
  bool tls_shutdown_started_ = false;
  bool linger_ = false;
  size_t drained_ = 0;
};

}  // namespace meridian::http::internal
