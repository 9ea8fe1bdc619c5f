#pragma once
// Linux EDAC monitor: turns the kernel's memory-controller error counters into events.
//
//   <root>/mc0/ce_count, ue_count, ce_noinfo_count, ue_noinfo_count
//   <root>/mc0/dimm0/dimm_ce_count, dimm_ue_count, dimm_label     (also rank*/ on some drivers)
//   poll(): read every counter, compare with the last good reading, deliver the increase
//           to subscribers as EdacEvents (the runtime's health manager subscribes: an
//           uncorrected error marks state as suspect and triggers a resync).
// <root> defaults to /sys/devices/system/edac/mc and is configurable, so tests lay out a
// temporary directory like the kernel's.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lockstep::hw {

enum class EdacStatus : std::uint8_t {
  ok,              ///< every counter read
  not_available,   ///< no EDAC directory (no driver, or not Linux): nothing to monitor
  no_controllers,  ///< the directory exists but holds no mc* controller
  degraded,        ///< some counter files were unreadable or held garbage (see unreadable)
};

[[nodiscard]] const char* to_string(EdacStatus s) noexcept;

enum class EdacSeverity : std::uint8_t { corrected, uncorrected };

/// New errors seen by one poll, for one controller (dimm empty) or one DIMM of it.
/// A controller event and its DIMM events describe the same errors: count one scope.
struct EdacEvent {
  EdacSeverity severity{EdacSeverity::corrected};
  std::string controller;  ///< "mc0"
  std::string dimm;        ///< "dimm3" / "rank1"; empty for the controller total
  std::string label;       ///< dimm_label (e.g. "CPU_SrcID#0_Ha#0_Chan#1_DIMM#0"); may be empty
  std::uint64_t count{0};  ///< errors since the previous good reading
  /// For controller events: how many of `count` the driver could not attribute (noinfo).
  std::uint64_t noinfo{0};
  /// The counter went down (reset via reset_counters, driver reload, or wrap): `count` is its
  /// new value, i.e. at least this many errors since the reset.
  bool counter_reset{false};
};

struct EdacPoll {
  EdacStatus status{EdacStatus::ok};
  std::uint32_t controllers{0};
  std::uint64_t new_corrected{0};    ///< controller-scope total of this poll
  std::uint64_t new_uncorrected{0};  ///< controller-scope total of this poll
  std::uint32_t unreadable{0};       ///< counter files missing, unreadable or not a number
  std::uint32_t events{0};           ///< events delivered
};

struct EdacConfig {
  std::filesystem::path root{"/sys/devices/system/edac/mc"};
  /// Report counts already present at the first poll as events (default: take them as baseline).
  bool report_initial_counts{false};
};

/// Polls EDAC counters and delivers increases to subscribers.
/// Usage:
///   hw::EdacMonitor edac{{}};
///   edac.subscribe([&](const hw::EdacEvent& e) {
///     if (e.severity == hw::EdacSeverity::uncorrected && e.dimm.empty()) health.suspect_state();
///   });
///   const hw::EdacPoll p = edac.poll();   // or edac.start(std::chrono::seconds{1})
///   if (p.status == hw::EdacStatus::not_available) log("no EDAC: memory errors unmonitored");
/// Thread safety: subscribe() is set-up (before start()). poll() is serialised internally and
///   may be called from any thread; subscribers run on the polling thread and must not throw.
/// On failure: missing EDAC, unreadable or garbage files are statuses, never exceptions
///   (poll() allocates and reads files: it is not a hot-path call). start() raises on misuse.
class EdacMonitor {
 public:
  using Subscriber = std::function<void(const EdacEvent&)>;

  explicit EdacMonitor(EdacConfig config);
  EdacMonitor(const EdacMonitor&) = delete;
  EdacMonitor& operator=(const EdacMonitor&) = delete;
  ~EdacMonitor();

  void subscribe(Subscriber s);
  EdacPoll poll();

  /// Polls every `period` on a background thread; stop() (or the destructor) joins it.
  void start(std::chrono::nanoseconds period);
  void stop() noexcept;

  /// The most recent poll result.
  [[nodiscard]] EdacPoll last_poll() const;
  /// Sum of every controller-scope event delivered so far.
  [[nodiscard]] std::uint64_t total_corrected() const;
  [[nodiscard]] std::uint64_t total_uncorrected() const;

 private:
  EdacConfig m_config;
  std::vector<Subscriber> m_subscribers;
  mutable std::mutex m_poll_mutex;
  std::map<std::string, std::uint64_t> m_last;  // counter file (relative path) -> last good value
  bool m_first_poll{true};
  EdacPoll m_last_poll;
  std::uint64_t m_total_ce{0};
  std::uint64_t m_total_ue{0};
  std::mutex m_thread_mutex;
  std::condition_variable m_wake;
  bool m_stop_requested{false};
  std::thread m_thread;
};

}  // namespace lockstep::hw
