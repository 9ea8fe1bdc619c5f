#include <lockstep/core/error.hpp>
#include <lockstep/hw/linux_watchdog.hpp>

#include <fcntl.h>
#include <linux/watchdog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace lockstep::hw {

namespace {

class SystemWatchdogOps final : public WatchdogDeviceOps {
 public:
  int open(const char* path) noexcept override {
    const int fd = ::open(path, O_WRONLY | O_CLOEXEC);  // NOLINT(cppcoreguidelines-pro-type-vararg)
    return fd >= 0 ? fd : -errno;
  }
  int ioctl(int fd, unsigned long request, void* arg) noexcept override {
    const int rc = ::ioctl(fd, request, arg);  // NOLINT(cppcoreguidelines-pro-type-vararg)
    return rc >= 0 ? rc : -errno;
  }
  long write(int fd, const void* data, std::size_t size) noexcept override {
    const ssize_t n = ::write(fd, data, size);
    return n >= 0 ? static_cast<long>(n) : -static_cast<long>(errno);
  }
  int close(int fd) noexcept override { return ::close(fd) == 0 ? 0 : -errno; }
};

std::string reason(int err) {
  switch (err) {
    case ENOENT:
      return "no such device (is the watchdog driver loaded? try 'modprobe softdog')";
    case EACCES:
    case EPERM:
      return "permission denied (needs root, or write access to the device node)";
    case EBUSY:
      return "device busy (another process, e.g. systemd or a watchdog daemon, holds it)";
    case ENOTTY:
    case ENOSYS:  // qemu-user answers unknown ioctls with ENOSYS instead of ENOTTY
      return "not a watchdog device (the watchdog ioctls are not supported)";
    case EINVAL:
      return "invalid argument (the driver rejected the value)";
    default:
      return std::strerror(err);
  }
}

}  // namespace

WatchdogDeviceOps& system_watchdog_ops() noexcept {
  static SystemWatchdogOps ops;
  return ops;
}

LinuxWatchdog::LinuxWatchdog(LinuxWatchdogConfig config, WatchdogDeviceOps& ops)
    : m_config(std::move(config)), m_ops(ops) {
  if (m_config.timeout.count() < 0 || m_config.pretimeout.count() < 0) {
    raise("LinuxWatchdog: timeout and pretimeout must not be negative");
  }
  if (m_config.pretimeout.count() > 0 && m_config.timeout.count() > 0 &&
      m_config.pretimeout >= m_config.timeout) {
    raise("LinuxWatchdog: the pretimeout must be shorter than the timeout");
  }
  const int fd = m_ops.open(m_config.path.c_str());
  if (fd < 0) fail("cannot open", -fd);
  m_fd = fd;

  watchdog_info info{};
  int rc = m_ops.ioctl(m_fd, WDIOC_GETSUPPORT, &info);
  if (rc < 0) fail("WDIOC_GETSUPPORT failed", -rc);
  const auto* id_begin = static_cast<const unsigned char*>(info.identity);
  std::size_t id_len = 0;
  while (id_len < sizeof(info.identity) && id_begin[id_len] != 0U) ++id_len;
  m_identity.assign(reinterpret_cast<const char*>(id_begin), id_len);
  m_identified = true;
  m_magic_close = (info.options & WDIOF_MAGICCLOSE) != 0U;
  m_pretimeout_supported = (info.options & WDIOF_PRETIMEOUT) != 0U;

  if (m_config.timeout.count() > 0) {
    if ((info.options & WDIOF_SETTIMEOUT) == 0U) fail("the driver cannot change its timeout", EOPNOTSUPP);
    int t = static_cast<int>(m_config.timeout.count());
    rc = m_ops.ioctl(m_fd, WDIOC_SETTIMEOUT, &t);
    if (rc < 0) fail("WDIOC_SETTIMEOUT(" + std::to_string(m_config.timeout.count()) + " s) failed", -rc);
  }
  int actual = 0;
  rc = m_ops.ioctl(m_fd, WDIOC_GETTIMEOUT, &actual);
  if (rc < 0) fail("WDIOC_GETTIMEOUT failed", -rc);
  if (actual <= 0) fail("the driver reports a non-positive timeout", EINVAL);
  m_timeout = std::chrono::seconds{actual};

  if (m_config.pretimeout.count() > 0 && m_pretimeout_supported) {
    if (m_config.pretimeout >= m_timeout) fail("the pretimeout is not shorter than the real timeout", EINVAL);
    int p = static_cast<int>(m_config.pretimeout.count());
    rc = m_ops.ioctl(m_fd, WDIOC_SETPRETIMEOUT, &p);
    if (rc < 0) fail("WDIOC_SETPRETIMEOUT failed", -rc);
    int real_p = 0;
    rc = m_ops.ioctl(m_fd, WDIOC_GETPRETIMEOUT, &real_p);
    m_pretimeout = std::chrono::seconds{rc < 0 ? p : real_p};
  }
  // Feed once: opening armed the timer with possibly a different timeout than now in force.
  int dummy = 0;
  rc = m_ops.ioctl(m_fd, WDIOC_KEEPALIVE, &dummy);
  if (rc < 0) fail("WDIOC_KEEPALIVE failed", -rc);
}

LinuxWatchdog::~LinuxWatchdog() {
  if (m_fd >= 0) static_cast<void>(m_ops.close(m_fd));
}

void LinuxWatchdog::fail(const std::string& what, int err) {
  if (m_fd >= 0) {
    // A set-up error is an orderly stop: try the magic close so the board does not reset
    // because of a configuration mistake (drivers built with nowayout ignore it). Only once
    // the device answered WDIOC_GETSUPPORT: never write into something that is not a watchdog.
    if (m_identified) static_cast<void>(m_ops.write(m_fd, "V", 1));
    static_cast<void>(m_ops.close(m_fd));
    m_fd = -1;
  }
  raise("LinuxWatchdog: " + what + " on '" + m_config.path + "': " + reason(err));
}

FeedStatus LinuxWatchdog::feed(std::chrono::nanoseconds /*now*/) noexcept {
  if (m_fd < 0) return FeedStatus::failed;
  int dummy = 0;
  return m_ops.ioctl(m_fd, WDIOC_KEEPALIVE, &dummy) < 0 ? FeedStatus::failed : FeedStatus::ok;
}

FeedStatus LinuxWatchdog::disarm() noexcept {
  if (m_fd < 0) return FeedStatus::failed;
  const long n = m_ops.write(m_fd, "V", 1);
  const int rc = m_ops.close(m_fd);
  m_fd = -1;
  return (n == 1 && rc == 0) ? FeedStatus::ok : FeedStatus::failed;
}

std::chrono::nanoseconds LinuxWatchdog::max_cycle_period() const noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(m_timeout) / 2;
}

}  // namespace lockstep::hw
