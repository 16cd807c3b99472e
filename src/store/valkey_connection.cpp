// hiredis 0.14.1 behind ValkeyConnection and ValkeyPool (valkey_connection.hpp).

#include "store/valkey_connection.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <signal.h>
#include <sys/time.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <utility>

namespace zastava::store {
namespace {

timeval to_timeval(std::chrono::milliseconds timeout) {
  const auto ms = timeout.count();
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

// Blocks SIGPIPE in this thread while a socket is written, and discards a
// SIGPIPE the write raised (it would otherwise be delivered when unblocked).
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask_);
  }
  ~SigpipeGuard() {
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        sigset_t pipe_only;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        const timespec no_wait{0, 0};
        sigtimedwait(&pipe_only, nullptr, &no_wait);
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t old_mask_{};
  bool was_pending_ = false;
};

ValkeyReply convert_reply(const redisReply& reply) {
  ValkeyReply out;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      out.type = ValkeyReply::Type::kString;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = ValkeyReply::Type::kStatus;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = ValkeyReply::Type::kError;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = ValkeyReply::Type::kInteger;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = ValkeyReply::Type::kArray;
      out.elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i) {
        out.elements.push_back(convert_reply(*reply.element[i]));
      }
      break;
    default:  // REDIS_REPLY_NIL
      out.type = ValkeyReply::Type::kNil;
      break;
  }
  return out;
}

struct ReplyDeleter {
  void operator()(void* reply) const noexcept { freeReplyObject(reply); }
};
using OwnedReply = std::unique_ptr<void, ReplyDeleter>;

bool parse_decimal(std::string_view text, int min, int max, int& out) {
  if (text.empty() || text.size() > 5) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return false;
  if (value < min || value > max) return false;
  out = value;
  return true;
}

bool valid_host(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (const char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0 && c != '.' && c != '-') return false;
  }
  return true;
}

}  // namespace

std::string ValkeyEndpoint::address() const {
  return host + ":" + std::to_string(port);
}

Result<ValkeyEndpoint> parse_valkey_url(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return make_error(ErrorCode::kInvalidArgument, "valkey url '" + std::string(url) +
                                                       "': " + std::string(why) +
                                                       " (expected redis://host:port[/db])");
  };
  constexpr std::string_view kScheme = "redis://";
  if (!url.starts_with(kScheme)) return bad("scheme must be redis://");
  std::string_view rest = url.substr(kScheme.size());
  std::string_view db_text;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    db_text = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (db_text.empty()) return bad("empty database number after '/'");
  }
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos) return bad("port is required");
  ValkeyEndpoint endpoint;
  const std::string_view host = rest.substr(0, colon);
  if (!valid_host(host)) return bad("host must be a name or an IPv4 address");
  endpoint.host = std::string(host);
  if (!parse_decimal(rest.substr(colon + 1), 1, 65535, endpoint.port)) {
    return bad("port must be 1-65535");
  }
  if (!db_text.empty() && !parse_decimal(db_text, 0, 15, endpoint.db)) {
    return bad("database must be 0-15");
  }
  return endpoint;
}

Status check_reply(const ValkeyReply& reply, std::string_view what,
                   const ValkeyEndpoint& endpoint) {
  if (!reply.is_error()) return ok_status();
  return make_error(ErrorCode::kIo, "valkey " + endpoint.address() + ": " + std::string(what) +
                                        " failed: " + reply.text);
}

// ---------------------------------------------------------------------------
// ValkeyConnection

struct ValkeyConnection::Impl {
  ValkeyEndpoint endpoint;
  redisContext* context = nullptr;
  bool failed = false;

  ~Impl() {
    if (context != nullptr) redisFree(context);
  }

  Error io_error(std::string_view what) {
    failed = true;
    const std::string detail = context != nullptr && context->err != 0
                                   ? std::string(context->errstr)
                                   : std::string("unknown error");
    return make_error(ErrorCode::kIo,
                      "valkey " + endpoint.address() + ": " + std::string(what) + ": " + detail);
  }

  Status append(const ValkeyCommand& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context, static_cast<int>(args.size()), argv.data(),
                               lengths.data()) != REDIS_OK) {
      return io_error("formatting a command");
    }
    return ok_status();
  }

  Status flush() {
    const SigpipeGuard guard;
    int done = 0;
    while (done == 0) {
      if (redisBufferWrite(context, &done) != REDIS_OK) return io_error("write");
    }
    return ok_status();
  }

  Result<ValkeyReply> read_reply() {
    void* raw = nullptr;
    if (redisGetReply(context, &raw) != REDIS_OK || raw == nullptr) return io_error("read");
    const OwnedReply owned(raw);
    return convert_reply(*static_cast<redisReply*>(raw));
  }
};

ValkeyConnection::ValkeyConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ValkeyConnection::~ValkeyConnection() = default;

Result<std::unique_ptr<ValkeyConnection>> ValkeyConnection::open(
    const ValkeyEndpoint& endpoint, std::chrono::milliseconds connect_timeout,
    std::chrono::milliseconds command_timeout) {
  auto impl = std::make_unique<Impl>();
  impl->endpoint = endpoint;
  impl->context =
      redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, to_timeval(connect_timeout));
  if (impl->context == nullptr) {
    return make_error(ErrorCode::kIo,
                      "valkey " + endpoint.address() + ": cannot allocate a hiredis context");
  }
  if (impl->context->err != 0) return impl->io_error("connect");
  if (redisSetTimeout(impl->context, to_timeval(command_timeout)) != REDIS_OK) {
    return impl->io_error("setting the command timeout");
  }
  std::unique_ptr<ValkeyConnection> connection(new ValkeyConnection(std::move(impl)));
  if (endpoint.db != 0) {
    auto selected = connection->command({"SELECT", std::to_string(endpoint.db)});
    if (!selected) return std::move(selected).error();
    if (auto status = check_reply(*selected, "SELECT", endpoint); !status) return status.error();
  }
  return connection;
}

Result<ValkeyReply> ValkeyConnection::command(const ValkeyCommand& args) {
  if (auto status = send(args); !status) return status.error();
  return impl_->read_reply();
}

Result<std::vector<ValkeyReply>> ValkeyConnection::pipeline(
    const std::vector<ValkeyCommand>& commands) {
  for (const auto& args : commands) {
    if (auto status = impl_->append(args); !status) return status.error();
  }
  if (auto status = impl_->flush(); !status) return status.error();
  std::vector<ValkeyReply> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    auto reply = impl_->read_reply();
    if (!reply) return std::move(reply).error();
    replies.push_back(std::move(*reply));
  }
  return replies;
}

Status ValkeyConnection::send(const ValkeyCommand& args) {
  if (auto status = impl_->append(args); !status) return status;
  return impl_->flush();
}

Result<std::optional<ValkeyReply>> ValkeyConnection::take_buffered_reply() {
  void* raw = nullptr;
  if (redisGetReplyFromReader(impl_->context, &raw) != REDIS_OK) {
    return impl_->io_error("protocol");
  }
  if (raw == nullptr) return std::optional<ValkeyReply>{};
  const OwnedReply owned(raw);
  return std::optional<ValkeyReply>{convert_reply(*static_cast<redisReply*>(raw))};
}

Status ValkeyConnection::read_into_buffer() {
  if (redisBufferRead(impl_->context) != REDIS_OK) return impl_->io_error("read");
  return ok_status();
}

int ValkeyConnection::fd() const noexcept {
  return impl_->context->fd;
}

Status ValkeyConnection::set_command_timeout(std::chrono::milliseconds timeout) {
  if (redisSetTimeout(impl_->context, to_timeval(timeout)) != REDIS_OK) {
    return impl_->io_error("setting the command timeout");
  }
  return ok_status();
}

bool ValkeyConnection::healthy() const noexcept {
  return !impl_->failed && impl_->context->err == 0;
}

bool ValkeyConnection::closed_while_idle() const noexcept {
  pollfd idle{impl_->context->fd, POLLIN | POLLRDHUP, 0};
  int ready = 0;
  do {
    ready = poll(&idle, 1, 0);
  } while (ready < 0 && errno == EINTR);
  return ready != 0;  // readable, hung up or failed: not a usable idle connection
}

const ValkeyEndpoint& ValkeyConnection::endpoint() const noexcept {
  return impl_->endpoint;
}

// ---------------------------------------------------------------------------
// ValkeyPool

struct ValkeyPool::Slots {
  std::mutex mutex;
  std::condition_variable available;
  std::vector<std::unique_ptr<ValkeyConnection>> idle;
  std::size_t open = 0;  // connections that exist (idle or lent) or are being made
};

// A connection lent by the pool; returned (or dropped when it failed) on
// destruction.
class ValkeyPool::Borrow {
 public:
  explicit Borrow(ValkeyPool& pool) : pool_(pool) {}
  ~Borrow() {
    auto& slots = *pool_.slots_;
    {
      const std::lock_guard lock(slots.mutex);
      if (connection_ != nullptr && connection_->healthy()) {
        slots.idle.push_back(std::move(connection_));
      } else if (reserved_) {
        --slots.open;
      }
    }
    slots.available.notify_one();
  }
  Borrow(const Borrow&) = delete;
  Borrow& operator=(const Borrow&) = delete;

  // A connection, waiting (bounded) for one to be free, connecting if needed.
  Result<ValkeyConnection*> acquire() {
    auto& slots = *pool_.slots_;
    const auto& options = pool_.options_;
    const auto wait_limit = options.connect_timeout + 4 * options.command_timeout;
    {
      std::unique_lock lock(slots.mutex);
      const bool got = slots.available.wait_for(
          lock, wait_limit, [&] { return !slots.idle.empty() || slots.open < options.pool_size; });
      if (!got) {
        return make_error(ErrorCode::kIo, "valkey " + pool_.endpoint_.address() +
                                              ": no free connection in the pool");
      }
      reserved_ = true;
      while (!slots.idle.empty()) {
        auto idle = std::move(slots.idle.back());
        slots.idle.pop_back();
        if (!idle->closed_while_idle()) {
          connection_ = std::move(idle);
          return connection_.get();
        }
        --slots.open;  // dropped: the server closed it
      }
      ++slots.open;
    }
    auto opened =
        ValkeyConnection::open(pool_.endpoint_, options.connect_timeout, options.command_timeout);
    if (!opened) return std::move(opened).error();
    connection_ = std::move(*opened);
    return connection_.get();
  }

 private:
  ValkeyPool& pool_;
  std::unique_ptr<ValkeyConnection> connection_;
  bool reserved_ = false;
};

ValkeyPool::ValkeyPool(ValkeyConnectionOptions options, ValkeyEndpoint endpoint)
    : options_(std::move(options)),
      endpoint_(std::move(endpoint)),
      slots_(std::make_unique<Slots>()) {}

ValkeyPool::~ValkeyPool() = default;

Result<std::unique_ptr<ValkeyPool>> ValkeyPool::create(ValkeyConnectionOptions options) {
  auto endpoint = parse_valkey_url(options.url);
  if (!endpoint) return std::move(endpoint).error();
  if (options.pool_size == 0) {
    return make_error(ErrorCode::kInvalidArgument, "valkey pool size must be at least 1");
  }
  if (options.connect_timeout.count() <= 0 || options.command_timeout.count() <= 0) {
    return make_error(ErrorCode::kInvalidArgument, "valkey timeouts must be positive");
  }
  return std::unique_ptr<ValkeyPool>(new ValkeyPool(std::move(options), std::move(*endpoint)));
}

Result<ValkeyReply> ValkeyPool::command(const ValkeyCommand& args) {
  Borrow borrow(*this);
  auto connection = borrow.acquire();
  if (!connection) return std::move(connection).error();
  return (*connection)->command(args);
}

Result<std::vector<ValkeyReply>> ValkeyPool::pipeline(const std::vector<ValkeyCommand>& commands) {
  if (commands.empty()) return std::vector<ValkeyReply>{};
  Borrow borrow(*this);
  auto connection = borrow.acquire();
  if (!connection) return std::move(connection).error();
  return (*connection)->pipeline(commands);
}

Result<ValkeyReply> ValkeyPool::command_with_timeout(const ValkeyCommand& args,
                                                     std::chrono::milliseconds timeout) {
  Borrow borrow(*this);
  auto connection = borrow.acquire();
  if (!connection) return std::move(connection).error();
  if (auto status = (*connection)->set_command_timeout(timeout); !status) return status.error();
  auto reply = (*connection)->command(args);
  if ((*connection)->healthy()) {
    if (auto status = (*connection)->set_command_timeout(options_.command_timeout); !status) {
      return status.error();
    }
  }
  return reply;
}

Status ValkeyPool::with_connection(const std::function<Status(ValkeyConnection&)>& work) {
  Borrow borrow(*this);
  auto connection = borrow.acquire();
  if (!connection) return std::move(connection).error();
  return work(**connection);
}

}  // namespace zastava::store
