#pragma once
// Cross-replica invalidation over Valkey pub/sub.
//
// Several webhook replicas share one Valkey and one PostgreSQL, and each
// keeps an in-process LRU. When one replica runs an invalidation, every
// replica's LRU must have dropped the matching entries before the
// invalidation call returns. The replica that ran it publishes the request:
//
//   channel  <prefix>invalidate
//   message  {"id":"<uuid>","origin":"<replica id>","request":{..invalidation_to_json..}}
//
// Every replica (the publisher included) runs one InvalidationBus. Its
// background thread holds its own connection SUBSCRIBEd to the channel; for
// each message it calls on_invalidation and then acknowledges with
// RPUSH <prefix>ack:<id> <replica id> (EXPIRE 60 s). publish() learns from
// PUBLISH how many subscribers received the message and waits (BLPOP on the
// ack list) until that many acknowledged or ack_timeout passed.
//
// Missed messages: while the subscriber is disconnected, messages are lost.
// So after every (re)subscribe, the first included, the bus calls on_resync()
// and the tiered layer drops its whole LRU. Reconnects back off
// exponentially from 100 ms to 5 s.
//
// Shutdown: the subscriber waits in poll() on its socket and on an eventfd
// that the destructor signals, so destroying the bus returns promptly (it
// stops and joins the thread). Callbacks run on the subscriber thread, one
// at a time; they must not destroy the bus or publish on it (the publish
// would wait for the very subscriber that is running the callback).
//
// A subscriber connection that goes quiet is checked with PING every
// health_interval, so a Valkey that vanished without closing the socket is
// noticed (and resynced after) within two intervals.
//
//   auto bus = InvalidationBus::start(options, {.on_invalidation = ..., .on_resync = ...});
//   auto sent = (*bus)->publish(request, 2s);   // {receivers, acknowledged}

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "provcache/invalidation.hpp"
#include "store/valkey_connection.hpp"

namespace zastava::store {

struct InvalidationBusOptions {
  ValkeyConnectionOptions connection{};
  std::string key_prefix = "stellaops:prov:";
  std::string replica_id{};  // required: unique per replica (e.g. the pod name)
  std::chrono::milliseconds min_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  // A subscriber connection silent this long is PINGed; silent for another
  // interval, it is dropped and re-made (and on_resync called).
  std::chrono::milliseconds health_interval{10000};
};

struct PublishResult {
  std::uint64_t receivers = 0;     // subscribers PUBLISH delivered to
  std::uint64_t acknowledged = 0;  // acks received before the timeout
  [[nodiscard]] bool complete() const noexcept { return acknowledged >= receivers; }
};

class InvalidationBus {
 public:
  struct Callbacks {
    std::function<void(const provcache::InvalidationRequest&)> on_invalidation;
    std::function<void()> on_resync;
  };

  // Starts the subscriber thread (which connects in the background: a Valkey
  // that is down is retried, see subscribed()). kInvalidArgument for a bad
  // URL, an empty replica id or missing callbacks.
  static Result<std::unique_ptr<InvalidationBus>> start(InvalidationBusOptions options,
                                                        Callbacks callbacks);
  ~InvalidationBus();  // stops and joins the subscriber thread
  InvalidationBus(const InvalidationBus&) = delete;
  InvalidationBus& operator=(const InvalidationBus&) = delete;

  // Publishes and waits for acknowledgements (see above). A shortfall is not
  // an error (the caller logs it); kIo when Valkey cannot be reached,
  // kInvalidArgument for a request that does not validate.
  Result<PublishResult> publish(const provcache::InvalidationRequest& request,
                                std::chrono::milliseconds ack_timeout);

  // Whether the subscriber is currently subscribed (readiness, tests).
  [[nodiscard]] bool subscribed() const noexcept;
  [[nodiscard]] const std::string& replica_id() const noexcept;
  [[nodiscard]] std::string channel() const;

 private:
  struct Impl;
  explicit InvalidationBus(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace zastava::store
