#pragma once
// POST /api/v1/piles/{id}/commands bodies -> domain commands (pure; private to src/api).
// `{"type": "...", "args": {...}}`; docs/api.md "Commands" lists every type and argument.
// Problems name the field: 400 `invalid_json` (not a JSON object) and `invalid_field` (a field
// is missing or has the wrong JSON type), 422 `unknown_command_type` and `invalid_command_args`
// (a value outside what the type allows, or an argument the type does not take).
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"
#include "domain/commands.h"

namespace cp::api::detail {

struct ParsedCommand {
  domain::Command command;
  std::string args_json;  // the accepted args object, serialised (recorded with the command)
};

struct ArgsProblem {
  unsigned status = 400;
  std::string code;
  std::string detail;
};

// `now` is the default UpdateFirmware retrieve date ("as soon as possible").
Result<ParsedCommand, ArgsProblem> parse_command_request(std::string_view body, Timestamp now);

}  // namespace cp::api::detail
