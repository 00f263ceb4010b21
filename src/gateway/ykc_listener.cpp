#include "gateway/ykc_listener.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include <mutex>
#include <unordered_map>

#include "gateway/detail/ykc_session.h"
#include "services/fleet.h"

namespace cp::gateway {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using detail::YkcSession;

struct YkcListener::Impl : std::enable_shared_from_this<YkcListener::Impl> {
  Impl(asio::io_context& io, YkcListenerOptions options, services::Fleet& fleet,
       const services::PileTransports& transports, const ykc::CipherLibrary* ciphers, const Clock& clock,
       Metrics& metrics)
      : io(io),
        acceptor(asio::make_strand(io)),
        accepted_total(metrics.counter("chargeplane_ykc_connections_total", "Accepted YKC TCP connections")) {
    auto closed = [&metrics](const char* reason) -> Counter& {
      return metrics.counter("chargeplane_ykc_closed_total", "YKC connections closed by the server, by reason",
                             {{"reason", reason}});
    };
    const auto max_frame = options.max_frame_bytes;
    env = std::make_shared<detail::YkcEnv>(detail::YkcEnv{
        std::move(options), fleet, transports, clock, metrics, std::make_unique<ykc::AdapterShared>(metrics, ciphers, max_frame),
        metrics.gauge("chargeplane_ykc_sessions", "Open YKC TCP sessions"), closed("heartbeat_timeout"),
        closed("rate_limited"), closed("replaced"), {}});
  }

  void accept() {
    acceptor.async_accept(session_executor(), [self = shared_from_this()](boost::system::error_code ec,
                                                                           tcp::socket s) {
      if (ec) {
        if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
        spdlog::warn("ykc.accept_failed error=\"{}\"", ec.message());  // e.g. EMFILE: keep going
      } else {
        boost::system::error_code ep_ec;
        const auto ep = s.remote_endpoint(ep_ec);
        std::string remote = ep_ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
        s.set_option(tcp::no_delay(true), ep_ec);
        auto session = std::make_shared<YkcSession>(std::move(s), std::move(remote), self->env);
        self->accepted_total.inc();
        {
          std::lock_guard lock(self->mu);
          self->sessions[session.get()] = session;
        }
        asio::post(session->get_executor_for_run(), [session] { session->run(); });
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
  Counter& accepted_total;
  std::shared_ptr<detail::YkcEnv> env;
  mutable std::mutex mu;
  std::unordered_map<const void*, std::weak_ptr<YkcSession>> sessions;
};

YkcListener::YkcListener(asio::io_context& io, YkcListenerOptions options, services::Fleet& fleet,
                         const services::PileTransports& transports, const ykc::CipherLibrary* ciphers,
                         const Clock& clock, Metrics& metrics)
    : impl_(std::make_shared<Impl>(io, std::move(options), fleet, transports, ciphers, clock, metrics)) {
  std::weak_ptr<Impl> weak = impl_;
  impl_->env->unregister = [weak](const void* session) {
    if (auto impl = weak.lock()) {
      std::lock_guard lock(impl->mu);
      impl->sessions.erase(session);
    }
  };
}

YkcListener::~YkcListener() { stop(); }

Status YkcListener::start() {
  boost::system::error_code ec;
  const auto& o = impl_->env->options;
  const auto address = asio::ip::make_address(o.host, ec);
  if (ec) return fail("bind_failed", "invalid YKC listen address " + o.host);
  const tcp::endpoint endpoint{address, o.port};
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("bind_failed", "YKC listener on " + o.host + ":" + std::to_string(o.port) + ": " + ec.message());
  impl_->accept();
  return {};
}

unsigned short YkcListener::port() const {
  boost::system::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void YkcListener::stop() {
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
  });
  std::vector<std::shared_ptr<YkcSession>> open;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [key, weak] : impl_->sessions)
      if (auto s = weak.lock()) open.push_back(std::move(s));
  }
  for (auto& s : open) s->going_away();
}

std::size_t YkcListener::session_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->sessions.size();
}

}  // namespace cp::gateway
