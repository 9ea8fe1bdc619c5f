// Example: supervising a control loop and feeding the board's watchdog.
//
//   control loop (every 10 ms)                     WatchdogManager::main_function (every 10 ms)
//   ---------------------------                    --------------------------------------------
//   checkpoint(kRead)    --+  deadline: kRead->kWrite in [0, 4 ms]      all OK -> feed sinks:
//   ... compute ...        |  alive:    kWrite once per cycle (+-0)       SimWatchdog (here)
//   checkpoint(kWrite)   --+  logical:  kRead -> kWrite -> kRead ...      SystemdNotify ($NOTIFY_SOCKET)
//                                                                         LinuxWatchdog (opt-in)
//   cycle 20: the loop hangs after kRead  ->  deadline FAILED -> EXPIRED (tolerance 1)
//             -> safe-state hook (outputs to safe values) -> feeding stops -> board resets
//
// Runs on a simulated clock, so it finishes instantly. To feed a real device as well, set
// LOCKSTEP_WATCHDOG_DEVICE=/dev/watchdog0 (careful: this example lets supervision expire, so
// the board WILL reset; use softdog on a development machine).
#include <lockstep/hw.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>

namespace hw = lockstep::hw;
using namespace std::chrono_literals;

int main() {
  constexpr hw::CheckpointId kRead{0};
  constexpr hw::CheckpointId kWrite{1};

  hw::SimClock clock;
  hw::SupervisorConfig cfg;
  hw::EntityConfig loop;
  loop.name = "control-loop";
  loop.checkpoints = 2;
  loop.alive = {
      {.checkpoint = kWrite, .expected = 1, .min_margin = 0, .max_margin = 0, .reference_cycles = 1}};
  loop.deadlines = {{.start = kRead, .end = kWrite, .min = 0ms, .max = 4ms}};
  loop.logical =
      hw::LogicalSupervision{.initial = {kRead}, .final = {kWrite}, .transitions = {{kRead, kWrite}}};
  loop.failed_tolerance = 1;  // one bad cycle is tolerated (FAILED), the second expires
  cfg.entities.push_back(loop);
  cfg.cycle_period = 10ms;

  bool safe_state = false;
  hw::WatchdogManager wdgm{clock, cfg, [&](const hw::ExpiryReport& r) {
                             // Runs first, while the watchdog is still fed: drive outputs safe.
                             safe_state = true;
                             std::printf("EXPIRED: entity '%s' (violations 0x%x) at %lld ms -> safe state\n",
                                         r.name, static_cast<unsigned>(r.violations),
                                         static_cast<long long>(r.at.count() / 1000000));
                           }};

  // Sinks: a simulated board timer (200 ms), systemd when run as a service, a device if asked.
  hw::SimWatchdog board{clock, 200ms};
  wdgm.add_watchdog(board);
  hw::SystemdNotify systemd{hw::SystemdNotifyConfig::from_environment()};
  if (systemd.active()) wdgm.add_watchdog(systemd);
  std::unique_ptr<hw::LinuxWatchdog> device;
  if (const char* path = std::getenv("LOCKSTEP_WATCHDOG_DEVICE"); path != nullptr) {  // NOLINT
    try {
      hw::LinuxWatchdogConfig dc;
      dc.path = path;
      dc.timeout = std::chrono::seconds{2};
      device = std::make_unique<hw::LinuxWatchdog>(dc);
      std::printf("%s: '%s', timeout %lld s\n", path, device->identity().c_str(),
                  static_cast<long long>(device->timeout().count()));
      wdgm.add_watchdog(*device);
    } catch (const lockstep::Error& e) { std::printf("running without a hardware watchdog: %s\n", e.what()); }
  }

  static_cast<void>(wdgm.start());
  hw::SupervisedEntity& entity = wdgm.entity("control-loop");
  for (int cycle = 0; cycle < 60; ++cycle) {
    entity.checkpoint(kRead);
    if (cycle < 20) {  // from cycle 20 on the loop hangs after reading its inputs
      clock.advance(2ms);
      entity.checkpoint(kWrite);
      clock.advance(8ms);
    } else {
      clock.advance(10ms);
    }
    const hw::GlobalStatus g = wdgm.main_function();
    if (cycle >= 19 && cycle <= 23) std::printf("cycle %d: %s\n", cycle, hw::to_string(g));
  }
  std::printf("board watchdog fired: %s, safe state entered: %s\n", board.has_fired() ? "yes" : "no",
              safe_state ? "yes" : "no");
  // Orderly shutdown is refused after expiry: the reset must happen.
  const bool refused = wdgm.shutdown() == hw::ShutdownStatus::refused_expired;
  return (board.has_fired() && safe_state && refused) ? 0 : 1;
}
