#pragma once
// Deterministic parallel reduction over trials (private header). Trials are cut into fixed
// blocks whose partial results are combined in block order, so a sum of doubles is the same
// whatever the thread count. Threads are plain std::thread (joined on every path), which keeps
// the Monte Carlo code visible to ThreadSanitizer.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace lockstep::sim::detail {

inline constexpr std::uint64_t kBlockTrials = 1024;

[[nodiscard]] inline std::uint32_t resolve_threads(std::uint32_t threads) noexcept {
  if (threads != 0U) return threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0U ? 1U : hw;
}

/// Runs `block(first, last, partial&)` for every block of trials and returns the partials in
/// block order. `Partial` must be default-constructible.
template <typename Partial, typename Fn>
[[nodiscard]] std::vector<Partial> run_blocks(std::uint64_t trials, std::uint32_t threads, Fn block) {
  const std::uint64_t blocks = (trials + kBlockTrials - 1U) / kBlockTrials;
  std::vector<Partial> partials(static_cast<std::size_t>(blocks));
  std::atomic<std::uint64_t> next{0};
  auto worker = [&]() {
    for (;;) {
      const std::uint64_t b = next.fetch_add(1U, std::memory_order_relaxed);
      if (b >= blocks) return;
      const std::uint64_t first = b * kBlockTrials;
      const std::uint64_t last = std::min(trials, first + kBlockTrials);
      block(first, last, partials[static_cast<std::size_t>(b)]);
    }
  };
  const auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(resolve_threads(threads), blocks));
  if (n <= 1U) {
    worker();
    return partials;
  }
  std::vector<std::jthread> pool;
  pool.reserve(n - 1U);
  for (std::uint32_t i = 1; i < n; ++i) pool.emplace_back(worker);
  worker();
  pool.clear();  // joins
  return partials;
}

}  // namespace lockstep::sim::detail
