// InvalidationBus (invalidation_bus.hpp): a subscriber thread that waits in
// poll() on its Valkey socket and an eventfd, and publish() with acks.

#include "store/invalidation_bus.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "json/canonical_json.hpp"

namespace zastava::store {
namespace {

constexpr std::string_view kAckTtlSeconds = "60";

struct BusMessage {
  std::string id;
  std::string origin;
  provcache::InvalidationRequest request;
};

Result<std::string> message_to_json(const BusMessage& message) {
  auto request_json = provcache::invalidation_to_json(message.request);
  if (!request_json) return std::move(request_json).error();
  auto request = json::parse_strict(*request_json);
  if (!request) return std::move(request).error();
  nlohmann::json document = nlohmann::json::object();
  document["id"] = message.id;
  document["origin"] = message.origin;
  document["request"] = std::move(*request);
  return json::canonicalize(document);
}

Result<BusMessage> parse_message(std::string_view text) {
  auto document = json::parse_strict(text);
  if (!document) return std::move(document).error();
  const auto bad = [](std::string_view why) {
    return make_error(ErrorCode::kParse, "invalidation bus message: " + std::string(why));
  };
  if (!document->is_object() || document->size() != 3) {
    return bad("expected an object with id, origin and request");
  }
  const auto id = document->find("id");
  const auto origin = document->find("origin");
  const auto request = document->find("request");
  if (id == document->end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
    return bad("id must be a non-empty string");
  }
  if (origin == document->end() || !origin->is_string()) return bad("origin must be a string");
  if (request == document->end() || !request->is_object()) return bad("request must be an object");
  auto request_text = json::canonicalize(*request);
  if (!request_text) return std::move(request_text).error();
  auto parsed = provcache::parse_invalidation(*request_text);
  if (!parsed) return std::move(parsed).error();
  return BusMessage{id->get<std::string>(), origin->get<std::string>(), std::move(*parsed)};
}

// "0.250": BLPOP's timeout in seconds (never "0", which would block forever).
std::string blpop_seconds(std::chrono::milliseconds remaining) {
  const auto ms = std::max<std::int64_t>(remaining.count(), 1);
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return text;
}

// An eventfd the destructor signals to wake the subscriber thread.
class WakeEvent {
 public:
  WakeEvent() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}
  ~WakeEvent() {
    if (fd_ >= 0) close(fd_);
  }
  WakeEvent(const WakeEvent&) = delete;
  WakeEvent& operator=(const WakeEvent&) = delete;

  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  [[nodiscard]] int fd() const noexcept { return fd_; }
  void signal() const noexcept {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = write(fd_, &one, sizeof one);
  }
  // Waits until signalled or `timeout` passed; true when signalled.
  [[nodiscard]] bool wait(std::chrono::milliseconds timeout) const noexcept {
    pollfd wake{fd_, POLLIN, 0};
    int ready = 0;
    do {
      ready = poll(&wake, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    return ready > 0;
  }

 private:
  int fd_;
};

}  // namespace

struct InvalidationBus::Impl {
  InvalidationBusOptions options;
  ValkeyEndpoint endpoint;
  Callbacks callbacks;
  std::unique_ptr<ValkeyPool> pool;  // PUBLISH, acks, BLPOP
  WakeEvent wake;
  std::atomic<bool> stopping{false};
  std::atomic<bool> is_subscribed{false};
  std::thread thread;

  [[nodiscard]] std::string channel() const { return options.key_prefix + "invalidate"; }
  [[nodiscard]] std::string ack_key(std::string_view id) const {
    return options.key_prefix + "ack:" + std::string(id);
  }

  // The subscriber: (re)connect with backoff until stopped.
  void run() {
    auto backoff = options.min_backoff;
    while (!stopping.load()) {
      bool was_subscribed = false;
      auto connection = ValkeyConnection::open(endpoint, options.connection.connect_timeout,
                                               options.connection.command_timeout);
      if (connection) {
        (void)listen(**connection, was_subscribed);
      }
      is_subscribed.store(false);
      if (was_subscribed) backoff = options.min_backoff;
      if (stopping.load() || wake.wait(backoff)) break;
      backoff = std::min(backoff * 2, options.max_backoff);
    }
    is_subscribed.store(false);
  }

  // Subscribes and handles replies until the connection fails or the bus
  // stops. A connection silent for a whole health interval gets a PING; one
  // still silent an interval later is taken for dead (a peer that vanished
  // without closing the socket would otherwise leave us subscribed to nothing).
  Status listen(ValkeyConnection& connection, bool& was_subscribed) {
    if (auto sent = connection.send({"SUBSCRIBE", channel()}); !sent) return sent;
    bool ping_outstanding = false;
    while (!stopping.load()) {
      auto reply = connection.take_buffered_reply();
      if (!reply) return std::move(reply).error();
      if (reply->has_value()) {
        if (auto handled = handle(**reply, was_subscribed); !handled) return handled;
        continue;
      }
      pollfd fds[2] = {{connection.fd(), POLLIN, 0}, {wake.fd(), POLLIN, 0}};
      const int ready = poll(fds, 2, static_cast<int>(options.health_interval.count()));
      if (ready < 0) {
        if (errno == EINTR) continue;
        return make_error(ErrorCode::kIo, "invalidation bus: poll failed");
      }
      if ((fds[1].revents & POLLIN) != 0) return ok_status();
      if (ready == 0) {
        if (ping_outstanding) {
          return make_error(ErrorCode::kIo, "invalidation bus: valkey " + endpoint.address() +
                                                " did not answer PING");
        }
        if (auto sent = connection.send({"PING"}); !sent) return sent;
        ping_outstanding = true;
        continue;
      }
      if (auto read = connection.read_into_buffer(); !read) return read;
      ping_outstanding = false;  // anything received shows the connection is alive
    }
    return ok_status();
  }

  // An error reply (e.g. the server refused SUBSCRIBE) drops the connection.
  Status handle(const ValkeyReply& reply, bool& was_subscribed) {
    if (auto status = check_reply(reply, "SUBSCRIBE", endpoint); !status) return status;
    if (reply.type != ValkeyReply::Type::kArray || reply.elements.size() != 3) return ok_status();
    const std::string& kind = reply.elements[0].text;
    if (kind == "subscribe") {
      was_subscribed = true;
      is_subscribed.store(true);
      // Messages may have been missed while (re)connecting.
      run_callback([&] { callbacks.on_resync(); });
    } else if (kind == "message") {
      auto message = parse_message(reply.elements[2].text);
      // A malformed message or a failed callback is not acknowledged: the
      // publisher sees the shortfall.
      if (!message) return ok_status();
      if (!run_callback([&] { callbacks.on_invalidation(message->request); })) return ok_status();
      const std::string key = ack_key(message->id);
      auto acked = pool->pipeline(
          {{"RPUSH", key, options.replica_id}, {"EXPIRE", key, std::string(kAckTtlSeconds)}});
      (void)acked;  // a failed ack shows as a shortfall at the publisher
    }
    return ok_status();
  }

  // Runs a callback; an exception from it must not end the subscriber.
  template <typename F>
  static bool run_callback(F&& callback) noexcept {
    try {
      callback();
      return true;
    } catch (...) {
      return false;
    }
  }
};

InvalidationBus::InvalidationBus(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

InvalidationBus::~InvalidationBus() {
  impl_->stopping.store(true);
  impl_->wake.signal();
  if (impl_->thread.joinable()) impl_->thread.join();
}

Result<std::unique_ptr<InvalidationBus>> InvalidationBus::start(InvalidationBusOptions options,
                                                                Callbacks callbacks) {
  if (options.replica_id.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "invalidation bus: replica id is required");
  }
  if (options.key_prefix.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "invalidation bus: key prefix is required");
  }
  if (!callbacks.on_invalidation || !callbacks.on_resync) {
    return make_error(ErrorCode::kInvalidArgument,
                      "invalidation bus: on_invalidation and on_resync are required");
  }
  if (options.min_backoff.count() <= 0 || options.max_backoff < options.min_backoff) {
    return make_error(ErrorCode::kInvalidArgument,
                      "invalidation bus: backoff must be 0 < min <= max");
  }
  if (options.health_interval.count() <= 0 ||
      options.health_interval > std::chrono::milliseconds(std::numeric_limits<int>::max())) {
    return make_error(ErrorCode::kInvalidArgument,
                      "invalidation bus: health interval must be positive");
  }
  auto pool = ValkeyPool::create(options.connection);
  if (!pool) return std::move(pool).error();
  auto impl = std::make_unique<Impl>();
  if (!impl->wake.valid()) {
    return make_error(ErrorCode::kIo, "invalidation bus: eventfd failed");
  }
  impl->endpoint = (*pool)->endpoint();
  impl->pool = std::move(*pool);
  impl->options = std::move(options);
  impl->callbacks = std::move(callbacks);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<InvalidationBus>(new InvalidationBus(std::move(impl)));
}

Result<PublishResult> InvalidationBus::publish(const provcache::InvalidationRequest& request,
                                               std::chrono::milliseconds ack_timeout) {
  if (auto status = provcache::validate(request); !status) return status.error();
  const auto deadline = std::chrono::steady_clock::now() + ack_timeout;
  // A fresh UUID v4 names the message and its ack list.
  const BusMessage message{provcache::make_revocation_record(request, 0, 0).revocation_id,
                           impl_->options.replica_id, request};
  auto text = message_to_json(message);
  if (!text) return std::move(text).error();
  auto published = impl_->pool->command({"PUBLISH", impl_->channel(), std::move(*text)});
  if (!published) return std::move(published).error();
  if (auto status = check_reply(*published, "PUBLISH", impl_->endpoint); !status) {
    return status.error();
  }
  PublishResult result;
  result.receivers = static_cast<std::uint64_t>(std::max<std::int64_t>(published->integer, 0));

  const std::string key = impl_->ack_key(message.id);
  const auto socket_margin = impl_->options.connection.command_timeout;
  while (result.acknowledged < result.receivers) {
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) break;
    auto popped = impl_->pool->command_with_timeout({"BLPOP", key, blpop_seconds(remaining)},
                                                    remaining + socket_margin);
    if (!popped) return std::move(popped).error();
    if (auto status = check_reply(*popped, "BLPOP", impl_->endpoint); !status) {
      return status.error();
    }
    if (popped->is_nil()) break;  // timed out
    ++result.acknowledged;
  }
  auto removed = impl_->pool->command({"DEL", key});
  (void)removed;  // late acks expire by themselves
  return result;
}

bool InvalidationBus::subscribed() const noexcept {
  return impl_->is_subscribed.load();
}

const std::string& InvalidationBus::replica_id() const noexcept {
  return impl_->options.replica_id;
}

std::string InvalidationBus::channel() const {
  return impl_->channel();
}

}  // namespace zastava::store
