#pragma once
// PostgresPool: the PostgreSQL store's small connection pool, and the one
// place where libpqxx exceptions become Result errors.
//
//   PostgresPool pool{conninfo, "db:5432", 4, prepare_statements};
//   Result<int> n = pool.run("count", Retry::kSafe, [](pqxx::connection& c) -> Result<int> {
//     pqxx::read_transaction tx{c};
//     return tx.exec_prepared1("count")[0].as<int>();
//   });
//
// At most `size` connections exist; they are opened lazily and a call that
// finds them all busy waits (bounded) for one. A connection that fails
// (pqxx::broken_connection, or is closed after any error) is dropped; so are
// the idle ones opened before it, since a server restart breaks them all.
// The next call opens a fresh connection. An operation that is safe to run
// twice (Retry::kSafe) and failed on a connection that had sat idle in the
// pool is retried once on a fresh connection, so the first call after a
// server restart does not fail needlessly. Every error is kIo naming the
// server as "postgres host:port" (never the password) and what failed; an
// SQL data error (bad input, SQLSTATE class 22) is kInvalidArgument.
//
// Internal to the PostgreSQL store (names libpqxx types).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <pqxx/except>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "base/result.hpp"

namespace zastava::store {

struct PostgresOptions;  // store/postgres_store.hpp

enum class Retry { kSafe, kNever };

class PostgresPool {
 public:
  // Called on every new connection (declares the prepared statements).
  using Prepare = std::function<void(pqxx::connection&)>;

  PostgresPool(std::string conninfo, std::string server, std::size_t size,
               std::chrono::milliseconds acquire_timeout, Prepare prepare);
  ~PostgresPool();
  PostgresPool(const PostgresPool&) = delete;
  PostgresPool& operator=(const PostgresPool&) = delete;

  [[nodiscard]] const std::string& server() const noexcept { return server_; }

  // Runs fn(pqxx::connection&) -> Result<T> on a borrowed connection.
  template <typename Fn>
  auto run(std::string_view what, Retry retry, Fn&& fn)
      -> std::invoke_result_t<Fn&, pqxx::connection&>;

 private:
  struct Slot {
    std::unique_ptr<pqxx::connection> connection;
    std::uint64_t generation = 0;
    bool reused = false;  // it served an earlier call
  };

  // A borrowed connection; gives it back (or drops it, once marked broken)
  // when it goes out of scope, on every path.
  class Lease {
   public:
    Lease(PostgresPool& pool, Slot slot) : pool_(&pool), slot_(std::move(slot)) {}
    Lease(Lease&& other) noexcept
        : pool_(other.pool_), slot_(std::move(other.slot_)), broken_(other.broken_) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (slot_.connection) pool_->release(std::move(slot_), broken_);
    }

    [[nodiscard]] pqxx::connection& connection() const noexcept { return *slot_.connection; }
    [[nodiscard]] bool reused() const noexcept { return slot_.reused; }
    void mark_broken() noexcept { broken_ = true; }

   private:
    PostgresPool* pool_;
    Slot slot_;
    bool broken_ = false;
  };

  // Borrows a connection (opening one if allowed); kIo when none can be had.
  // `fresh`: a newly opened one, not an idle one.
  Result<Lease> acquire(bool fresh);
  // Takes a connection back; `broken` drops it and the older idle ones.
  void release(Slot slot, bool broken) noexcept;
  Error failure(std::string_view what, const std::exception& error) const;

  std::string conninfo_;
  std::string server_;
  std::size_t size_;
  std::chrono::milliseconds acquire_timeout_;
  Prepare prepare_;

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<Slot> idle_;
  std::size_t open_ = 0;  // idle + borrowed + being opened
  std::uint64_t generation_ = 0;
};

// The pool a PostgreSQL store opens for its options: the conninfo with
// timeouts, "host:port" as the server name, and the statement timeout plus
// the connect timeout as the wait for a free connection. Connects lazily, so
// an unreachable server is not an error here; kInvalidArgument for an empty
// URL, a pool size of 0 or a URL libpq cannot parse.
Result<std::unique_ptr<PostgresPool>> open_postgres_pool(const PostgresOptions& options,
                                                         PostgresPool::Prepare prepare);

template <typename Fn>
auto PostgresPool::run(std::string_view what, Retry retry, Fn&& fn)
    -> std::invoke_result_t<Fn&, pqxx::connection&> {
  for (int attempt = 0;; ++attempt) {
    auto lease = acquire(attempt > 0);
    if (!lease.ok()) return lease.error();
    // Retry once, on a fresh connection, when an idle one turned out dead.
    const bool may_retry = retry == Retry::kSafe && lease->reused() && attempt == 0;
    try {
      return fn(lease->connection());
    } catch (const pqxx::broken_connection& error) {
      lease->mark_broken();
      if (may_retry) continue;
      return failure(what, error);
    } catch (const std::exception& error) {
      if (lease->connection().is_open()) return failure(what, error);
      lease->mark_broken();
      if (may_retry) continue;
      return failure(what, error);
    }
  }
}

}  // namespace zastava::store
