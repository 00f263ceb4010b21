#include "integration/support/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/base64.h"

namespace cp::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

ServerProcess::ServerProcess(std::vector<std::string> extra_args, std::string data_dir)
    : extra_args_(std::move(extra_args)), data_dir_(std::move(data_dir)) {
  ::signal(SIGPIPE, SIG_IGN);  // a write to a server we just killed must fail, not kill the test
  if (data_dir_.empty()) {
    char tmpl[] = "/tmp/cp-it-XXXXXX";
    data_dir_ = mkdtemp(tmpl);
    owns_dir_ = true;
  }
  start();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) kill_hard();
  if (owns_dir_ && !std::getenv("CP_KEEP_TEST_DATA")) std::filesystem::remove_all(data_dir_);
}

void ServerProcess::start() {
  ++generation_;
  const std::string out = data_dir_ + "/stdout." + std::to_string(generation_);
  const std::string err = data_dir_ + "/stderr." + std::to_string(generation_);
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed or killed test never leaves a server behind
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(o, 1);
    dup2(e, 2);
    setenv("CHARGEPLANE_ADMIN_PASSWORD", admin_password_.c_str(), 1);
    std::vector<std::string> args = {CP_BINARY, "serve", "--data-dir", data_dir_ + "/data",
                                     "--listen-ocpp", "127.0.0.1:0", "--listen-api", "127.0.0.1:0",
                                     "--listen-ykc", "127.0.0.1:0", "--log-level", "debug"};
    // Two I/O threads (strands) unless the test picks its own number.
    if (std::find(extra_args_.begin(), extra_args_.end(), "--threads") == extra_args_.end())
      args.insert(args.end(), {"--threads", "2"});
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const std::regex ready(R"(chargeplane ready ocpp=ws://[^:]+:(\d+)/ocpp api=http://[^:]+:(\d+) ykc=tcp://[^:]+:(\d+))");
  for (int i = 0; i < 300; ++i) {
    std::ifstream f(out);
    std::stringstream ss;
    ss << f.rdbuf();
    std::smatch m;
    const std::string text = ss.str();
    if (std::regex_search(text, m, ready)) {
      ocpp_port_ = static_cast<unsigned short>(std::stoi(m[1]));
      api_port_ = static_cast<unsigned short>(std::stoi(m[2]));
      ykc_port_ = static_cast<unsigned short>(std::stoi(m[3]));
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("server exited during start: " + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("server did not become ready: " + log());
}

std::string ServerProcess::log() const {
  std::ifstream f(data_dir_ + "/stderr." + std::to_string(generation_));
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void ServerProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int ServerProcess::terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServerProcess::restart() {
  if (pid_ > 0) kill_hard();
  start();
}

HttpResponse http_request(unsigned short port, const std::string& method, const std::string& target,
                          const std::string& body, const std::string& bearer) {
  return http_request_with_headers(port, method, target, body, bearer, {});
}

HttpResponse http_request_with_headers(unsigned short port, const std::string& method, const std::string& target,
                                       const std::string& body, const std::string& bearer,
                                       const std::vector<std::pair<std::string, std::string>>& headers) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return {static_cast<int>(res.result_int()), res.body(), std::string(res[http::field::content_type])};
}

std::string login(unsigned short api_port, const std::string& password) {
  auto r = http_request(api_port, "POST", "/api/v1/auth/login",
                        R"({"username":"admin","password":")" + password + "\"}");
  if (r.status != 200) throw std::runtime_error("login failed: " + std::to_string(r.status) + " " + r.body);
  return std::string(boost::json::parse(r.body).at("token").as_string());
}

void register_pile(unsigned short api_port, const std::string& token, const std::string& id,
                   const std::string& password) {
  boost::json::object o{{"id", id}, {"protocol", "ocpp1.6"}, {"password", password}};
  auto r = http_request(api_port, "POST", "/api/v1/piles", boost::json::serialize(o), token);
  if (r.status != 201) throw std::runtime_error("register failed: " + std::to_string(r.status) + " " + r.body);
}

struct OcppClient::Impl {
  asio::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  beast::flat_buffer buffer;
};

OcppClient::OcppClient() : impl_(new Impl) {}
OcppClient::~OcppClient() { delete impl_; }

int OcppClient::connect(unsigned short port, const std::string& pile, const std::optional<std::string>& password,
                        const std::string& subprotocol) {
  auto& ws = impl_->ws;
  beast::get_lowest_layer(ws).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
    if (!subprotocol.empty()) req.set(http::field::sec_websocket_protocol, subprotocol);
    if (password) req.set(http::field::authorization, "Basic " + cp::base64_encode(pile + ":" + *password));
  }));
  websocket::response_type res;
  beast::error_code ec;
  ws.handshake(res, "127.0.0.1", "/ocpp/" + pile, ec);
  if (ec) return static_cast<int>(res.result_int());
  return 101;
}

void OcppClient::send_text(const std::string& text) {
  impl_->ws.text(true);
  impl_->ws.write(asio::buffer(text));
}

std::optional<std::string> OcppClient::read(std::chrono::milliseconds timeout) {
  beast::get_lowest_layer(impl_->ws).expires_after(timeout);
  beast::error_code ec;
  impl_->buffer.clear();
  impl_->ws.read(impl_->buffer, ec);
  if (ec) {
    close_code_ = impl_->ws.reason().code;
    return std::nullopt;
  }
  return beast::buffers_to_string(impl_->buffer.data());
}

OcppClient::Listened OcppClient::listen_for(std::chrono::milliseconds d, const std::function<void()>& at_end) {
  auto& ws = impl_->ws;
  Listened out;
  ws.control_callback([&out](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) ++out.pings;
  });
  beast::get_lowest_layer(ws).expires_never();
  bool done = false;
  impl_->buffer.clear();
  ws.async_read(impl_->buffer, [&](beast::error_code ec, std::size_t) {
    done = true;
    if (ec) out.closed = ec != asio::error::operation_aborted;
    else out.message = beast::buffers_to_string(impl_->buffer.data());
  });
  impl_->io.restart();
  impl_->io.run_for(d);
  if (at_end) at_end();
  if (!done) {
    // Closing (rather than cancelling) fails every operation Beast may have started meanwhile
    // (a pong it owes); the wait stays bounded either way.
    beast::error_code ignored;
    beast::get_lowest_layer(ws).socket().close(ignored);
    impl_->io.restart();
    impl_->io.run_for(std::chrono::seconds(2));
  }
  ws.control_callback();
  return out;
}

std::string OcppClient::call(const std::string& id, const std::string& action, const std::string& payload_json) {
  send_text("[2,\"" + id + "\",\"" + action + "\"," + payload_json + "]");
  auto r = read();
  if (!r) throw std::runtime_error("connection closed awaiting " + action + " reply, code " + std::to_string(close_code_));
  return *r;
}

void OcppClient::close() {
  beast::error_code ec;
  impl_->ws.close(websocket::close_code::normal, ec);
}

}  // namespace cp::testing
