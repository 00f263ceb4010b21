#include "gateway/detail/command_queue.h"

#include <utility>

namespace cp::gateway::detail {

void end_unrun(domain::CommandObserver& observer, std::string status, std::string detail) {
  if (observer.done) observer.done(domain::CommandOutcome{std::move(status), std::move(detail), "", {}, {}, {}});
}

bool CommandQueue::admit(QueuedCommand queued) {
  if (queue_.size() >= capacity_) {
    end_unrun(queued.observer, "Busy", std::to_string(queue_.size()) + " commands are already waiting for this pile");
    return false;
  }
  queue_.push_back(std::move(queued));
  return true;
}

std::optional<QueuedCommand> CommandQueue::start() {
  if (running_ || queue_.empty()) return std::nullopt;
  QueuedCommand next = std::move(queue_.front());
  queue_.pop_front();
  running_ = true;
  return next;
}

void CommandQueue::close() {
  while (!queue_.empty()) {
    QueuedCommand queued = std::move(queue_.front());
    queue_.pop_front();
    end_unrun(queued.observer, "Offline", "the connection closed before the command was sent");
  }
}

}  // namespace cp::gateway::detail
