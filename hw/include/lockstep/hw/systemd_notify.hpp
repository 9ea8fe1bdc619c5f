#pragma once
// systemd's service watchdog through the sd_notify protocol, without libsystemd:
//   start()   -> "READY=1"
//   feed()    -> "WATCHDOG=1", every WATCHDOG_USEC / 2
//   expire()  -> "WATCHDOG=trigger" (systemd acts now instead of waiting for the timeout)
//   disarm()  -> "STOPPING=1"
// Datagrams go to $NOTIFY_SOCKET (a path, or an abstract name starting with '@').
// $WATCHDOG_PID, when set, names the process the watchdog is meant for: in any other process
// the pings are skipped (READY=1 is still sent).

#include <lockstep/hw/watchdog.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lockstep::hw {

/// What the sink uses; from_environment() reads it the way sd_notify/sd_watchdog_enabled do.
struct SystemdNotifyConfig {
  std::string socket;                          ///< $NOTIFY_SOCKET; empty = not run by systemd
  std::chrono::microseconds watchdog_usec{0};  ///< $WATCHDOG_USEC; 0 = no service watchdog
  std::optional<std::int64_t> watchdog_pid;    ///< $WATCHDOG_PID if set
  /// Reads NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID. Raises on malformed numbers.
  [[nodiscard]] static SystemdNotifyConfig from_environment();
};

/// Sink for systemd's WatchdogSec= service watchdog.
/// Usage:
///   hw::SystemdNotify sd{hw::SystemdNotifyConfig::from_environment()};
///   if (sd.active()) manager.add_watchdog(sd);
/// Thread safety: as Watchdog; notify() may be called from any thread (one sendto each).
/// On failure: a socket path that does not fit sockaddr_un or a failing socket() raises
///   lockstep::Error; a failed sendto returns FeedStatus::failed (and is counted).
class SystemdNotify final : public Watchdog {
 public:
  explicit SystemdNotify(SystemdNotifyConfig config);
  SystemdNotify(const SystemdNotify&) = delete;
  SystemdNotify& operator=(const SystemdNotify&) = delete;
  ~SystemdNotify() override;

  [[nodiscard]] const char* name() const noexcept override { return "systemd-notify"; }
  [[nodiscard]] FeedStatus start(std::chrono::nanoseconds now) noexcept override;
  [[nodiscard]] FeedStatus feed(std::chrono::nanoseconds now) noexcept override;
  void expire() noexcept override;
  [[nodiscard]] FeedStatus disarm() noexcept override;
  /// A quarter of WATCHDOG_USEC: with pings every WATCHDOG_USEC/2, the worst gap stays
  /// below 3/4 of the timeout. 0 when there is no service watchdog.
  [[nodiscard]] std::chrono::nanoseconds max_cycle_period() const noexcept override;

  /// Sends one raw notification (e.g. "STATUS=degraded: no SCHED_FIFO"). Allocation-free.
  [[nodiscard]] FeedStatus notify(std::string_view message) noexcept;

  /// True when $NOTIFY_SOCKET is set.
  [[nodiscard]] bool active() const noexcept { return m_fd >= 0; }
  /// True when the service watchdog applies to this process (WATCHDOG_USEC set, PID matches).
  [[nodiscard]] bool watchdog_enabled() const noexcept { return m_watchdog_enabled; }
  [[nodiscard]] std::chrono::nanoseconds ping_interval() const noexcept { return m_interval; }
  [[nodiscard]] std::uint64_t send_failures() const noexcept { return m_send_failures; }

 private:
  SystemdNotifyConfig m_config;
  int m_fd{-1};
  std::array<unsigned char, 128>
      m_addr{};  // a struct sockaddr_un, opaque: keeps <sys/un.h> out of the header
  std::uint32_t m_addr_len{0};
  bool m_watchdog_enabled{false};
  std::chrono::nanoseconds m_interval{0};
  std::optional<std::chrono::nanoseconds> m_last_ping;
  std::uint64_t m_send_failures{0};
};

}  // namespace lockstep::hw
