#pragma once
// The commands of one pile connection (OCPP and YKC sessions alike): queued behind the running
// one and run one at a time. Pure bookkeeping, used on the session's executor only: no I/O,
// no locks, no logging.
//   - admit() queues a command, or ends it at once "Busy" when `capacity` already wait;
//   - start() hands out the next command when none is running and marks it running;
//   - finished() records that the running command ended;
//   - close() ends every queued command "Offline" (the running one ends through its protocol).
#include <cstddef>
#include <deque>
#include <optional>
#include <string>

#include "domain/commands.h"

namespace cp::gateway::detail {

// Ends a command that never ran (queue full, connection gone) with `status` and `detail`.
void end_unrun(domain::CommandObserver& observer, std::string status, std::string detail);

struct QueuedCommand {
  domain::Command command;
  domain::CommandObserver observer;
};

class CommandQueue {
 public:
  explicit CommandQueue(std::size_t capacity) : capacity_(capacity) {}

  // False when the queue was full: `queued` has then been ended "Busy".
  bool admit(QueuedCommand queued);
  std::optional<QueuedCommand> start();
  void finished() { running_ = false; }
  void close();

  bool running() const { return running_; }
  std::size_t waiting() const { return queue_.size(); }

 private:
  std::size_t capacity_;
  std::deque<QueuedCommand> queue_;
  bool running_ = false;
};

}  // namespace cp::gateway::detail
