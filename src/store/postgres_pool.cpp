#include "store/postgres_pool.hpp"

#include <utility>

#include "store/postgres_conninfo.hpp"

namespace zastava::store {
namespace {

// libpq messages end in a newline and sometimes span (tab-indented) lines;
// one line reads better in logs.
std::string one_line(std::string_view text) {
  std::string line;
  line.reserve(text.size());
  for (const char c : text) {
    if (c == '\n' || c == '\t') {
      if (!line.empty() && line.back() != ' ') line += ' ';
    } else {
      line += c;
    }
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace

PostgresPool::PostgresPool(std::string conninfo, std::string server, std::size_t size,
                           std::chrono::milliseconds acquire_timeout, Prepare prepare)
    : conninfo_(std::move(conninfo)),
      server_(std::move(server)),
      size_(size),
      acquire_timeout_(acquire_timeout),
      prepare_(std::move(prepare)) {}

PostgresPool::~PostgresPool() = default;

Result<std::unique_ptr<PostgresPool>> open_postgres_pool(const PostgresOptions& options,
                                                         PostgresPool::Prepare prepare) {
  if (options.url.empty()) return make_error(ErrorCode::kInvalidArgument, "postgres: empty URL");
  if (options.pool_size == 0) {
    return make_error(ErrorCode::kInvalidArgument, "postgres: pool size must be at least 1");
  }
  auto server = describe_server(options.url);
  if (!server.ok()) return server.error();
  return std::make_unique<PostgresPool>(
      conninfo_with_timeouts(options), std::move(*server), options.pool_size,
      options.statement_timeout + std::chrono::milliseconds(options.connect_timeout),
      std::move(prepare));
}

Result<PostgresPool::Lease> PostgresPool::acquire(bool fresh) {
  std::vector<Slot> dropped;  // closed after the lock is released
  std::uint64_t generation = 0;
  {
    std::unique_lock lock{mutex_};
    const auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
    while (true) {
      if (!idle_.empty() && !fresh) {
        Lease lease{*this, std::move(idle_.back())};
        idle_.pop_back();
        return lease;
      }
      if (open_ < size_) break;
      if (!idle_.empty()) {  // fresh wanted and the pool is full: retire an idle one
        dropped.push_back(std::move(idle_.back()));
        idle_.pop_back();
        --open_;
        break;
      }
      if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_ >= size_) {
        return make_error(ErrorCode::kIo, "postgres " + server_ + ": all " + std::to_string(size_) +
                                              " connections busy for " +
                                              std::to_string(acquire_timeout_.count()) + " ms");
      }
    }
    ++open_;
    generation = generation_;
  }
  dropped.clear();
  try {
    auto connection = std::make_unique<pqxx::connection>(conninfo_);
    prepare_(*connection);
    return Lease{*this, Slot{std::move(connection), generation, false}};
  } catch (const std::exception& error) {
    {
      std::lock_guard lock{mutex_};
      --open_;
    }
    available_.notify_one();
    return failure("connect", error);
  }
}

void PostgresPool::release(Slot slot, bool broken) noexcept {
  std::vector<Slot> dropped;  // closed after the lock is released
  {
    std::lock_guard lock{mutex_};
    if (broken) {
      // The server probably went away: the idle connections are dead too.
      ++generation_;
      open_ -= idle_.size() + 1;
      dropped = std::move(idle_);
      idle_.clear();
      dropped.push_back(std::move(slot));
    } else if (slot.generation < generation_) {
      --open_;
      dropped.push_back(std::move(slot));
    } else {
      slot.reused = true;
      idle_.push_back(std::move(slot));
    }
  }
  available_.notify_all();
}

Error PostgresPool::failure(std::string_view what, const std::exception& error) const {
  const std::string prefix = "postgres " + server_ + ": " + std::string(what) + ": ";
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) {
    const std::string& state = sql->sqlstate();
    const ErrorCode code = state.rfind("22", 0) == 0 ? ErrorCode::kInvalidArgument : ErrorCode::kIo;
    return make_error(
        code, prefix + one_line(sql->what()) + (state.empty() ? "" : " (SQLSTATE " + state + ")"));
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr) {
    return make_error(ErrorCode::kIo, prefix + "connection failed: " + one_line(error.what()));
  }
  return make_error(ErrorCode::kIo, prefix + one_line(error.what()));
}

}  // namespace zastava::store
