#pragma once
// Keeps a NamespaceLabelTable equal to the cluster's namespaces and their
// labels (policy scopes may select namespaces by label), with a kube::Watcher
// (list, then watch; relists after 410 Gone; backs off on errors) on a thread
// of its own. Stopped and joined by the destructor. Until the first list
// arrives, namespaces are unknown (no labels).

#include <memory>
#include <set>
#include <string>
#include <thread>

#include "decision/namespace_labels.hpp"

namespace spdlog {
class logger;
}
namespace zastava::kube {
class Client;
struct WatcherEvent;
}  // namespace zastava::kube

namespace zastava::webhook {

class NamespaceWatch {
 public:
  // `client` and `table` must outlive the watch.
  NamespaceWatch(kube::Client& client, decision::NamespaceLabelTable& table,
                 std::shared_ptr<spdlog::logger> logger);
  ~NamespaceWatch();
  NamespaceWatch(const NamespaceWatch&) = delete;
  NamespaceWatch& operator=(const NamespaceWatch&) = delete;

 private:
  void apply(const kube::WatcherEvent& event);

  kube::Client& client_;
  decision::NamespaceLabelTable& table_;
  std::shared_ptr<spdlog::logger> logger_;
  std::set<std::string> known_;  // the watch thread's own
  std::jthread thread_;          // last: started after everything it uses
};

}  // namespace zastava::webhook
