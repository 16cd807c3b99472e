#pragma once
// Talking to Valkey (or Redis) over RESP with hiredis, synchronously.
//
// A ValkeyEndpoint is parsed strictly from redis://host:port[/db] (no user,
// password, query or fragment; the port is required, db is 0-15 digits).
// A ValkeyConnection is one hiredis context; a ValkeyPool lends a few of them
// to many threads (mutex + condition variable, returned by an RAII borrow).
//
//   auto pool = ValkeyPool::create({.url = "redis://127.0.0.1:6379"});
//   auto reply = (*pool)->command({"GET", key});           // Result<ValkeyReply>
//   auto replies = (*pool)->pipeline({{"GET", a}, {"GET", b}});
//
// Every call is bounded: connecting by connect_timeout, every read and write
// by command_timeout (socket timeouts), so nothing hangs on a dead server.
// A connection that failed (I/O error, timeout, protocol error) is thrown
// away and a fresh one is made by the next call that needs it, so the pool
// recovers by itself when the server comes back; an idle connection the
// server closed meanwhile is noticed (poll) and replaced before it is lent. Errors are kIo and name
// host:port and what hiredis said. A Redis error reply ("-ERR ...") is not a
// transport error: it comes back as a ValkeyReply of type kError.
//
// SIGPIPE: a write to a socket the server closed would raise SIGPIPE and kill
// the process; every write here blocks SIGPIPE in the calling thread and
// discards one it raised (as libpq does), so callers need not ignore it.
//
// No hiredis type appears here (the context lives behind a pimpl).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace zastava::store {

struct ValkeyEndpoint {
  std::string host;
  int port = 6379;
  int db = 0;

  // "host:port", for error messages.
  [[nodiscard]] std::string address() const;
};

// kInvalidArgument naming what is wrong with `url`.
Result<ValkeyEndpoint> parse_valkey_url(std::string_view url);

struct ValkeyConnectionOptions {
  std::string url = "redis://127.0.0.1:6379";
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{500};
  std::size_t pool_size = 4;  // ValkeyPool only; at least 1
};

// One RESP reply in plain C++ types.
struct ValkeyReply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  std::string text;  // kString, kStatus, kError
  std::int64_t integer = 0;
  std::vector<ValkeyReply> elements;  // kArray

  [[nodiscard]] bool is_nil() const noexcept { return type == Type::kNil; }
  [[nodiscard]] bool is_error() const noexcept { return type == Type::kError; }
};

using ValkeyCommand = std::vector<std::string>;

// One synchronous hiredis context. Not thread safe: one thread at a time
// (the pool and the invalidation bus's subscriber thread see to that).
class ValkeyConnection {
 public:
  // Connects (and SELECTs the endpoint's db when it is not 0).
  static Result<std::unique_ptr<ValkeyConnection>> open(const ValkeyEndpoint& endpoint,
                                                        std::chrono::milliseconds connect_timeout,
                                                        std::chrono::milliseconds command_timeout);
  ~ValkeyConnection();
  ValkeyConnection(const ValkeyConnection&) = delete;
  ValkeyConnection& operator=(const ValkeyConnection&) = delete;

  Result<ValkeyReply> command(const ValkeyCommand& args);
  // Sends every command, then reads every reply, in order: one round trip.
  Result<std::vector<ValkeyReply>> pipeline(const std::vector<ValkeyCommand>& commands);

  // For the pub/sub subscriber, which reads without blocking:
  // write `args` without waiting for its reply,
  Status send(const ValkeyCommand& args);
  // a reply already received and buffered, if there is one (never blocks),
  Result<std::optional<ValkeyReply>> take_buffered_reply();
  // and, once poll() says fd() is readable, read what arrived into the buffer
  // (kIo when the server closed the connection).
  Status read_into_buffer();
  [[nodiscard]] int fd() const noexcept;

  // Changes the socket read/write timeout (e.g. for a blocking BLPOP).
  Status set_command_timeout(std::chrono::milliseconds timeout);

  // False once a transport error happened: the connection must be discarded.
  [[nodiscard]] bool healthy() const noexcept;
  // For an idle connection: whether the server has closed it (or sent
  // something unasked), seen without blocking. The pool checks this before
  // lending an idle connection, so a restarted server costs no failed call.
  [[nodiscard]] bool closed_while_idle() const noexcept;
  [[nodiscard]] const ValkeyEndpoint& endpoint() const noexcept;

 private:
  struct Impl;
  explicit ValkeyConnection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A small fixed-size pool of ValkeyConnections, connected lazily.
class ValkeyPool {
 public:
  // Parses the URL and checks the options; does not connect (a server that is
  // down at start-up is reported by the first call, not here).
  static Result<std::unique_ptr<ValkeyPool>> create(ValkeyConnectionOptions options);
  ~ValkeyPool();
  ValkeyPool(const ValkeyPool&) = delete;
  ValkeyPool& operator=(const ValkeyPool&) = delete;

  Result<ValkeyReply> command(const ValkeyCommand& args);
  Result<std::vector<ValkeyReply>> pipeline(const std::vector<ValkeyCommand>& commands);
  // command() with a different socket timeout for this one call (BLPOP).
  Result<ValkeyReply> command_with_timeout(const ValkeyCommand& args,
                                           std::chrono::milliseconds timeout);
  // Runs `work` on one borrowed connection: for sequences that must share a
  // connection (WATCH ... MULTI ... EXEC).
  Status with_connection(const std::function<Status(ValkeyConnection&)>& work);

  [[nodiscard]] const ValkeyEndpoint& endpoint() const noexcept { return endpoint_; }
  [[nodiscard]] const ValkeyConnectionOptions& options() const noexcept { return options_; }

 private:
  class Borrow;
  ValkeyPool(ValkeyConnectionOptions options, ValkeyEndpoint endpoint);
  struct Slots;
  ValkeyConnectionOptions options_;
  ValkeyEndpoint endpoint_;
  std::unique_ptr<Slots> slots_;
};

// The reply as an error when it is a Redis error reply, naming the command.
Status check_reply(const ValkeyReply& reply, std::string_view what, const ValkeyEndpoint& endpoint);

}  // namespace zastava::store
