#pragma once
// The group-commit writer: one thread owns the write connection and is fed by a bounded queue.
// Each round it takes everything queued (up to max_batches_per_commit), runs BEGIN IMMEDIATE,
// applies every batch, COMMITs, and only then calls every `done` in submission order, on this
// thread. If a batch fails, the transaction is rolled back and the group replayed with each
// batch inside its own SAVEPOINT, so the failing batch rolls back alone and only its `done`
// sees the error. If COMMIT fails, every batch of the group gets the error.
//
// Commit window: when the previous group held at least `commit_window_after_group` batches
// (many submitters at once), the writer waits up to `commit_delay` before taking the next
// group, so more batches share one COMMIT and its fsync (fewer syscalls, less CPU and disk wear
// per batch, at the cost of up to that much added latency under load). It stops waiting as
// soon as a quarter of the window passes with no new batch: the submitters are then all waiting
// for this commit. Below that group size it does not wait: with a few submitters each waiting
// for its acknowledgement before sending more, a wait would only slow them down. A full group
// (max_batches_per_commit), flush() or close() end the wait at once.
//
// Back-pressure: submit() blocks while the queue is full; nothing is dropped. A `done` may call
// submit() (it never blocks on the writer's own thread) but must not call flush() or close().
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "store/sqlite/db.h"
#include "store/sqlite/telemetry_index.h"
#include "store/sqlite/write_ops.h"
#include "store/store.h"

namespace cp::store::sqlite {

struct WriterOptions {
  std::size_t queue_capacity = 65536;
  std::size_t max_batches_per_commit = 4096;
  std::chrono::microseconds commit_delay{0};  // the commit window (header comment); 0 = none
  std::size_t commit_window_after_group = 32;  // … opened only after a group at least this big
  Metrics* metrics = nullptr;
  TelemetryIndexOptions telemetry_index;
};

class GroupCommitWriter {
 public:
  static Result<std::unique_ptr<GroupCommitWriter>> start(Db db, WriteOps ops,
                                                          const WriterOptions& options);
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  void submit(WriteBatch batch, WriteDone done);
  // Internal batch: durably raises the transaction-id reservation (see SqliteStore).
  void submit_id_reservation(std::int64_t value, WriteDone done);
  // For `done` callbacks only (writer thread, between transactions): raises the reservation
  // at once on the write connection instead of queueing behind itself.
  bool on_writer_thread() const;
  Status reserve_ids_inline(std::int64_t value);
  void flush();
  void close();
  bool closed() const;
  StoreStats stats() const;

 private:
  struct Pending {
    WriteBatch batch;
    WriteDone done;
    std::int64_t reserve_ids = 0;  // > 0: the id-reservation batch instead of `batch`
  };
  struct Instruments {
    Histogram* commit_seconds = nullptr;
    Counter* commits = nullptr;
    Gauge* queue_depth = nullptr;
    Counter* indexed_rows = nullptr;
    Histogram* index_seconds = nullptr;
    Histogram* window_seconds = nullptr;
    std::vector<Counter*> ops;  // indexed like WriteOp's alternatives
  };
  struct Statements {
    Stmt begin, commit, rollback, savepoint, release, rollback_to;
  };

  GroupCommitWriter(Db db, WriteOps ops, TelemetryIndexer indexer, Statements statements,
                    const WriterOptions& options);
  void enqueue(Pending p);
  void run();
  enum class Outcome { Committed, BatchFailed, Failed };
  void commit_group();
  // One database transaction over the whole group. Without savepoints the first failing batch
  // rolls everything back (BatchFailed, results_ untouched); with them it fails alone.
  Outcome run_group(bool savepoints);
  Status apply_batch(const Pending& p);
  void finish_group(bool committed);
  // Between groups: the deferred telemetry index, when due (telemetry_index.h).
  void maintain_telemetry_index();
  // The commit window (see the top): waits with `lock` held on entry and exit.
  void wait_for_company(std::unique_lock<std::mutex>& lock);

  Db db_;
  WriteOps ops_;
  TelemetryIndexer indexer_;
  Statements sql_;
  const std::size_t capacity_;
  const std::size_t max_group_;
  const std::chrono::microseconds commit_delay_;
  const std::size_t window_after_group_;
  Instruments metrics_;

  mutable std::mutex mu_;
  std::condition_variable has_work_, has_room_, progressed_;
  std::deque<Pending> queue_;
  bool closing_ = false;
  int flushing_ = 0;             // flush() callers waiting: they end a commit window early
  std::uint64_t accepted_ = 0;   // batches queued so far
  std::uint64_t completed_ = 0;  // batches whose done has run
  std::mutex close_mu_;          // serialises close() callers around join
  std::thread thread_;
  std::thread::id writer_id_;

  // Writer-thread-only scratch, reused across groups to avoid allocations.
  std::vector<Pending> group_;
  std::size_t previous_group_size_ = 0;
  std::vector<Status> results_;

  std::atomic<std::uint64_t> batches_committed_{0}, ops_committed_{0}, commits_{0};
};

}  // namespace cp::store::sqlite
