#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace cp {

void init_logging(std::string_view level, LogFormat format) {
  auto logger = spdlog::stderr_color_mt("chargeplane");
  if (format == LogFormat::Json) {
    logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","thread":%t,"msg":"%v"})",
                        spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

std::string redact(std::string_view secret) {
  if (secret.empty()) return {};
  return std::string(secret.substr(0, 2)) + "\xe2\x80\xa6";
}

}  // namespace cp
