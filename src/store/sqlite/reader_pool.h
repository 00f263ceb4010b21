#pragma once
// A small pool of read-only connections so API reads run in parallel and never wait for the
// writer (WAL: readers see the last committed state). A caller leases one connection for one
// query; when all are leased, it waits for one to come back. Connections are opened lazily,
// up to `size`, and each caches its prepared statements by SQL text.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "store/sqlite/db.h"

namespace cp::store::sqlite {

class ReaderConnection {
 public:
  explicit ReaderConnection(Db db) : db_(std::move(db)) {}
  // The cached statement for `sql`, reset and ready to bind.
  Result<Stmt*> statement(const std::string& sql);

 private:
  Db db_;
  std::unordered_map<std::string, Stmt> statements_;
};

class ReaderPool {
 public:
  ReaderPool(std::string path, std::size_t size);

  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<ReaderConnection> c) : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    ReaderConnection& operator*() { return *c_; }
    ReaderConnection* operator->() { return c_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<ReaderConnection> c_;
  };

  Result<Lease> acquire();

 private:
  void release(std::unique_ptr<ReaderConnection> c);

  const std::string path_;
  const std::size_t size_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<ReaderConnection>> idle_;
  std::size_t open_ = 0;
};

}  // namespace cp::store::sqlite
