#include <lockstep/core/error.hpp>
#include <lockstep/hw/watchdog.hpp>

namespace lockstep::hw {

SimWatchdog::SimWatchdog(const Clock& clock, std::chrono::nanoseconds timeout)
    : m_clock(clock), m_timeout(timeout) {
  if (timeout.count() <= 0) raise("SimWatchdog: the timeout must be positive");
}

FeedStatus SimWatchdog::start(std::chrono::nanoseconds now) noexcept {
  m_last_feed_ns.store(now.count(), std::memory_order_release);
  m_armed.store(true, std::memory_order_release);
  return FeedStatus::ok;
}

FeedStatus SimWatchdog::feed(std::chrono::nanoseconds now) noexcept {
  if (m_fail.load(std::memory_order_acquire)) return FeedStatus::failed;
  // A feed after the timer ran out is too late: the board has already reset.
  if (has_fired()) return FeedStatus::failed;
  m_last_feed_ns.store(now.count(), std::memory_order_release);
  m_feeds.fetch_add(1, std::memory_order_relaxed);
  return FeedStatus::ok;
}

void SimWatchdog::expire() noexcept { m_expired.store(true, std::memory_order_release); }

FeedStatus SimWatchdog::disarm() noexcept {
  if (has_fired()) return FeedStatus::failed;
  m_armed.store(false, std::memory_order_release);
  return FeedStatus::ok;
}

bool SimWatchdog::has_fired() const noexcept {
  if (!m_armed.load(std::memory_order_acquire)) return false;
  const std::int64_t last = m_last_feed_ns.load(std::memory_order_acquire);
  return m_clock.now().count() - last > m_timeout.count();
}

}  // namespace lockstep::hw
