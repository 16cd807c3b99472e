#include "image/layered_read.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "image/overlay.hpp"

namespace zastava::image::detail {
namespace {

unsigned worker_count(unsigned requested, std::size_t layers) {
  const unsigned wanted =
      requested != 0 ? requested : std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<std::size_t>(wanted, std::max<std::size_t>(layers, 1)));
}

// The state the workers share; every member but the atomics under `mutex`.
class LayerRun {
 public:
  LayerRun(const std::vector<LayerJob>& jobs, const ReadOptions& options)
      : jobs_(jobs),
        options_(options),
        capture_{options.capture, options.max_capture_bytes},
        scanned_(jobs.size()),
        failures_(jobs.size()) {
    progress_.layers_total = jobs.size();
    for (const auto& job : jobs) progress_.bytes_total += job.stored_size;
  }

  void work() {
    for (;;) {
      const std::size_t index = next_job_++;
      if (index >= jobs_.size() || stop_) return;
      try {
        auto source = jobs_[index].open([this](std::size_t bytes) { count_bytes(bytes); });
        auto entries = scan_layer(*source, jobs_[index].spec, capture_);
        std::lock_guard lock(mutex_);
        scanned_[index] = std::move(entries);
        ++progress_.layers_done;
        report();
        apply_ready();
      } catch (...) {
        std::lock_guard lock(mutex_);
        failures_[index] = std::current_exception();
        stop_ = true;
      }
    }
  }

  void finish(ImageContents& contents) && {
    for (const auto& failure : failures_) {
      if (failure) std::rethrow_exception(failure);
    }
    std::move(overlay_).finish(contents);
  }

 private:
  void count_bytes(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    progress_.bytes_done += bytes;
    report();
  }

  void report() const {
    if (options_.progress) options_.progress(progress_);
  }

  // Layers go onto the overlay strictly in order. A failure while applying
  // is charged to that layer.
  void apply_ready() {
    while (next_to_apply_ < jobs_.size() && scanned_[next_to_apply_]) {
      const std::size_t index = next_to_apply_++;
      auto entries = std::move(*scanned_[index]);
      scanned_[index].reset();
      try {
        overlay_.apply(std::move(entries), jobs_[index].spec.name);
      } catch (...) {
        failures_[index] = std::current_exception();
        stop_ = true;
        return;
      }
    }
  }

  const std::vector<LayerJob>& jobs_;
  const ReadOptions& options_;
  const CaptureFilter capture_;
  std::atomic<std::size_t> next_job_{0};
  std::atomic<bool> stop_{false};

  std::mutex mutex_;
  Progress progress_;
  std::vector<std::optional<std::vector<LayerEntry>>> scanned_;
  std::vector<std::exception_ptr> failures_;
  std::size_t next_to_apply_ = 0;
  Overlay overlay_;
};

}  // namespace

void read_layers(const std::vector<LayerJob>& jobs, const ReadOptions& options,
                 ImageContents& contents) {
  LayerRun run(jobs, options);
  {
    std::vector<std::jthread> helpers;
    const unsigned workers = worker_count(options.threads, jobs.size());
    for (unsigned i = 1; i < workers; ++i) helpers.emplace_back([&run] { run.work(); });
    run.work();
  }
  std::move(run).finish(contents);
}

}  // namespace zastava::image::detail
