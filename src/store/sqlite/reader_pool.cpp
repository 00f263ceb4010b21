#include "store/sqlite/reader_pool.h"

namespace cp::store::sqlite {

Result<Stmt*> ReaderConnection::statement(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    auto s = Stmt::prepare(db_.get(), sql);
    if (!s) return fail(s.error());
    it = statements_.emplace(sql, std::move(*s)).first;
  }
  it->second.reset();
  return &it->second;
}

ReaderPool::ReaderPool(std::string path, std::size_t size)
    : path_(std::move(path)), size_(size > 0 ? size : 1) {}

ReaderPool::Lease::~Lease() {
  if (c_) pool_->release(std::move(c_));
}

Result<ReaderPool::Lease> ReaderPool::acquire() {
  std::unique_lock lock(mu_);
  returned_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(c));
  }
  ++open_;  // reserve the slot, open outside the lock
  lock.unlock();
  auto db = Db::open(path_, SQLITE_OPEN_READONLY);
  Status configured = db ? db->exec("PRAGMA busy_timeout = 5000") : Status(fail(db.error()));
  if (!configured) {
    lock.lock();
    --open_;
    lock.unlock();
    returned_.notify_one();
    return fail(configured.error());
  }
  return Lease(this, std::make_unique<ReaderConnection>(std::move(*db)));
}

void ReaderPool::release(std::unique_ptr<ReaderConnection> c) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(c));
  }
  returned_.notify_one();
}

}  // namespace cp::store::sqlite
