#include <lockstep/core/error.hpp>
#include <lockstep/hw/watchdog.hpp>

#include <utility>

namespace lockstep::hw {

const char* to_string(FeedStatus s) noexcept {
  switch (s) {
    case FeedStatus::ok:
      return "ok";
    case FeedStatus::skipped:
      return "skipped";
    case FeedStatus::failed:
      return "failed";
  }
  return "unknown";
}

FeedStatus Watchdog::start(std::chrono::nanoseconds /*now*/) noexcept { return FeedStatus::ok; }
void Watchdog::expire() noexcept {}
std::chrono::nanoseconds Watchdog::max_cycle_period() const noexcept { return std::chrono::nanoseconds{0}; }

CallbackWatchdog::CallbackWatchdog(std::function<void()> feed, std::function<void()> disarm,
                                   std::chrono::nanoseconds max_cycle_period, std::function<void()> on_expire)
    : m_feed(std::move(feed)),
      m_disarm(std::move(disarm)),
      m_on_expire(std::move(on_expire)),
      m_max_period(max_cycle_period) {
  if (!m_feed) raise("CallbackWatchdog: the feed callback is empty");
  if (m_max_period.count() < 0) raise("CallbackWatchdog: max_cycle_period must not be negative");
}

FeedStatus CallbackWatchdog::feed(std::chrono::nanoseconds /*now*/) noexcept {
  m_feed();
  return FeedStatus::ok;
}

void CallbackWatchdog::expire() noexcept {
  if (m_on_expire) m_on_expire();
}

FeedStatus CallbackWatchdog::disarm() noexcept {
  if (!m_disarm) return FeedStatus::skipped;
  m_disarm();
  return FeedStatus::ok;
}

}  // namespace lockstep::hw
