#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace zastava::cli {
namespace {

constexpr int kBarWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::string mebibytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

std::string render(const std::string& label, const image::Progress& progress) {
  std::string line = label + " ";
  if (progress.bytes_total > 0) {
    const double fraction = std::min(
        1.0, static_cast<double>(progress.bytes_done) / static_cast<double>(progress.bytes_total));
    const int filled = static_cast<int>(fraction * kBarWidth);
    line += "[" + std::string(static_cast<std::size_t>(filled), '#') +
            std::string(static_cast<std::size_t>(kBarWidth - filled), ' ') + "] ";
    line += std::to_string(static_cast<int>(fraction * 100)) + "% ";
    line += mebibytes(progress.bytes_done) + " / " + mebibytes(progress.bytes_total);
  } else {
    line += mebibytes(progress.bytes_done);
  }
  if (progress.layers_total > 0) {
    line += ", layer " + std::to_string(std::min(progress.layers_done + 1, progress.layers_total)) +
            "/" + std::to_string(progress.layers_total);
  }
  return line;
}

}  // namespace

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), enabled_(::isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::update(const image::Progress& progress) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  drawn_ = true;
  // "\r\033[K": back to the start of the line and clear it.
  std::cerr << "\r\033[K" << render(label_, progress) << std::flush;
}

void ProgressBar::finish() {
  if (!enabled_ || !drawn_) return;
  std::cerr << "\r\033[K" << std::flush;
  drawn_ = false;
}

}  // namespace zastava::cli
