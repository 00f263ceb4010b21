#pragma once
// Control — remote control of piles (issue #4 item 3; API in docs/api.md "Commands").
//
// A command's life: `submit` commits it as Pending; only then does the caller learn its id (the
// API answers 202 from there). It is then handed to the pile's session through the Registry's
// PileLink (status Sent); with no session it ends at once as Offline. When the session reports
// the outcome (the pile's answer, or Timeout/Offline/CallError/...), the final status, detail
// and the pile's response payload are committed, and only then published on the EventBus as
// `command.result`. At start, `recover_interrupted` marks what a crash left Pending or Sent as
// Interrupted (the pile may or may not have acted; nothing is re-sent).
//
// Owns: the command-id generator. Borrows the store, registry, bus and clock (they outlive it).
// Threads: any thread may call; `accepted` runs on the store's writer thread; sending hops onto
// `post` (an io thread) so the writer thread never waits on a session or a submit of its own.
// Protocol checks: a command for a pile whose protocol has a registered check must pass it
// before anything is stored (e.g. OCPP 1.6 validates the CALL it would send against the
// schema); the check's error is returned as is.
// Errors: "pile_not_found" (unknown pile), a check's error, store errors as the store reports them.
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/result.h"
#include "core/time.h"
#include "domain/commands.h"
#include "services/event_bus.h"
#include "services/registry.h"
#include "store/store.h"

namespace cp::services {

struct CommandRequest {
  domain::PileId pile;
  domain::Command command;
  std::string args_json;   // the validated args object, as recorded and shown by the API
  std::string created_by;  // the API principal
  // Audit entry committed with the command; its target is set to the command id.
  std::optional<store::AuditRecord> audit;
};

class Control {
 public:
  using Post = std::function<void(std::function<void()>)>;
  using Accepted = std::function<void(Result<std::string>)>;  // the command id, once durable

  Control(store::Store& store, Registry& registry, EventBus& bus, const Clock& clock, Metrics& metrics, Post post);
  Control(const Control&) = delete;
  Control& operator=(const Control&) = delete;

  // Start-up recovery; blocks until durable. Returns how many commands became Interrupted.
  Result<std::size_t> recover_interrupted();

  // Can `command` be sent to piles speaking `protocol`? Wiring only: call before the first submit.
  using Check = std::function<Status(const domain::Command&)>;
  void check_commands_for(std::string protocol, Check check);

  void submit(CommandRequest request, Accepted accepted);

  Result<std::optional<store::CommandRecord>> command(const std::string& id);
  // Newest first; see store::CommandQuery for the cursor.
  Result<std::vector<store::CommandRecord>> history(const store::CommandQuery& query);

 private:
  std::string next_id();
  void dispatch(store::CommandRecord record, domain::Command command);
  void finish(const store::CommandRecord& record, domain::CommandOutcome outcome);

  store::Store& store_;
  Registry& registry_;
  EventBus& bus_;
  const Clock& clock_;
  Metrics& metrics_;
  Post post_;
  std::map<std::string, Check, std::less<>> checks_;  // by protocol; fixed before serving
  std::mutex id_mu_;
  std::int64_t last_id_ms_ = 0;
  unsigned id_seq_ = 0;
};

}  // namespace cp::services
