#include "app/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <filesystem>
#include <system_error>
#include <set>

namespace cp::app {

namespace {
template <class T>
void read(const toml::table& t, const char* key, T& out) {
  if (auto v = t[key].value<T>()) out = *v;
}
}  // namespace

Status load_toml(const std::string& path, ServeConfig& c) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return fail("config_invalid", path + ": " + std::string(e.description()));
  }
  static const std::set<std::string> known = {
      "data-dir", "listen-ocpp", "listen-api", "listen-ykc", "log-level", "log-json", "threads", "io-coalesce",
      "heartbeat-interval", "max-message-bytes", "messages-per-second", "message-burst",
      "ocpp-call-timeout", "call-timeout", "idle-timeout", "accept-unknown-id-tags", "synchronous-full",
      "commit-delay",
      "jobs-max-in-flight", "jobs-piles-per-second",
      "events-telemetry-interval", "events-queue-events", "events-queue-bytes",
      "events-ticket-ttl", "web-root", "ykc-heartbeat-timeout", "ykc-command-timeout", "ykc-frames-per-second",
      "ykc-frame-burst"};
  for (const auto& [k, v] : t)
    if (!known.count(std::string(k.str()))) return fail("config_invalid", path + ": unknown key '" + std::string(k.str()) + "'");
  read(t, "data-dir", c.data_dir);
  read(t, "listen-ocpp", c.listen_ocpp);
  read(t, "listen-api", c.listen_api);
  read(t, "listen-ykc", c.listen_ykc);
  read(t, "log-level", c.log_level);
  read(t, "log-json", c.log_json);
  read(t, "threads", c.threads);
  read(t, "io-coalesce", c.io_coalesce_us);
  if (c.io_coalesce_us < 0 || c.io_coalesce_us > 10000)
    return fail("config_invalid", path + ": io-coalesce must be 0..10000 microseconds");
  read(t, "heartbeat-interval", c.heartbeat_interval_s);
  if (auto v = t["max-message-bytes"].value<std::int64_t>()) c.max_message_bytes = std::size_t(*v);
  read(t, "messages-per-second", c.messages_per_second);
  read(t, "message-burst", c.message_burst);
  read(t, "call-timeout", c.call_timeout_s);  // the older name of ocpp-call-timeout
  read(t, "ocpp-call-timeout", c.call_timeout_s);
  if (c.call_timeout_s < 1 || c.call_timeout_s > 3600)
    return fail("config_invalid", path + ": ocpp-call-timeout must be 1..3600 seconds");
  read(t, "idle-timeout", c.idle_timeout_s);
  read(t, "accept-unknown-id-tags", c.accept_unknown_id_tags);
  read(t, "synchronous-full", c.synchronous_full);
  read(t, "commit-delay", c.commit_delay_us);
  if (c.commit_delay_us < 0 || c.commit_delay_us > 100000)
    return fail("config_invalid", path + ": commit-delay must be 0..100000 microseconds");
  read(t, "jobs-max-in-flight", c.jobs_max_in_flight);
  read(t, "jobs-piles-per-second", c.jobs_piles_per_second);
  read(t, "events-telemetry-interval", c.events_telemetry_interval_ms);
  if (auto v = t["events-queue-events"].value<std::int64_t>()) c.events_queue_events = std::size_t(*v);
  if (auto v = t["events-queue-bytes"].value<std::int64_t>()) c.events_queue_bytes = std::size_t(*v);
  read(t, "events-ticket-ttl", c.events_ticket_ttl_s);
  read(t, "web-root", c.web_root);
  read(t, "ykc-heartbeat-timeout", c.ykc_heartbeat_timeout_s);
  read(t, "ykc-command-timeout", c.ykc_command_timeout_s);
  read(t, "ykc-frames-per-second", c.ykc_frames_per_second);
  read(t, "ykc-frame-burst", c.ykc_frame_burst);
  if (c.ykc_heartbeat_timeout_s < 1 || c.ykc_heartbeat_timeout_s > 3600 || c.ykc_command_timeout_s < 1 ||
      c.ykc_command_timeout_s > 3600)
    return fail("config_invalid", path + ": ykc-heartbeat-timeout and ykc-command-timeout must be 1..3600 seconds");
  return {};
}

std::string resolve_web_root(const std::string& configured) {
  if (configured == "none") return {};
  if (!configured.empty()) return configured;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return (exe.parent_path() / "web").string();
}

Result<HostPort> parse_host_port(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return fail("invalid_address", "expected HOST:PORT, got '" + text + "'");
  HostPort hp;
  hp.host = text.substr(0, colon);
  if (hp.host.size() > 2 && hp.host.front() == '[' && hp.host.back() == ']')
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  const auto port = std::string_view(text).substr(colon + 1);
  unsigned value = 0;
  const auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || p != port.data() + port.size() || value > 65535)
    return fail("invalid_address", "invalid port in '" + text + "'");
  hp.port = static_cast<unsigned short>(value);
  return hp;
}

}  // namespace cp::app
