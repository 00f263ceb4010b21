#pragma once
// One YKC TCP connection (gateway/ykc_listener.h). Owns the socket, the write queue, the
// heartbeat-timeout and command timers and the pure pile adapter; everything runs on the
// socket's strand. Private to gateway/.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "core/time.h"
#include "gateway/detail/command_queue.h"
#include "gateway/detail/rate_limit.h"
#include "gateway/ykc_listener.h"
#include "protocol/ykc/pile_adapter.h"
#include "services/registry.h"

namespace cp::services {
class Fleet;
class PileTransports;
}  // namespace cp::services

namespace cp::gateway::detail {

struct YkcEnv {
  YkcListenerOptions options;
  services::Fleet& fleet;
  const services::PileTransports& transports;
  const Clock& clock;
  Metrics& metrics;
  std::unique_ptr<ykc::AdapterShared> adapter;
  Gauge& open_sessions;
  Counter& closed_heartbeat_timeout;
  Counter& closed_rate_limited;
  Counter& replaced;
  std::function<void(const void* session)> unregister;
};

class YkcSession final : public services::PileLink, public std::enable_shared_from_this<YkcSession> {
 public:
  YkcSession(boost::asio::ip::tcp::socket socket, std::string remote, std::shared_ptr<YkcEnv> env);
  ~YkcSession() override;

  void run();  // on the session's strand
  boost::asio::any_io_executor get_executor_for_run() { return socket_.get_executor(); }
  void close(const std::string& reason) override;
  std::string remote_address() const override { return remote_; }
  void execute(domain::Command command, domain::CommandObserver observer) override;
  void going_away();

 private:
  void do_read();
  void on_read(boost::system::error_code ec, std::size_t n);
  void send(std::string bytes);
  void do_write();
  void close_after_flush(const std::string& reason);
  void shutdown_now();
  void arm_heartbeat_timer();
  void on_logged_in(const std::string& pile);
  void finish(const char* why);
  void enqueue(QueuedCommand queued);
  void start_next_command();

  boost::asio::ip::tcp::socket socket_;
  std::string remote_;
  std::shared_ptr<YkcEnv> env_;
  std::array<char, 4096> read_buffer_{};
  std::deque<std::string> outbox_;
  std::unique_ptr<ykc::PileAdapter> adapter_;
  TokenBucket bucket_;
  boost::asio::steady_timer heartbeat_timer_;
  boost::asio::steady_timer command_timer_;
  std::chrono::steady_clock::time_point last_frame_;
  std::string pile_;  // after login
  bool attached_ = false;
  bool closing_ = false;
  bool finished_ = false;
  CommandQueue commands_;
};

}  // namespace cp::gateway::detail
