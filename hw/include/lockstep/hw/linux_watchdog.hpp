#pragma once
// The Linux watchdog device (/dev/watchdog, /dev/watchdogN) as a Watchdog sink.
//
//   open(O_WRONLY)                 arms the timer (the driver starts counting)
//   WDIOC_GETSUPPORT               identity + options (ENOTTY here: not a watchdog)
//   WDIOC_SETTIMEOUT/GETTIMEOUT    the driver may round the timeout: we report what it chose
//   WDIOC_SETPRETIMEOUT            only when the driver advertises WDIOF_PRETIMEOUT
//   WDIOC_KEEPALIVE                every feed()
//   write("V") + close             only on disarm() (orderly stop): the "magic close"
//   close without "V"              destructor / expiry: the timer keeps running -> reset
//
// System calls go through WatchdogDeviceOps so the happy path can be tested against a
// stand-in that records them (no test needs a real watchdog device).

#include <lockstep/hw/watchdog.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace lockstep::hw {

/// The system calls LinuxWatchdog uses. Each returns >= 0 on success or -errno on failure.
/// Thread safety: implementation-defined (the system one is stateless).
/// On failure: returns -errno; never throws.
class WatchdogDeviceOps {
 public:
  WatchdogDeviceOps() = default;
  WatchdogDeviceOps(const WatchdogDeviceOps&) = delete;
  WatchdogDeviceOps& operator=(const WatchdogDeviceOps&) = delete;
  virtual ~WatchdogDeviceOps() = default;
  [[nodiscard]] virtual int open(const char* path) noexcept = 0;  ///< O_WRONLY | O_CLOEXEC
  /// ioctl(fd, request, arg) for the WDIOC_* requests; `arg` points to an int or a
  /// struct watchdog_info as the request needs.
  [[nodiscard]] virtual int ioctl(int fd, unsigned long request, void* arg) noexcept = 0;
  [[nodiscard]] virtual long write(int fd, const void* data, std::size_t size) noexcept = 0;
  virtual int close(int fd) noexcept = 0;
};

/// The real system calls.
[[nodiscard]] WatchdogDeviceOps& system_watchdog_ops() noexcept;

struct LinuxWatchdogConfig {
  std::string path{"/dev/watchdog"};
  /// Requested timeout; 0 keeps the driver's current one. Whole seconds (the API's unit).
  std::chrono::seconds timeout{0};
  /// Requested pretimeout (seconds before the reset at which the driver raises its pretimeout
  /// action, e.g. a panic with a log); 0 = leave as is. Ignored when not supported.
  std::chrono::seconds pretimeout{0};
};

/// /dev/watchdog sink.
/// Usage:
///   hw::LinuxWatchdog wd{{.path = "/dev/watchdog0", .timeout = std::chrono::seconds{2}}};
///   std::printf("%s, timeout %lld s\n", wd.identity().c_str(), (long long)wd.timeout().count());
///   manager.add_watchdog(wd);
/// Thread safety: as Watchdog (one caller at a time). On failure: the constructor raises
///   lockstep::Error with the path and the reason (no such device, permission denied, busy, not
///   a watchdog, timeout rejected); feed/disarm return FeedStatus::failed.
class LinuxWatchdog final : public Watchdog {
 public:
  explicit LinuxWatchdog(LinuxWatchdogConfig config, WatchdogDeviceOps& ops = system_watchdog_ops());
  LinuxWatchdog(const LinuxWatchdog&) = delete;
  LinuxWatchdog& operator=(const LinuxWatchdog&) = delete;
  /// Closes WITHOUT the magic character: an armed timer keeps running and resets the board.
  ~LinuxWatchdog() override;

  [[nodiscard]] const char* name() const noexcept override { return "linux-watchdog"; }
  [[nodiscard]] FeedStatus feed(std::chrono::nanoseconds now) noexcept override;
  [[nodiscard]] FeedStatus disarm() noexcept override;
  /// Half the real timeout: two chances to feed before the reset.
  [[nodiscard]] std::chrono::nanoseconds max_cycle_period() const noexcept override;

  /// The timeout the driver actually uses (after rounding), from WDIOC_GETTIMEOUT.
  [[nodiscard]] std::chrono::seconds timeout() const noexcept { return m_timeout; }
  /// The pretimeout in effect, 0 when unsupported or not set.
  [[nodiscard]] std::chrono::seconds pretimeout() const noexcept { return m_pretimeout; }
  [[nodiscard]] bool pretimeout_supported() const noexcept { return m_pretimeout_supported; }
  /// Whether the driver honours the magic close (WDIOF_MAGICCLOSE).
  [[nodiscard]] bool magic_close_supported() const noexcept { return m_magic_close; }
  /// The driver's identity string (struct watchdog_info::identity).
  [[nodiscard]] const std::string& identity() const noexcept { return m_identity; }
  [[nodiscard]] bool is_open() const noexcept { return m_fd >= 0; }

 private:
  [[noreturn]] void fail(const std::string& what, int err);

  LinuxWatchdogConfig m_config;
  WatchdogDeviceOps& m_ops;
  int m_fd{-1};
  std::chrono::seconds m_timeout{0};
  std::chrono::seconds m_pretimeout{0};
  bool m_pretimeout_supported{false};
  bool m_identified{false};
  bool m_magic_close{false};
  std::string m_identity;
};

}  // namespace lockstep::hw
