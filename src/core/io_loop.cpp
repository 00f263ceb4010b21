#include "core/io_loop.h"

#include <boost/asio/io_context.hpp>

#include <thread>

#include "core/metrics.h"

namespace cp {

void run_io_loop(boost::asio::io_context& io, const IoLoopOptions& options) {
  if (options.pause.count() <= 0) {
    io.run();
    return;
  }
  for (;;) {
    const std::size_t ran = io.poll();  // every ready handler, and the reactor without blocking
    if (io.stopped()) return;           // stop(), or out of work
    if (ran >= options.busy_handlers) {
      if (options.pauses) options.pauses->inc();
      std::this_thread::sleep_for(options.pause);
      continue;
    }
    if (io.run_one() == 0) return;  // light load: block until the next event, as run() does
  }
}

}  // namespace cp
