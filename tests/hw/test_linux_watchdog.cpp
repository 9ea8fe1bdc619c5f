// Requirements tested: LinuxWatchdog's happy path against a stand-in recording the system
// calls (real timeout reported after driver rounding, pretimeout where supported, keepalive,
// magic close only on disarm), and its error paths against real files: no device, permission
// denied, not a watchdog (a regular file, /dev/null).
#include <lockstep/core/error.hpp>
#include <lockstep/hw/linux_watchdog.hpp>
#include <lockstep/hw/supervision.hpp>

#include <gtest/gtest.h>

#include <linux/watchdog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace {
using namespace lockstep::hw;  // NOLINT(google-build-using-namespace)
using lockstep::test::TempDir;

/// Stand-in driver: records every call; rounds SETTIMEOUT up to a multiple of `granularity`.
class RecordingOps final : public WatchdogDeviceOps {
 public:
  std::vector<std::string> calls;
  unsigned options = WDIOF_SETTIMEOUT | WDIOF_KEEPALIVEPING | WDIOF_MAGICCLOSE | WDIOF_PRETIMEOUT;
  int timeout = 60;
  int pretimeout = 0;
  int granularity = 4;
  int open_error = 0;
  int keepalive_error = 0;
  int settimeout_error = 0;

  int open(const char* path) noexcept override {
    calls.push_back(std::string("open ") + path);
    return open_error != 0 ? -open_error : 7;
  }
  int ioctl(int fd, unsigned long request, void* arg) noexcept override {
    if (fd != 7) return -EBADF;
    if (request == WDIOC_GETSUPPORT) {
      calls.emplace_back("GETSUPPORT");
      auto* info = static_cast<watchdog_info*>(arg);
      *info = watchdog_info{};
      info->options = options;
      std::memcpy(info->identity, "stand-in wdt", 13);
      return 0;
    }
    if (request == WDIOC_SETTIMEOUT) {
      int* t = static_cast<int*>(arg);
      calls.push_back("SETTIMEOUT " + std::to_string(*t));
      if (settimeout_error != 0) return -settimeout_error;
      timeout = (*t + granularity - 1) / granularity * granularity;
      *t = timeout;
      return 0;
    }
    if (request == WDIOC_GETTIMEOUT) {
      calls.emplace_back("GETTIMEOUT");
      *static_cast<int*>(arg) = timeout;
      return 0;
    }
    if (request == WDIOC_SETPRETIMEOUT) {
      pretimeout = *static_cast<int*>(arg);
      calls.push_back("SETPRETIMEOUT " + std::to_string(pretimeout));
      return 0;
    }
    if (request == WDIOC_GETPRETIMEOUT) {
      calls.emplace_back("GETPRETIMEOUT");
      *static_cast<int*>(arg) = pretimeout;
      return 0;
    }
    if (request == WDIOC_KEEPALIVE) {
      calls.emplace_back("KEEPALIVE");
      return keepalive_error != 0 ? -keepalive_error : 0;
    }
    calls.emplace_back("ioctl ?");
    return -ENOTTY;
  }
  long write(int /*fd*/, const void* data, std::size_t size) noexcept override {
    calls.push_back("write " + std::string(static_cast<const char*>(data), size));
    return static_cast<long>(size);
  }
  int close(int /*fd*/) noexcept override {
    calls.emplace_back("close");
    return 0;
  }
};

LinuxWatchdogConfig at(const std::string& path) {
  LinuxWatchdogConfig c;
  c.path = path;
  return c;
}

std::string error_of(const LinuxWatchdogConfig& c, WatchdogDeviceOps& ops = system_watchdog_ops()) {
  try {
    LinuxWatchdog wd{c, ops};
  } catch (const lockstep::Error& e) { return e.what(); }
  return {};
}

TEST(LinuxWatchdog, SetsTimeoutReportsTheRoundedOneAndFeeds) {
  RecordingOps ops;
  {
    LinuxWatchdog wd{
        {.path = "/dev/watchdog1", .timeout = std::chrono::seconds{7}, .pretimeout = std::chrono::seconds{3}},
        ops};
    EXPECT_EQ(wd.timeout(), std::chrono::seconds{8}) << "the driver rounded 7 s to 8 s";
    EXPECT_EQ(wd.pretimeout(), std::chrono::seconds{3});
    EXPECT_TRUE(wd.pretimeout_supported());
    EXPECT_TRUE(wd.magic_close_supported());
    EXPECT_EQ(wd.identity(), "stand-in wdt");
    EXPECT_EQ(wd.max_cycle_period(), std::chrono::seconds{4});
    EXPECT_EQ(wd.feed(std::chrono::nanoseconds{0}), FeedStatus::ok);
    EXPECT_EQ(wd.disarm(), FeedStatus::ok);
    EXPECT_FALSE(wd.is_open());
    EXPECT_EQ(wd.feed(std::chrono::nanoseconds{0}), FeedStatus::failed) << "closed";
  }
  const std::vector<std::string> expected = {
      "open /dev/watchdog1", "GETSUPPORT", "SETTIMEOUT 7", "GETTIMEOUT", "SETPRETIMEOUT 3",
      "GETPRETIMEOUT",       "KEEPALIVE",  "KEEPALIVE",    "write V",    "close"};
  EXPECT_EQ(ops.calls, expected);
}

TEST(LinuxWatchdog, DestructorClosesWithoutMagicSoTheTimerKeepsRunning) {
  RecordingOps ops;
  { LinuxWatchdog wd{{}, ops}; }
  EXPECT_EQ(ops.calls.back(), "close");
  for (const std::string& c : ops.calls) EXPECT_NE(c, "write V");
  EXPECT_EQ(ops.calls.front(), "open /dev/watchdog");
}

TEST(LinuxWatchdog, KeepsDriverTimeoutWhenNoneRequestedAndSkipsUnsupportedPretimeout) {
  RecordingOps ops;
  ops.options = WDIOF_SETTIMEOUT;  // no pretimeout, no magic close
  ops.timeout = 30;
  LinuxWatchdog wd{
      {.path = "/dev/watchdog", .timeout = std::chrono::seconds{0}, .pretimeout = std::chrono::seconds{5}},
      ops};
  EXPECT_EQ(wd.timeout(), std::chrono::seconds{30});
  EXPECT_FALSE(wd.pretimeout_supported());
  EXPECT_EQ(wd.pretimeout(), std::chrono::seconds{0});
  EXPECT_FALSE(wd.magic_close_supported());
  for (const std::string& c : ops.calls) { EXPECT_EQ(c.find("SET"), std::string::npos) << c; }
}

TEST(LinuxWatchdog, ExpiryStopsTheKeepalivesAndNeverWritesMagic) {
  RecordingOps ops;
  SimClock clock;
  LinuxWatchdog wd{{.path = "/dev/watchdog", .timeout = std::chrono::seconds{2}, .pretimeout = {}}, ops};
  SupervisorConfig c;
  EntityConfig e;
  e.name = "loop";
  e.alive.push_back(AliveSupervision{CheckpointId{0}, 1, 0, 0, 1});
  c.entities.push_back(e);
  c.cycle_period = std::chrono::milliseconds{100};
  WatchdogManager m{clock, c, [](const ExpiryReport&) {}};
  m.add_watchdog(wd);
  static_cast<void>(m.start());
  m.entity(0).checkpoint(CheckpointId{0});
  EXPECT_EQ(m.main_function(), GlobalStatus::ok);
  const auto fed = std::count(ops.calls.begin(), ops.calls.end(), "KEEPALIVE");
  EXPECT_EQ(m.main_function(), GlobalStatus::stopped);
  EXPECT_EQ(m.main_function(), GlobalStatus::stopped);
  EXPECT_EQ(std::count(ops.calls.begin(), ops.calls.end(), "KEEPALIVE"), fed);
  EXPECT_EQ(m.shutdown(), ShutdownStatus::refused_expired);
  EXPECT_EQ(std::count(ops.calls.begin(), ops.calls.end(), "write V"), 0);
}

TEST(LinuxWatchdog, FeedFailureIsReported) {
  RecordingOps ops;
  LinuxWatchdog wd{{}, ops};
  ops.keepalive_error = EIO;
  EXPECT_EQ(wd.feed(std::chrono::nanoseconds{0}), FeedStatus::failed);
}

TEST(LinuxWatchdog, RejectedTimeoutIsAClearErrorAndDisarmsTheDevice) {
  RecordingOps ops;
  ops.settimeout_error = EINVAL;
  const std::string msg =
      error_of({.path = "/dev/watchdog0", .timeout = std::chrono::seconds{1000}, .pretimeout = {}}, ops);
  EXPECT_NE(msg.find("WDIOC_SETTIMEOUT(1000 s)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("/dev/watchdog0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("invalid argument"), std::string::npos) << msg;
  ASSERT_GE(ops.calls.size(), 2U);
  EXPECT_EQ(ops.calls[ops.calls.size() - 2], "write V") << "a set-up error is an orderly stop";
  EXPECT_EQ(ops.calls.back(), "close");
}

TEST(LinuxWatchdog, BadConfigurationIsRejectedBeforeOpening) {
  RecordingOps ops;
  EXPECT_NE(error_of({.path = "/dev/watchdog",
                      .timeout = std::chrono::seconds{5},
                      .pretimeout = std::chrono::seconds{5}},
                     ops)
                .find("shorter"),
            std::string::npos);
  EXPECT_NE(error_of({.path = "/dev/watchdog", .timeout = std::chrono::seconds{-1}, .pretimeout = {}}, ops)
                .find("negative"),
            std::string::npos);
  EXPECT_TRUE(ops.calls.empty());
}

TEST(LinuxWatchdog, MissingDeviceIsAClearError) {
  TempDir dir;
  const std::string path = (dir.path() / "watchdog9").string();
  const std::string msg = error_of(at(path));
  EXPECT_NE(msg.find("cannot open"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("no such device"), std::string::npos) << msg;
}

TEST(LinuxWatchdog, RegularFileIsNotAWatchdogAndIsNotWritten) {
  TempDir dir;
  dir.write("fake-watchdog", "");
  const std::string path = (dir.path() / "fake-watchdog").string();
  const std::string msg = error_of(at(path));
  EXPECT_NE(msg.find("not a watchdog"), std::string::npos) << msg;
  EXPECT_EQ(std::filesystem::file_size(path), 0U) << "no magic 'V' written into a non-watchdog";
}

TEST(LinuxWatchdog, DevNullIsNotAWatchdog) {
  const std::string msg = error_of(at("/dev/null"));
  EXPECT_NE(msg.find("not a watchdog"), std::string::npos) << msg;
}

TEST(LinuxWatchdog, PermissionDeniedIsAClearError) {
  TempDir dir;
  dir.write("watchdog", "");
  const std::string path = (dir.path() / "watchdog").string();
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  if (::geteuid() != 0) {
    ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
    const std::string msg = error_of(at(path));
    EXPECT_NE(msg.find("permission denied"), std::string::npos) << msg;
    return;
  }
  // Root may open anything: check the real EACCES path as an unprivileged child.
  static_cast<void>(std::fflush(nullptr));  // the child must not print the parent's buffered output again
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(77);
    const std::string msg = error_of(at(path));
    ::_exit(msg.find("permission denied") != std::string::npos ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "cannot drop privileges here";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the unprivileged open did not report 'permission denied'";
}

TEST(LinuxWatchdog, ErrnoStandInsGiveSpecificMessages) {
  for (const auto& [err, needle] : std::vector<std::pair<int, std::string>>{{EACCES, "permission denied"},
                                                                            {EPERM, "permission denied"},
                                                                            {EBUSY, "busy"},
                                                                            {ENOENT, "no such device"}}) {
    RecordingOps ops;
    ops.open_error = err;
    const std::string msg = error_of({}, ops);
    EXPECT_NE(msg.find(needle), std::string::npos) << msg;
  }
}

}  // namespace
