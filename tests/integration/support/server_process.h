#pragma once
// Test support: runs the real `chargeplane serve` binary on ephemeral loopback ports in a
// temporary data directory, and talks to it with plain synchronous Beast clients.
#include <sys/types.h>

#include <utility>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cp::testing {

class ServerProcess {
 public:
  // Starts the server (data_dir is kept across restart()).
  explicit ServerProcess(std::vector<std::string> extra_args = {}, std::string data_dir = {});
  ~ServerProcess();

  unsigned short ocpp_port() const { return ocpp_port_; }
  unsigned short api_port() const { return api_port_; }
  unsigned short ykc_port() const { return ykc_port_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& admin_password() const { return admin_password_; }
  pid_t pid() const { return pid_; }

  void kill_hard();      // SIGKILL, wait
  int terminate();       // SIGTERM, wait; returns the exit status
  void restart();        // start again on the same data dir (new ports)
  std::string log() const;  // stderr so far

 private:
  void start();
  std::vector<std::string> extra_args_;
  std::string data_dir_;
  std::string admin_password_ = "integration-admin-password";
  bool owns_dir_ = false;
  pid_t pid_ = -1;
  unsigned short ocpp_port_ = 0;
  unsigned short api_port_ = 0;
  unsigned short ykc_port_ = 0;
  int generation_ = 0;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
};

HttpResponse http_request(unsigned short port, const std::string& method, const std::string& target,
                          const std::string& body = {}, const std::string& bearer = {});
HttpResponse http_request_with_headers(unsigned short port, const std::string& method, const std::string& target,
                                       const std::string& body, const std::string& bearer,
                                       const std::vector<std::pair<std::string, std::string>>& headers);
std::string login(unsigned short api_port, const std::string& password);
// Registers a pile through the API (201 expected).
void register_pile(unsigned short api_port, const std::string& token, const std::string& id,
                   const std::string& password);

// A blocking OCPP-J client over Beast.
class OcppClient {
 public:
  OcppClient();
  ~OcppClient();
  // Returns the HTTP status of a refused upgrade (401, 400...) or 101 on success.
  int connect(unsigned short port, const std::string& pile, const std::optional<std::string>& password,
              const std::string& subprotocol = "ocpp1.6");
  void send_text(const std::string& text);
  // Next text message; nullopt when the connection closed (close_code() tells why).
  std::optional<std::string> read(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  int close_code() const { return close_code_; }
  // Keeps a read pending for `d` (so pings get their pong, as a live pile's WebSocket stack
  // answers them) and reports what happened. `at_end` runs after `d`, while the connection is
  // still up; the connection is closed afterwards.
  struct Listened {
    int pings = 0;                        // pings the server sent meanwhile
    bool closed = false;                  // the server closed the connection
    std::optional<std::string> message;   // a text message that arrived first
  };
  Listened listen_for(std::chrono::milliseconds d, const std::function<void()>& at_end = {});
  // Sends [2,id,action,payload] and returns the reply text.
  std::string call(const std::string& id, const std::string& action, const std::string& payload_json);
  void close();

 private:
  struct Impl;
  Impl* impl_;
  int close_code_ = 0;
};

}  // namespace cp::testing
