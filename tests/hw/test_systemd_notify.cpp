// Requirements tested: the systemd notify sink speaks the sd_notify protocol to a real AF_UNIX
// datagram socket (path and abstract '@' names): READY=1, WATCHDOG=1 every WATCHDOG_USEC/2,
// WATCHDOG=trigger on expiry, STOPPING=1 on orderly stop; honours WATCHDOG_PID; reads the
// environment; is inactive (not an error) outside systemd.
#include <lockstep/core/error.hpp>
#include <lockstep/hw/supervision.hpp>
#include <lockstep/hw/systemd_notify.hpp>

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace {
using namespace lockstep::hw;  // NOLINT(google-build-using-namespace)
using lockstep::test::TempDir;
using std::chrono::microseconds;
using std::chrono::milliseconds;

/// A bound datagram socket playing systemd's part.
class Listener {
 public:
  explicit Listener(const std::string& name) {
    m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(m_fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.data(), name.size());
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    if (name[0] == '@') {
      addr.sun_path[0] = '\0';
    } else {
      len = static_cast<socklen_t>(len + 1U);
    }
    EXPECT_EQ(::bind(m_fd, reinterpret_cast<const sockaddr*>(&addr), len), 0) << std::strerror(errno);
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener() { ::close(m_fd); }

  /// Every datagram waiting (non-blocking: local datagrams are delivered on send).
  std::vector<std::string> drain() const {
    std::vector<std::string> out;
    char buf[512];
    for (;;) {
      const ssize_t n = ::recv(m_fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (n < 0) break;
      out.emplace_back(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  int m_fd{-1};
};

using Msgs = std::vector<std::string>;

TEST(SystemdNotify, ReadyAndWatchdogPingsAtHalfTheTimeoutOverAPathSocket) {
  TempDir dir;
  const std::string path = (dir.path() / "notify").string();
  Listener sd{path};
  SystemdNotify n{{.socket = path, .watchdog_usec = microseconds{200000}, .watchdog_pid = std::nullopt}};
  EXPECT_TRUE(n.active());
  EXPECT_TRUE(n.watchdog_enabled());
  EXPECT_EQ(n.ping_interval(), milliseconds{100});
  EXPECT_EQ(n.max_cycle_period(), milliseconds{50});
  EXPECT_EQ(n.start(milliseconds{0}), FeedStatus::ok);
  EXPECT_EQ(sd.drain(), (Msgs{"READY=1", "WATCHDOG=1"}));
  EXPECT_EQ(n.feed(milliseconds{50}), FeedStatus::skipped);
  EXPECT_EQ(n.feed(milliseconds{100} - std::chrono::nanoseconds{1}), FeedStatus::skipped);
  EXPECT_TRUE(sd.drain().empty());
  EXPECT_EQ(n.feed(milliseconds{100}), FeedStatus::ok) << "exactly at WATCHDOG_USEC/2";
  EXPECT_EQ(n.feed(milliseconds{150}), FeedStatus::skipped);
  EXPECT_EQ(n.feed(milliseconds{230}), FeedStatus::ok);
  EXPECT_EQ(sd.drain(), (Msgs{"WATCHDOG=1", "WATCHDOG=1"}));
  n.expire();
  EXPECT_EQ(sd.drain(), (Msgs{"WATCHDOG=trigger"}));
  EXPECT_EQ(n.disarm(), FeedStatus::ok);
  EXPECT_EQ(n.notify("STATUS=degraded"), FeedStatus::ok);
  EXPECT_EQ(sd.drain(), (Msgs{"STOPPING=1", "STATUS=degraded"}));
  EXPECT_EQ(n.send_failures(), 0U);
}

TEST(SystemdNotify, AbstractSocketName) {
  const std::string name = "@lockstep-test-notify-" + std::to_string(::getpid());
  Listener sd{name};
  SystemdNotify n{{.socket = name, .watchdog_usec = microseconds{0}, .watchdog_pid = std::nullopt}};
  EXPECT_FALSE(n.watchdog_enabled());
  EXPECT_EQ(n.max_cycle_period(), std::chrono::nanoseconds{0});
  EXPECT_EQ(n.start(milliseconds{0}), FeedStatus::ok);
  EXPECT_EQ(n.feed(milliseconds{1000}), FeedStatus::skipped) << "no WatchdogSec=: nothing to ping";
  EXPECT_EQ(sd.drain(), (Msgs{"READY=1"}));
}

TEST(SystemdNotify, WatchdogPidOfAnotherProcessDisablesPings) {
  TempDir dir;
  const std::string path = (dir.path() / "notify").string();
  Listener sd{path};
  SystemdNotify other{{.socket = path, .watchdog_usec = microseconds{1000}, .watchdog_pid = ::getpid() + 1}};
  EXPECT_FALSE(other.watchdog_enabled());
  EXPECT_EQ(other.start(milliseconds{0}), FeedStatus::ok);
  EXPECT_EQ(other.feed(milliseconds{10}), FeedStatus::skipped);
  EXPECT_EQ(sd.drain(), (Msgs{"READY=1"}));
  SystemdNotify mine{{.socket = path, .watchdog_usec = microseconds{1000}, .watchdog_pid = ::getpid()}};
  EXPECT_TRUE(mine.watchdog_enabled());
}

TEST(SystemdNotify, InactiveOutsideSystemd) {
  SystemdNotify n{{}};
  EXPECT_FALSE(n.active());
  EXPECT_EQ(n.start(milliseconds{0}), FeedStatus::skipped);
  EXPECT_EQ(n.feed(milliseconds{0}), FeedStatus::skipped);
  EXPECT_EQ(n.disarm(), FeedStatus::skipped);
}

TEST(SystemdNotify, SendFailureIsReportedNotThrown) {
  TempDir dir;
  const std::string path = (dir.path() / "nobody-listens").string();
  SystemdNotify n{{.socket = path, .watchdog_usec = microseconds{1000}, .watchdog_pid = std::nullopt}};
  EXPECT_EQ(n.start(milliseconds{0}), FeedStatus::failed);
  EXPECT_EQ(n.send_failures(), 1U);
}

TEST(SystemdNotify, BadSocketNamesAreClearErrors) {
  EXPECT_THROW(SystemdNotify({.socket = "relative/path", .watchdog_usec = {}, .watchdog_pid = {}}),
               lockstep::Error);
  EXPECT_THROW(
      SystemdNotify({.socket = "/" + std::string(200, 'x'), .watchdog_usec = {}, .watchdog_pid = {}}),
      lockstep::Error);
  EXPECT_THROW(SystemdNotify({.socket = "/x", .watchdog_usec = microseconds{-1}, .watchdog_pid = {}}),
               lockstep::Error);
}

TEST(SystemdNotify, ReadsTheEnvironment) {
  ASSERT_EQ(::setenv("NOTIFY_SOCKET", "@abc", 1), 0);
  ASSERT_EQ(::setenv("WATCHDOG_USEC", "3000000", 1), 0);
  ASSERT_EQ(::setenv("WATCHDOG_PID", "1234", 1), 0);
  SystemdNotifyConfig c = SystemdNotifyConfig::from_environment();
  EXPECT_EQ(c.socket, "@abc");
  EXPECT_EQ(c.watchdog_usec, std::chrono::seconds{3});
  ASSERT_TRUE(c.watchdog_pid.has_value());
  EXPECT_EQ(*c.watchdog_pid, 1234);
  ASSERT_EQ(::setenv("WATCHDOG_USEC", "3s", 1), 0);
  try {
    static_cast<void>(SystemdNotifyConfig::from_environment());
    ADD_FAILURE() << "no error for WATCHDOG_USEC=3s";
  } catch (const lockstep::Error& e) {
    EXPECT_NE(std::string(e.what()).find("WATCHDOG_USEC"), std::string::npos);
  }
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  c = SystemdNotifyConfig::from_environment();
  EXPECT_TRUE(c.socket.empty());
  EXPECT_EQ(c.watchdog_usec.count(), 0);
  EXPECT_FALSE(c.watchdog_pid.has_value());
}

TEST(SystemdNotify, DrivenByTheWatchdogManager) {
  TempDir dir;
  const std::string path = (dir.path() / "notify").string();
  Listener sd{path};
  SimClock clock;
  SystemdNotify n{{.socket = path, .watchdog_usec = microseconds{100000}, .watchdog_pid = std::nullopt}};
  SupervisorConfig c;
  EntityConfig e;
  e.name = "loop";
  e.alive.push_back(AliveSupervision{CheckpointId{0}, 1, 0, 0, 1});
  c.entities.push_back(e);
  c.cycle_period = milliseconds{40};  // > 100 ms / 4 would be rejected
  EXPECT_THROW(WatchdogManager(clock, c, [](const ExpiryReport&) {}).add_watchdog(n), lockstep::Error);
  c.cycle_period = milliseconds{25};
  WatchdogManager m{clock, c, [](const ExpiryReport&) {}};
  m.add_watchdog(n);
  static_cast<void>(m.start());
  for (int i = 0; i < 8; ++i) {  // 200 ms: pings at 50, 100, 150, 200 ms
    clock.advance(milliseconds{25});
    m.entity(0).checkpoint(CheckpointId{0});
    EXPECT_EQ(m.main_function(), GlobalStatus::ok);
  }
  Msgs got = sd.drain();
  EXPECT_EQ(got.size(), 2U + 4U);
  EXPECT_EQ(got.front(), "READY=1");
  clock.advance(milliseconds{25});
  EXPECT_EQ(m.main_function(), GlobalStatus::stopped);
  EXPECT_EQ(sd.drain(), (Msgs{"WATCHDOG=trigger"}));
}

}  // namespace
