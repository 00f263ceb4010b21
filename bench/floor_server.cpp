// The transport floor: the least a WebSocket OCPP endpoint can do. Accepts ws on any target,
// selects subprotocol ocpp1.6, checks no credentials, and answers every CALL [2,"id",...]
// with [3,"id",{}] without parsing JSON. Whatever ChargePlane spends above this per call is
// the cost of its protocol, validation, services and storage.
//
// Two transports, same answers:
//   default   Beast as its examples set it up: beast::tcp_stream with the suggested timeouts,
//             one strand per connection, type-erased executors;
//   --lean    what ChargePlane's own sessions use: websocket::stream directly on a socket typed
//             on the io_context's executor, no tcp_stream timer, no strand (one I/O thread).
//
// --coalesce US gathers events under load as ChargePlane's I/O threads do (src/core/io_loop.h,
// written again here: the floor includes nothing of ChargePlane): after a round of at least 8
// ready handlers, sleep US microseconds and poll again instead of waking for each event.
//
//   floor_server [--port P] [--threads N] [--lean] [--coalesce US]
//   prints "floor ready port=<P>" when listening
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// [2,"<id>",... -> [3,"<id>",{}]; anything else gets no answer.
bool answer_for(std::string_view msg, std::string& out) {
  constexpr std::string_view head = "[2,\"";
  if (msg.substr(0, head.size()) != head) return false;
  const auto end = msg.find('"', head.size());
  if (end == std::string_view::npos) return false;
  out.assign("[3,\"");
  out.append(msg.substr(head.size(), end - head.size()));
  out.append("\",{}]");
  return true;
}

using LeanSocket = asio::basic_stream_socket<tcp, asio::io_context::executor_type>;

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  explicit Session(tcp::socket&& s) : ws_(std::move(s)) {}
  explicit Session(LeanSocket&& s) : ws_(std::move(s)) {}

  void start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>)
      ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    else
      ws_.auto_fragment(false);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(beast::http::field::sec_websocket_protocol, "ocpp1.6");
    }));
    ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->on_message();
    });
  }
  void on_message() {
    const auto data = buffer_.cdata();
    const std::string_view msg(static_cast<const char*>(data.data()), data.size());
    const bool reply = answer_for(msg, out_);
    buffer_.consume(buffer_.size());
    if (!reply) return read();
    // One message in, one out: the next read starts once the answer is written.
    ws_.text(true);
    ws_.async_write(asio::buffer(out_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->read();
    });
  }

  websocket::stream<Stream> ws_;
  beast::flat_buffer buffer_;
  std::string out_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, tcp::endpoint ep, bool lean) : ioc_(ioc), acceptor_(ioc), lean_(lean) {
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  void accept() {
    if (lean_) {
      acceptor_.async_accept(ioc_.get_executor(), [self = shared_from_this()](beast::error_code ec, LeanSocket s) {
        if (!ec) std::make_shared<Session<LeanSocket>>(std::move(s))->start();
        self->accept();
      });
      return;
    }
    acceptor_.async_accept(asio::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<Session<beast::tcp_stream>>(std::move(s))->start();
      self->accept();
    });
  }

 private:
  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  bool lean_;
};

}  // namespace

int main(int argc, char** argv) {
  unsigned short port = 0;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool lean = false;
  int coalesce_us = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--lean") == 0) lean = true;
    else if (i + 1 < argc && std::strcmp(argv[i], "--port") == 0) port = static_cast<unsigned short>(std::atoi(argv[++i]));
    else if (i + 1 < argc && std::strcmp(argv[i], "--threads") == 0) threads = std::max(1, std::atoi(argv[++i]));
    else if (i + 1 < argc && std::strcmp(argv[i], "--coalesce") == 0) coalesce_us = std::max(0, std::atoi(argv[++i]));
    else {
      std::fprintf(stderr, "usage: floor_server [--port P] [--threads N] [--lean] [--coalesce US]\n");
      return 2;
    }
  }
  if (lean && threads != 1) {
    std::fprintf(stderr, "floor_server: --lean has no strands, so it runs one I/O thread\n");
    return 2;
  }
  asio::io_context ioc(threads);
  auto listener = std::make_shared<Listener>(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), lean);
  listener->accept();
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) { ioc.stop(); });
  std::printf("floor ready port=%u\n", listener->port());
  std::fflush(stdout);
  const auto run = [&] {
    if (coalesce_us == 0) {
      ioc.run();
      return;
    }
    for (;;) {
      const std::size_t ran = ioc.poll();
      if (ioc.stopped()) return;
      if (ran >= 8) {
        std::this_thread::sleep_for(std::chrono::microseconds(coalesce_us));
      } else if (ioc.run_one() == 0) {
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(run);
  run();
  for (auto& t : pool) t.join();
  return 0;
}
