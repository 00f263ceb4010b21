#pragma once
// run_io_loop — runs an io_context on the calling thread, like io_context::run(), but gathers
// events into fewer wake-ups when the server is busy.
//
// run() blocks in epoll_wait whenever no handler is ready, so under load a thread wakes for
// every message or two: each wake-up is a context switch, and on a virtual machine often an
// inter-processor interrupt, that costs more CPU than handling the message. Here a thread runs
// every ready handler (io_context::poll); when that round ran at least `busy_handlers`, the
// load is heavy, so it sleeps for `pause` and polls again, taking everything that arrived in
// the meantime in one round. A round with fewer handlers means light load: the thread blocks
// as run() does, so an idle or lightly loaded server still wakes only for events and adds no
// latency. Under load a message waits at most `pause` (plus the kernel's timer slack) longer.
//
// `pause` of zero is plain run(). Returns when the io_context is stopped or out of work; safe
// to call from several threads on one io_context.
#include <chrono>
#include <cstddef>

namespace boost::asio {
class io_context;
}

namespace cp {

class Counter;

struct IoLoopOptions {
  std::chrono::microseconds pause{0};
  std::size_t busy_handlers = 8;
  Counter* pauses = nullptr;  // counts each pause (a busy round), when set
};

void run_io_loop(boost::asio::io_context& io, const IoLoopOptions& options);

}  // namespace cp
