#pragma once
// Hardware watchdog sinks: what the supervision (supervision.hpp) feeds while every supervised
// entity is healthy, and stops feeding when one expires so the board resets. Backends:
//   LinuxWatchdog       /dev/watchdog (linux_watchdog.hpp)
//   SystemdNotify       systemd's sd_notify protocol, READY=1 / WATCHDOG=1 (systemd_notify.hpp)
//   CallbackWatchdog    a board-specific timer: a register write, a GPIO toggle (this file)
//   SimWatchdog         a simulated timer for tests and the simulator (this file)
// Several sinks may be combined: the WatchdogManager feeds all of them each cycle.

#include <lockstep/hw/clock.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

namespace lockstep::hw {

/// Result of one sink operation.
enum class FeedStatus : std::uint8_t {
  ok,       ///< done
  skipped,  ///< nothing to do now (rate-limited, or the sink is inactive, e.g. not under systemd)
  failed,   ///< the OS or device refused; the hardware may reset the board
};

[[nodiscard]] const char* to_string(FeedStatus s) noexcept;

/// A hardware (or service-manager) watchdog.
/// Thread safety: the WatchdogManager calls a sink from one thread at a time (its supervision
///   cycle); implementations need not be reentrant. On failure: operations return
///   FeedStatus::failed; construction of a real backend raises lockstep::Error.
class Watchdog {
 public:
  Watchdog() = default;
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  virtual ~Watchdog() = default;

  [[nodiscard]] virtual const char* name() const noexcept = 0;
  /// The application is up: arm / announce readiness (systemd: READY=1). Default: nothing.
  [[nodiscard]] virtual FeedStatus start(std::chrono::nanoseconds now) noexcept;
  /// Keep the board alive. Sinks with their own rate (systemd) may return skipped.
  [[nodiscard]] virtual FeedStatus feed(std::chrono::nanoseconds now) noexcept = 0;
  /// Supervision expired; called once, after the safe-state hook and before feeding stops.
  /// A sink that can escalate at once does so (systemd: WATCHDOG=trigger). Default: nothing.
  virtual void expire() noexcept;
  /// Orderly shutdown: stop the watchdog so that it does not reset the board (magic close).
  [[nodiscard]] virtual FeedStatus disarm() noexcept = 0;
  /// The longest allowed gap between supervision cycles for this sink; 0 = no constraint.
  [[nodiscard]] virtual std::chrono::nanoseconds max_cycle_period() const noexcept;
};

/// Feeds a board-specific timer through user callbacks.
/// Usage:
///   hw::CallbackWatchdog wd{[] { gpio_toggle(kWdiPin); }, [] { wdt_disable(); },
///                           std::chrono::milliseconds{800}};   // the timer's period / 2
/// Thread safety: as Watchdog. On failure: the callbacks must not throw (they run in noexcept
///   functions); an empty feed callback raises lockstep::Error at construction.
class CallbackWatchdog final : public Watchdog {
 public:
  CallbackWatchdog(std::function<void()> feed, std::function<void()> disarm,
                   std::chrono::nanoseconds max_cycle_period = std::chrono::nanoseconds{0},
                   std::function<void()> on_expire = {});
  [[nodiscard]] const char* name() const noexcept override { return "callback"; }
  [[nodiscard]] FeedStatus feed(std::chrono::nanoseconds now) noexcept override;
  void expire() noexcept override;
  [[nodiscard]] FeedStatus disarm() noexcept override;
  [[nodiscard]] std::chrono::nanoseconds max_cycle_period() const noexcept override { return m_max_period; }

 private:
  std::function<void()> m_feed;
  std::function<void()> m_disarm;
  std::function<void()> m_on_expire;
  std::chrono::nanoseconds m_max_period;
};

/// A simulated hardware watchdog timer: it "resets the board" when not fed for `timeout`.
/// Usage:
///   hw::SimClock clock;  hw::SimWatchdog wd{clock, std::chrono::milliseconds{100}};
///   ... manager.main_function(); clock.advance(...); ...
///   if (wd.has_fired()) { /* the board would have reset */ }
/// Thread safety: counters are atomic; read them from any thread. On failure: never fails;
///   `fail_feeds(true)` makes feed() return failed (to test feed-failure handling).
class SimWatchdog final : public Watchdog {
 public:
  SimWatchdog(const Clock& clock, std::chrono::nanoseconds timeout);
  [[nodiscard]] const char* name() const noexcept override { return "sim"; }
  [[nodiscard]] FeedStatus start(std::chrono::nanoseconds now) noexcept override;
  [[nodiscard]] FeedStatus feed(std::chrono::nanoseconds now) noexcept override;
  void expire() noexcept override;
  [[nodiscard]] FeedStatus disarm() noexcept override;
  [[nodiscard]] std::chrono::nanoseconds max_cycle_period() const noexcept override { return m_timeout / 2; }

  /// True once the timer ran out while armed (evaluated at the clock's current time).
  [[nodiscard]] bool has_fired() const noexcept;
  [[nodiscard]] bool armed() const noexcept { return m_armed.load(std::memory_order_acquire); }
  [[nodiscard]] std::uint64_t feeds() const noexcept { return m_feeds.load(std::memory_order_relaxed); }
  [[nodiscard]] bool expire_called() const noexcept { return m_expired.load(std::memory_order_acquire); }
  [[nodiscard]] std::chrono::nanoseconds last_feed() const noexcept {
    return std::chrono::nanoseconds{m_last_feed_ns.load(std::memory_order_acquire)};
  }
  void fail_feeds(bool fail) noexcept { m_fail.store(fail, std::memory_order_release); }

 private:
  const Clock& m_clock;
  std::chrono::nanoseconds m_timeout;
  std::atomic<bool> m_armed{false};
  std::atomic<bool> m_expired{false};
  std::atomic<bool> m_fail{false};
  std::atomic<std::uint64_t> m_feeds{0};
  std::atomic<std::int64_t> m_last_feed_ns{0};
};

}  // namespace lockstep::hw
