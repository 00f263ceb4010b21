#include "gateway/ocpp_listener.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "gateway/detail/http_auth.h"
#include "gateway/detail/ocpp_session.h"
#include "protocol/ocpp/v16/detail/fast_meter_values.h"
#include "services/auth.h"
#include "services/fleet.h"

namespace cp::gateway {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using detail::OcppSession;

namespace {

// The MeterValues shapes the sessions share, counting which decoder read each MeterValues.
std::shared_ptr<ocpp::v16::detail::MeterValuesShapes> meter_values_shapes(Metrics& metrics) {
  const std::string help = "MeterValues CALLs decoded by the shape of the pile's last one, or in one pass";
  return std::make_shared<ocpp::v16::detail::MeterValuesShapes>(
      &metrics.counter("chargeplane_ocpp_meter_values_decoded_total", help, {{"path", "shape"}}),
      &metrics.counter("chargeplane_ocpp_meter_values_decoded_total", help, {{"path", "one_pass"}}));
}

// Reads and checks the upgrade request, then hands the stream to an OcppSession or answers
// with an HTTP error. Lives only for the handshake.
class Handshake : public std::enable_shared_from_this<Handshake> {
 public:
  using Accepted = std::function<void(beast::tcp_stream&&, std::string pile, std::string remote,
                                      OcppSession::Request)>;
  Handshake(tcp::socket socket, std::shared_ptr<detail::SessionEnv> env,
            services::PileAuthenticator& auth, Counter& refused_auth, Counter& refused_other,
            Accepted accepted)
      : stream_(std::move(socket)),
        env_(std::move(env)),
        auth_(auth),
        refused_auth_(refused_auth),
        refused_other_(refused_other),
        accepted_(std::move(accepted)) {
    beast::error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    remote_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  void run() {
    parser_.emplace();
    parser_->header_limit(8 * 1024);
    parser_->body_limit(0);
    stream_.expires_after(env_->options.handshake_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec) {
      spdlog::debug("ocpp.handshake_read_failed remote={} error=\"{}\"", remote_, ec.message());
      return;
    }
    auto request = parser_->release();
    if (!beast::websocket::is_upgrade(request)) {
      return refuse(http::status::upgrade_required, "this endpoint accepts OCPP-J WebSocket upgrades only", false);
    }
    auto pile = detail::pile_id_from_target(request.target());
    if (!pile) return refuse(http::status::not_found, "path must be /ocpp/<chargePointId>", false);
    const auto offered = detail::offered_subprotocols(request[http::field::sec_websocket_protocol]);
    if (std::find(offered.begin(), offered.end(), "ocpp1.6") == offered.end()) {
      spdlog::warn("ocpp.refused pile={} remote={} reason=\"no supported subprotocol offered\" offered=\"{}\"",
                   *pile, remote_, std::string(request[http::field::sec_websocket_protocol]));
      return refuse(http::status::bad_request, "no supported OCPP subprotocol offered (supported: ocpp1.6)", false);
    }
    const auto credentials = detail::parse_basic_auth(request[http::field::authorization]);
    if (!credentials) {
      spdlog::warn("ocpp.refused pile={} remote={} reason=\"missing or malformed Basic credentials\"", *pile, remote_);
      return refuse(http::status::unauthorized, "HTTP Basic credentials required", true);
    }
    if (credentials->user != *pile) {
      spdlog::warn("ocpp.refused pile={} remote={} reason=\"Basic user does not match the path id\"", *pile, remote_);
      return refuse(http::status::unauthorized, "credentials do not match the charge point id", true);
    }
    switch (auth_.verify(*pile, credentials->password)) {
      case services::PileAuthResult::Ok:
        break;
      case services::PileAuthResult::UnknownPile:
        spdlog::warn("ocpp.refused pile={} remote={} reason=\"unknown charge point\"", *pile, remote_);
        return refuse(http::status::unauthorized, "unknown charge point or wrong password", true);
      case services::PileAuthResult::BadPassword:
        spdlog::warn("ocpp.refused pile={} remote={} reason=\"wrong password\"", *pile, remote_);
        return refuse(http::status::unauthorized, "unknown charge point or wrong password", true);
    }
    stream_.expires_never();
    accepted_(std::move(stream_), std::move(*pile), remote_, std::move(request));
  }

  void refuse(http::status status, std::string body, bool auth) {
    (auth ? refused_auth_ : refused_other_).inc();
    auto res = std::make_shared<http::response<http::string_body>>(status, 11);
    res->set(http::field::server, "ChargePlane");
    res->set(http::field::content_type, "text/plain");
    if (auth) res->set(http::field::www_authenticate, "Basic realm=\"ChargePlane OCPP\", charset=\"UTF-8\"");
    res->keep_alive(false);
    res->body() = std::move(body) + "\n";
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  std::shared_ptr<detail::SessionEnv> env_;
  services::PileAuthenticator& auth_;
  Counter& refused_auth_;
  Counter& refused_other_;
  Accepted accepted_;
  std::string remote_;
};

}  // namespace

struct OcppListener::Impl : std::enable_shared_from_this<OcppListener::Impl> {
  Impl(asio::io_context& io, OcppListenerOptions options, services::Fleet& fleet,
       services::PileAuthenticator& auth, const Clock& clock, Metrics& metrics)
      : io(io),
        acceptor(asio::make_strand(io)),
        auth(auth),
        refused_auth(metrics.counter("chargeplane_ocpp_handshakes_refused_total",
                                     "Upgrade requests refused", {{"reason", "auth"}})),
        refused_other(metrics.counter("chargeplane_ocpp_handshakes_refused_total",
                                      "Upgrade requests refused", {{"reason", "request"}})),
        accepted_total(metrics.counter("chargeplane_ocpp_connections_total", "Accepted OCPP connections")) {
    env = std::make_shared<detail::SessionEnv>(detail::SessionEnv{
        std::move(options), fleet, clock, metrics,
        metrics.gauge("chargeplane_ocpp_sessions", "Open OCPP WebSocket sessions"),
        metrics.counter("chargeplane_ocpp_closed_total", "Sessions closed by the server",
                        {{"reason", "message_too_big"}}),
        metrics.counter("chargeplane_ocpp_closed_total", "Sessions closed by the server",
                        {{"reason", "rate_limited"}}),
        metrics.counter("chargeplane_ocpp_closed_total", "Sessions closed by the server",
                        {{"reason", "replaced"}}),
        {}, meter_values_shapes(metrics)});
  }

  void accept() {
    acceptor.async_accept(session_executor(), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
        spdlog::warn("ocpp.accept_failed error=\"{}\"", ec.message());  // e.g. EMFILE: keep going
      } else {
        std::weak_ptr<Impl> weak = self;
        std::make_shared<Handshake>(std::move(s), self->env, self->auth, self->refused_auth, self->refused_other,
                                    [weak](beast::tcp_stream&& stream, std::string pile, std::string remote,
                                           OcppSession::Request request) {
                                      auto impl = weak.lock();
                                      if (!impl) return;
                                      auto session = detail::make_ocpp_session(
                                          impl->io, impl->env->options.single_io_thread, std::move(stream),
                                          std::move(pile), std::move(remote), impl->env);
                                      if (!session) return;
                                      impl->accepted_total.inc();
                                      {
                                        std::lock_guard lock(impl->mu);
                                        impl->sessions[session.get()] = session;
                                      }
                                      session->run(std::move(request));
                                    })
            ->run();
      }
      self->accept();
    });
  }

  // Where a new session's handlers run: one strand per session, unless one thread runs `io`.
  asio::any_io_executor session_executor() const {
    if (env->options.single_io_thread) return io.get_executor();
    return asio::make_strand(io);
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  services::PileAuthenticator& auth;
  Counter& refused_auth;
  Counter& refused_other;
  Counter& accepted_total;
  std::shared_ptr<detail::SessionEnv> env;
  mutable std::mutex mu;
  std::unordered_map<const void*, std::weak_ptr<OcppSession>> sessions;
};

OcppListener::OcppListener(asio::io_context& io, OcppListenerOptions options, services::Fleet& fleet,
                           services::PileAuthenticator& auth, const Clock& clock, Metrics& metrics)
    : impl_(std::make_shared<Impl>(io, std::move(options), fleet, auth, clock, metrics)) {
  std::weak_ptr<Impl> weak = impl_;
  impl_->env->unregister = [weak](const void* session) {
    if (auto impl = weak.lock()) {
      std::lock_guard lock(impl->mu);
      impl->sessions.erase(session);
    }
  };
}

OcppListener::~OcppListener() { stop(); }

Status OcppListener::start() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(impl_->env->options.host, ec);
  if (ec) return fail("bind_failed", "invalid OCPP listen address " + impl_->env->options.host);
  const tcp::endpoint endpoint{address, impl_->env->options.port};
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("bind_failed", "OCPP listener on " + impl_->env->options.host + ":" +
                                         std::to_string(impl_->env->options.port) + ": " + ec.message());
  impl_->accept();
  return {};
}

unsigned short OcppListener::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void OcppListener::stop() {
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  std::vector<std::shared_ptr<OcppSession>> open;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [key, weak] : impl_->sessions)
      if (auto s = weak.lock()) open.push_back(std::move(s));
  }
  for (auto& s : open) s->going_away();
}

std::size_t OcppListener::session_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->sessions.size();
}

}  // namespace cp::gateway
