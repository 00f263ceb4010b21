#pragma once
// Structured logging on spdlog: one line per event, "event key=value ...".
// `init_logging` configures the default logger once in main (text or JSON lines).
// Never pass a password, token or key to a log call; `redact()` exists for values that may hold one.
#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace cp {

enum class LogFormat { Text, Json };

void init_logging(std::string_view level, LogFormat format);

// "ab…" for secrets that must be referred to (first 2 chars), "" stays "".
std::string redact(std::string_view secret);

}  // namespace cp
