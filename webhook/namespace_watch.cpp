#include "namespace_watch.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "kube/watcher.hpp"

namespace zastava::webhook {
namespace {

struct NamedLabels {
  std::string name;
  policy::Labels labels;
};

NamedLabels labels_of(const nlohmann::json& object) {
  NamedLabels result;
  const auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return result;
  result.name = metadata->value("name", "");
  std::vector<std::pair<std::string, std::string>> pairs;
  if (const auto labels = metadata->find("labels");
      labels != metadata->end() && labels->is_object()) {
    for (const auto& [key, value] : labels->items()) {
      if (value.is_string()) pairs.emplace_back(key, value.get<std::string>());
    }
  }
  result.labels = policy::Labels(std::move(pairs));
  return result;
}

}  // namespace

NamespaceWatch::NamespaceWatch(kube::Client& client, decision::NamespaceLabelTable& table,
                               std::shared_ptr<spdlog::logger> logger)
    : client_(client), table_(table), logger_(std::move(logger)) {
  thread_ = std::jthread([this](const std::stop_token& stop) {
    kube::Watcher watcher(client_, kube::ResourceRef{"", "v1", "namespaces", "", ""});
    watcher.run(stop, [this](kube::WatcherEvent& event) { apply(event); });
  });
}

NamespaceWatch::~NamespaceWatch() {
  thread_.request_stop();
}

void NamespaceWatch::apply(const kube::WatcherEvent& event) {
  using Type = kube::WatcherEvent::Type;
  if (event.type == Type::kRestarted) {
    std::set<std::string> seen;
    for (const auto& object : event.objects) {
      NamedLabels entry = labels_of(object);
      if (entry.name.empty()) continue;
      seen.insert(entry.name);
      table_.set(entry.name, std::move(entry.labels));
    }
    for (const auto& name : known_) {
      if (!seen.contains(name)) table_.erase(name);
    }
    known_ = std::move(seen);
    logger_->info("namespace labels: {} namespaces listed", known_.size());
    return;
  }
  for (const auto& object : event.objects) {
    NamedLabels entry = labels_of(object);
    if (entry.name.empty()) continue;
    if (event.type == Type::kDeleted) {
      table_.erase(entry.name);
      known_.erase(entry.name);
    } else {
      known_.insert(entry.name);
      table_.set(entry.name, std::move(entry.labels));
    }
  }
}

}  // namespace zastava::webhook
