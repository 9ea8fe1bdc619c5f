#pragma once
// Monotonic time behind an interface, so deadlines and supervision run on real time in
// production and on simulated time in tests and the simulator (no test sleeps to wait).

#include <atomic>
#include <chrono>
#include <cstdint>

namespace lockstep::hw {

/// Monotonic time since an arbitrary epoch.
/// Thread safety: `now()` may be called from any thread concurrently.
/// On failure: never fails.
class Clock {
 public:
  Clock() = default;
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;
  virtual ~Clock() = default;
  [[nodiscard]] virtual std::chrono::nanoseconds now() const noexcept = 0;
};

/// CLOCK_MONOTONIC through std::chrono::steady_clock.
/// Usage: `hw::SteadyClock clock; auto t = clock.now();`
/// Thread safety: stateless, any thread. On failure: never fails.
class SteadyClock final : public Clock {
 public:
  [[nodiscard]] std::chrono::nanoseconds now() const noexcept override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now().time_since_epoch());
  }
};

/// Simulated time that only moves when told to. Starts at 0.
/// Usage: `hw::SimClock clock; clock.advance(std::chrono::microseconds{50});`
/// Thread safety: all members are atomic; any thread may read or advance it.
/// On failure: never fails; time never goes backwards through `advance` (negative steps are ignored).
class SimClock final : public Clock {
 public:
  [[nodiscard]] std::chrono::nanoseconds now() const noexcept override {
    return std::chrono::nanoseconds{m_now_ns.load(std::memory_order_acquire)};
  }
  void advance(std::chrono::nanoseconds step) noexcept {
    if (step.count() > 0) m_now_ns.fetch_add(step.count(), std::memory_order_acq_rel);
  }
  /// Jumps to an absolute time; ignored if it lies in the past.
  void set(std::chrono::nanoseconds t) noexcept {
    std::int64_t cur = m_now_ns.load(std::memory_order_acquire);
    while (t.count() > cur && !m_now_ns.compare_exchange_weak(cur, t.count(), std::memory_order_acq_rel)) {}
  }

 private:
  std::atomic<std::int64_t> m_now_ns{0};
};

}  // namespace lockstep::hw
