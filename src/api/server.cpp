// ApiServer: the Beast HTTP/1.1 listener and sessions (Beast code in src/api lives here and in
// detail/sse_stream.cpp). A session reads one request (bounded size and time), hands a
// transport-neutral Request to the Router, and writes the Response when the handler completes
// — possibly later and from another thread (the store's writer), so completion is posted back
// to the session's strand. A response carrying an event subscription is not written: the
// session hands its socket to EventStreams and ends.
#include "api/server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <map>
#include <mutex>

#include "api/detail/handlers.h"
#include "api/detail/router.h"
#include "api/detail/sse_stream.h"
#include "api/detail/static_assets.h"

namespace cp::api {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;
// After refusing an oversized body, read (and discard) at most this much before closing, so
// the client sees the 413 instead of a connection reset.
constexpr std::size_t kDrainLimit = 4 * 1024 * 1024;

class Session;

// Everything sessions share; kept alive by every session and pending response.
struct Shared {
  Shared(ApiContext ctx, std::shared_ptr<asio::thread_pool> pool)
      : state(std::make_shared<detail::ApiState>(ctx)),
        workers(std::move(pool)),
        router(detail::make_routes(state), ctx.auth, ctx.metrics,
               [w = workers](std::function<void()> fn) { asio::post(*w, std::move(fn)); },
               [s = state.get()](std::string_view ticket) { return s->tickets.redeem(ticket); }),
        options(ctx.options),
        streams(ctx.events, ctx.metrics, ctx.clock, ctx.options.events),
        console(detail::StaticAssets::load(ctx.options.web_root)) {
    if (console.problem().empty()) {
      spdlog::info("api.console_loaded web_root={} files={}", ctx.options.web_root, console.size());
    } else {
      spdlog::warn("api.console_unavailable reason=\"{}\" note=\"serving the API only\"", console.problem());
    }
    router.set_fallback([this](detail::Request& req, detail::Respond respond) {
      if (auto r = console.serve(req.path, req.accept_encoding)) return respond(std::move(*r));
      respond(detail::problem(404, "not_found", "no route or file for " + req.path));
    });
  }
  std::shared_ptr<detail::ApiState> state;
  std::shared_ptr<asio::thread_pool> workers;
  detail::Router router;
  ApiOptions options;
  detail::EventStreams streams;
  detail::StaticAssets console;  // read-only after construction

  std::mutex mu;
  std::map<Session*, std::weak_ptr<Session>> sessions;
  std::atomic<bool> stopping{false};
};

detail::Request to_request(const http::request<http::string_body>& m) {
  detail::Request r;
  r.method = std::string(m.method_string());
  const std::string_view target = m.target();
  const auto q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = detail::parse_query(target.substr(q + 1));
  r.authorization = std::string(m[http::field::authorization]);
  r.idempotency_key = std::string(m["Idempotency-Key"]);
  r.accept_encoding = std::string(m[http::field::accept_encoding]);
  if (auto it = m.find("Last-Event-ID"); it != m.end()) r.last_event_id = std::string(it->value());
  r.body = m.body();
  return r;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {
    beast::error_code ec;
    const auto peer = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = peer.address().to_string();
  }

  ~Session() {
    std::lock_guard lock(shared_->mu);
    shared_->sessions.erase(this);
  }

  void start() {
    {
      std::lock_guard lock(shared_->mu);
      shared_->sessions[this] = weak_from_this();
    }
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

  // From any thread.
  void close() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.close();
    });
  }

 private:
  void read() {
    if (shared_->stopping) return;
    parser_.emplace();
    parser_->body_limit(shared_->options.body_limit);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(shared_->options.request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream) return shutdown();
    if (ec == http::error::body_limit)
      return refuse(detail::problem(413, "body_too_large", "the request body exceeds " +
                                                               std::to_string(shared_->options.body_limit) + " bytes"));
    if (ec == http::error::header_limit)
      return refuse(detail::problem(431, "headers_too_large", "the request headers are too large"));
    if (ec && ec.category() == http::make_error_code(http::error::bad_method).category())
      return refuse(detail::problem(400, "bad_request", "malformed HTTP request"));
    if (ec) return;  // timeout, reset, closed: nothing to answer
    stream_.expires_never();  // the handler may wait for the store; no I/O is pending
    auto request = parser_->release();
    keep_alive_ = request.keep_alive();
    version_ = request.version();
    auto req = to_request(request);
    req.remote_address = remote_;
    shared_->router.dispatch(std::move(req), [self = shared_from_this()](detail::Response r) {
      asio::post(self->stream_.get_executor(), [self, r = std::move(r)]() mutable { self->write(std::move(r)); });
    });
  }

  void refuse(detail::Response r) {
    keep_alive_ = false;
    version_ = 11;
    drain_after_write_ = true;
    write(std::move(r));
  }

  void write(detail::Response r) {
    if (r.event_stream) return hand_over(std::move(r));
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version_);
    res->set(http::field::server, "chargeplane");
    res->set(http::field::cache_control, "no-store");
    if (!r.content_type.empty()) res->set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res->set(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_ && !shared_->stopping);
    res->prepare_payload();
    stream_.expires_after(shared_->options.request_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec) return;
      if (!res->keep_alive()) return self->drain_after_write_ ? self->drain() : self->shutdown();
      self->read();
    });
  }

  // The connection becomes a live event stream (its last response); this session ends here.
  void hand_over(detail::Response r) {
    if (!shared_->streams.reserve()) {
      return write(detail::problem(503, "too_many_event_streams",
                                   "the server is at its limit of " +
                                       std::to_string(shared_->options.events.max_clients) +
                                       " live event streams, or stopping"));
    }
    shared_->streams.open(stream_.release_socket(), *r.event_stream);
  }

  void drain() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(5));
    stream_.async_read_some(asio::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kDrainLimit) return self->stream_.close();
      self->drain();
    });
  }

  void shutdown() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<Shared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  bool drain_after_write_ = false;
  std::size_t drained_ = 0;
  std::string remote_;  // the client's IP address, for login throttling and the audit log
  std::array<char, 16 * 1024> scratch_{};
};

// Accepts on its own strand; held by shared_ptr so a close posted by stop() stays valid even
// if the ApiServer is destroyed before the io_context runs it.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, std::shared_ptr<Shared> shared)
      : io_(io), acceptor_(asio::make_strand(io)), shared_(std::move(shared)) {}

  Status listen(const std::string& host, unsigned short port) {
    beast::error_code ec;
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
    if (ec || results.empty())
      return fail("listen_failed", "cannot resolve " + host + ": " + (ec ? ec.message() : "no address"));
    const tcp::endpoint endpoint = *results.begin();
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      beast::error_code ignored;
      acceptor_.close(ignored);
      return fail("listen_failed", "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
    return {};
  }

  void close() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

  unsigned short port() const { return port_.load(); }

 private:
  void accept() {
    acceptor_.async_accept(asio::make_strand(io_), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
      if (!ec) std::make_shared<Session>(std::move(socket), self->shared_)->start();
      self->accept();
    });
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::shared_ptr<Shared> shared_;
  std::atomic<unsigned short> port_{0};
};

}  // namespace

struct ApiServer::Impl {
  std::string host;
  unsigned short requested_port = 0;
  std::shared_ptr<Shared> shared;
  std::shared_ptr<Listener> listener;
};

ApiServer::ApiServer(asio::io_context& io, const std::string& host, unsigned short port, ApiContext ctx)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = host;
  impl_->requested_port = port;
  auto pool = std::make_shared<asio::thread_pool>(std::max<std::size_t>(1, ctx.options.worker_threads));
  impl_->shared = std::make_shared<Shared>(ctx, std::move(pool));
  impl_->listener = std::make_shared<Listener>(io, impl_->shared);
}

ApiServer::~ApiServer() {
  stop();
  // The pool runs handlers that use ApiContext; finish them while it is still valid.
  impl_->shared->workers->join();
}

Status ApiServer::start() {
  auto s = impl_->listener->listen(impl_->host, impl_->requested_port);
  if (s) spdlog::info("api_listening host={} port={}", impl_->host, impl_->listener->port());
  return s;
}

void ApiServer::stop() {
  auto& shared = *impl_->shared;
  if (shared.stopping.exchange(true)) return;
  impl_->listener->close();
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard lock(shared.mu);
    for (auto& [raw, weak] : shared.sessions)
      if (auto s = weak.lock()) open.push_back(std::move(s));
  }
  for (auto& s : open) s->close();
  shared.streams.close_all();
}

std::size_t ApiServer::event_streams() const { return impl_->shared->streams.count(); }

unsigned short ApiServer::port() const { return impl_->listener->port(); }

}  // namespace cp::api
