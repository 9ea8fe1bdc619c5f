#include <lockstep/core/error.hpp>
#include <lockstep/hw/systemd_notify.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace lockstep::hw {

namespace {
template <class Int>
Int parse_env_number(const char* name, const char* text) {
  Int v{};
  const char* end = text + std::strlen(text);
  const auto [ptr, ec] = std::from_chars(text, end, v);
  if (ec != std::errc{} || ptr != end || text == end) {
    raise(std::string("SystemdNotify: $") + name + "='" + text + "' is not a valid number");
  }
  return v;
}
}  // namespace

SystemdNotifyConfig SystemdNotifyConfig::from_environment() {
  SystemdNotifyConfig c;
  if (const char* s = std::getenv("NOTIFY_SOCKET"); s != nullptr)
    c.socket = s;                                                    // NOLINT(concurrency-mt-unsafe)
  if (const char* u = std::getenv("WATCHDOG_USEC"); u != nullptr) {  // NOLINT(concurrency-mt-unsafe)
    c.watchdog_usec = std::chrono::microseconds{parse_env_number<std::int64_t>("WATCHDOG_USEC", u)};
  }
  if (const char* p = std::getenv("WATCHDOG_PID"); p != nullptr) {  // NOLINT(concurrency-mt-unsafe)
    c.watchdog_pid = parse_env_number<std::int64_t>("WATCHDOG_PID", p);
  }
  return c;
}

SystemdNotify::SystemdNotify(SystemdNotifyConfig config) : m_config(std::move(config)) {
  if (m_config.watchdog_usec.count() < 0) raise("SystemdNotify: WATCHDOG_USEC must not be negative");
  m_watchdog_enabled =
      m_config.watchdog_usec.count() > 0 &&
      (!m_config.watchdog_pid || *m_config.watchdog_pid == static_cast<std::int64_t>(::getpid()));
  m_interval =
      m_watchdog_enabled ? std::chrono::nanoseconds{m_config.watchdog_usec} / 2 : std::chrono::nanoseconds{0};
  if (m_config.socket.empty()) return;  // not run by systemd: inactive, every send is skipped

  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string& s = m_config.socket;
  if (s[0] != '/' && s[0] != '@') {
    raise("SystemdNotify: NOTIFY_SOCKET='" + s + "' is neither an absolute path nor an abstract '@' name");
  }
  if (s.size() > sizeof(addr.sun_path) - (s[0] == '@' ? 0U : 1U)) {
    raise("SystemdNotify: NOTIFY_SOCKET='" + s + "' is too long for a unix socket address");
  }
  std::memcpy(addr.sun_path, s.data(), s.size());
  if (s[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace: no terminator, length counts
  m_addr_len =
      static_cast<std::uint32_t>(offsetof(sockaddr_un, sun_path) + s.size() + (s[0] == '@' ? 0U : 1U));
  std::memcpy(m_addr.data(), &addr, sizeof(addr));
  static_assert(sizeof(sockaddr_un) <= 128, "m_addr too small");

  m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (m_fd < 0)
    raise(std::string("SystemdNotify: socket(AF_UNIX, SOCK_DGRAM) failed: ") + std::strerror(errno));
}

SystemdNotify::~SystemdNotify() {
  if (m_fd >= 0) static_cast<void>(::close(m_fd));
}

FeedStatus SystemdNotify::notify(std::string_view message) noexcept {
  if (m_fd < 0) return FeedStatus::skipped;
  sockaddr_un addr{};
  std::memcpy(&addr, m_addr.data(), sizeof(addr));
  const ssize_t n = ::sendto(m_fd, message.data(), message.size(), MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr*>(&addr), static_cast<socklen_t>(m_addr_len));
  if (n < 0 || static_cast<std::size_t>(n) != message.size()) {
    ++m_send_failures;
    return FeedStatus::failed;
  }
  return FeedStatus::ok;
}

FeedStatus SystemdNotify::start(std::chrono::nanoseconds now) noexcept {
  const FeedStatus s = notify("READY=1");
  if (s == FeedStatus::ok && m_watchdog_enabled) {
    // The first ping goes with readiness, so the first interval starts now.
    const FeedStatus p = notify("WATCHDOG=1");
    if (p == FeedStatus::ok) m_last_ping = now;
    return p;
  }
  return s;
}

FeedStatus SystemdNotify::feed(std::chrono::nanoseconds now) noexcept {
  if (m_fd < 0 || !m_watchdog_enabled) return FeedStatus::skipped;
  if (m_last_ping && now - *m_last_ping < m_interval) return FeedStatus::skipped;
  const FeedStatus s = notify("WATCHDOG=1");
  if (s == FeedStatus::ok) m_last_ping = now;
  return s;
}

void SystemdNotify::expire() noexcept {
  if (m_watchdog_enabled) static_cast<void>(notify("WATCHDOG=trigger"));
}

FeedStatus SystemdNotify::disarm() noexcept { return notify("STOPPING=1"); }

std::chrono::nanoseconds SystemdNotify::max_cycle_period() const noexcept {
  return m_watchdog_enabled ? std::chrono::nanoseconds{m_config.watchdog_usec} / 4
                            : std::chrono::nanoseconds{0};
}

}  // namespace lockstep::hw
