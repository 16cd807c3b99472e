#include "kube/watcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "base/stoppable_sleep.hpp"

namespace zastava::kube {

Watcher::Watcher(Client& client, ResourceRef collection, WatcherOptions options)
    : client_(client), collection_(std::move(collection)), options_(std::move(options)) {}

WatcherStats Watcher::stats() const noexcept {
  return {lists_.load(), watches_.load(), gone_.load(), failures_.load(), bookmarks_.load()};
}

Status Watcher::relist(const WatcherHandler& on_event) {
  ++lists_;
  ListOptions list;
  list.label_selector = options_.label_selector;
  list.field_selector = options_.field_selector;
  list.limit = options_.page_size;
  auto all = client_.list_all(collection_, list);
  if (!all) return all.error();
  WatcherEvent event{WatcherEvent::Type::kRestarted, {}};
  for (auto& item : (*all)["items"]) event.objects.push_back(std::move(item));
  resource_version_ = (*all)["metadata"].value("resourceVersion", "");
  on_event(event);
  return ok_status();
}

Status Watcher::watch_once(const std::stop_token& stop, const WatcherHandler& on_event) {
  ++watches_;
  WatchOptions watch;
  watch.label_selector = options_.label_selector;
  watch.field_selector = options_.field_selector;
  watch.resource_version = resource_version_;
  watch.allow_bookmarks = true;
  watch.timeout_seconds = options_.watch_timeout_seconds;
  return client_.watch(
      collection_, watch,
      [&](const WatchEvent& event) {
        const std::string version =
            event.object.contains("metadata")
                ? event.object["metadata"].value("resourceVersion", std::string())
                : std::string();
        switch (event.type) {
          case WatchEvent::Type::kBookmark:
            ++bookmarks_;
            break;
          case WatchEvent::Type::kDeleted: {
            WatcherEvent deleted{WatcherEvent::Type::kDeleted, {event.object}};
            on_event(deleted);
            break;
          }
          case WatchEvent::Type::kAdded:
          case WatchEvent::Type::kModified: {
            WatcherEvent applied{WatcherEvent::Type::kApplied, {event.object}};
            on_event(applied);
            break;
          }
          case WatchEvent::Type::kError:
            break;  // the client turns these into the watch's error
        }
        if (!version.empty()) resource_version_ = version;
        return true;
      },
      stop);
}

void Watcher::run(std::stop_token stop, const WatcherHandler& on_event) {
  std::chrono::milliseconds backoff = options_.initial_backoff;
  while (!stop.stop_requested()) {
    Status step = resource_version_.empty() ? relist(on_event) : watch_once(stop, on_event);
    if (stop.stop_requested()) return;
    if (step) {
      backoff = options_.initial_backoff;
      continue;
    }
    if (is_gone(step.error())) {
      ++gone_;
      resource_version_.clear();  // list again
      continue;
    }
    ++failures_;
    spdlog::warn("watch {}: {}; retrying in {} ms", collection_.describe(), step.error().describe(),
                 backoff.count());
    sleep_unless_stopped(stop, backoff);
    backoff = std::min(options_.max_backoff, backoff * 2);
  }
}

}  // namespace zastava::kube
