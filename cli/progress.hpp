#pragma once
// A one-line progress bar on stderr while an image is read. Drawn only when
// stderr is a terminal, so logs and pipes stay clean; redrawn at most ten
// times a second; erased when done.

#include <chrono>
#include <cstdint>
#include <string>

#include "image/reader.hpp"

namespace zastava::cli {

class ProgressBar {
 public:
  // `label` prefixes the bar, e.g. "reading oci:img:v1".
  explicit ProgressBar(std::string label);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar();

  [[nodiscard]] bool enabled() const noexcept { return enabled_; }
  void update(const image::Progress& progress);
  void finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace zastava::cli
