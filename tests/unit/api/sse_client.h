#pragma once
// A blocking Server-Sent Events client for tests: sends one GET, parses the status line and
// headers, then yields the stream block by block (a block ends with a blank line). Independent
// of the server's framing code, so a framing bug fails a test. Also used by tests/integration.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cp::testing {

struct SseBlock {
  std::optional<std::string> id;
  std::string event;  // "" when the block has no event field
  std::string data;   // data lines joined with '\n'
  std::optional<std::string> retry;
  std::vector<std::string> comments;  // text after ':' (leading space removed)
};

class SseClient {
 public:
  // `receive_buffer` > 0 sets SO_RCVBUF before connecting (a client that does not read then
  // stops the server's writes early).
  SseClient(unsigned short port, const std::string& target, const std::string& bearer = {},
            int receive_buffer = 0, const std::map<std::string, std::string>& extra_headers = {})
      : socket_(io_), timer_(io_) {
    namespace asio = boost::asio;
    auto& socket = socket_;
    socket.open(asio::ip::tcp::v4());
    if (receive_buffer > 0) socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    socket.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
    if (!bearer.empty()) req += "Authorization: Bearer " + bearer + "\r\n";
    for (const auto& [k, v] : extra_headers) req += k + ": " + v + "\r\n";
    req += "\r\n";
    asio::write(socket, asio::buffer(req));
  }

  // Reads the status line and headers; for a non-200 answer, also its Content-Length body.
  int read_head(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
      if (!fill(timeout)) return 0;
    const std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    status = std::stoi(head.substr(9, 3));
    std::size_t pos = head.find("\r\n");
    while (pos != std::string::npos) {
      const auto next = head.find("\r\n", pos + 2);
      const auto line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      }
      pos = next;
    }
    if (status != 200 && headers.count("content-length")) {
      const auto n = std::stoul(headers["content-length"]);
      while (buffer_.size() < n)
        if (!fill(timeout)) break;
      body = buffer_.substr(0, n);
    }
    return status;
  }

  // The next block, or nullopt on timeout or when the server closed the stream.
  std::optional<SseBlock> next_block(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::size_t end;
    while ((end = buffer_.find("\n\n")) == std::string::npos)
      if (!fill(timeout)) return std::nullopt;
    const std::string text = buffer_.substr(0, end + 1);
    buffer_.erase(0, end + 2);
    SseBlock b;
    bool has_data = false;
    std::size_t start = 0;
    while (start < text.size()) {
      const auto nl = text.find('\n', start);
      const std::string line = text.substr(start, nl - start);
      start = nl + 1;
      if (!line.empty() && line[0] == ':') {
        b.comments.push_back(line.substr(line.size() > 1 && line[1] == ' ' ? 2 : 1));
        continue;
      }
      const auto colon = line.find(':');
      const std::string field = line.substr(0, colon);
      std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.erase(0, 1);
      if (field == "id") b.id = value;
      else if (field == "event") b.event = value;
      else if (field == "retry") b.retry = value;
      else if (field == "data") {
        if (has_data) b.data += '\n';
        b.data += value;
        has_data = true;
      }
    }
    return b;
  }

  // The next block that is an event (has an `event:` field), skipping comments and `retry:`.
  std::optional<SseBlock> next_event(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    for (;;) {
      auto b = next_block(timeout);
      if (!b || !b->event.empty()) return b;
    }
  }

  // True once the server has closed the connection (reads until EOF or timeout).
  bool closed_by_server(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    while (!eof_)
      if (!fill(timeout)) break;
    return eof_;
  }

  void close() {
    boost::system::error_code ec;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

 private:
  // One read with a deadline; a timeout cancels the read but keeps the connection usable.
  bool fill(std::chrono::milliseconds timeout) {
    if (eof_) return false;
    boost::system::error_code ec;
    std::size_t n = 0;
    bool done = false;
    socket_.async_read_some(boost::asio::buffer(chunk_), [&](boost::system::error_code e, std::size_t k) {
      ec = e;
      n = k;
      done = true;
      timer_.cancel();
    });
    timer_.expires_after(timeout);
    timer_.async_wait([&](boost::system::error_code e) {
      if (!e && !done) socket_.cancel();
    });
    io_.restart();
    io_.run();
    if (ec == boost::asio::error::operation_aborted) return false;  // timed out
    if (ec) {
      eof_ = true;
      return false;
    }
    buffer_.append(chunk_.data(), n);
    return true;
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  std::array<char, 16 * 1024> chunk_{};
  std::string buffer_;
  bool eof_ = false;
};

}  // namespace cp::testing
