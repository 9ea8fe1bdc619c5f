#pragma once
// Scrubber: sweeps registered protected regions, repairing single-bit errors before a second
// upset makes them uncorrectable, and reporting what it found. Run it either as a background
// thread at a fixed period, or call scrub() from a loop that owns its own timing.

#include <lockstep/hw/protected.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lockstep::hw {

/// Delivered to the scrubber's callback for every region in which a pass found an error.
struct ScrubEvent {
  std::uint32_t region{0};    ///< index in registration order
  const char* name{nullptr};  ///< the name given to add(); valid while the scrubber lives
  ScrubReport report;         ///< what this pass found in this region
};

/// Running totals since construction.
struct ScrubTotals {
  std::uint64_t passes{0};
  std::uint64_t words{0};
  std::uint64_t corrected{0};
  std::uint64_t uncorrectable{0};
};

/// Sweeps Scrubbable regions.
/// Usage:
///   hw::Protected<double> x{0.0};
///   hw::Scrubber scrubber{[](const hw::ScrubEvent& e) { log(e); }};
///   scrubber.add(x, "integrator");
///   scrubber.start(std::chrono::milliseconds{10});   // or: scrubber.scrub() in your loop
///   ...
///   scrubber.stop();                                  // also done by the destructor
/// Thread safety: add() is set-up only (not while the thread runs). scrub(), totals(),
///   start() and stop() may be called from any thread; the callback runs on the thread that
///   scrubs (the background thread, or the caller of scrub()) and must not throw.
/// On failure: add() while running, start() twice, or a non-positive period raise
///   lockstep::Error; memory errors are reported (callback, totals), never thrown.
class Scrubber {
 public:
  using Callback = std::function<void(const ScrubEvent&)>;

  explicit Scrubber(Callback on_event = {});
  Scrubber(const Scrubber&) = delete;
  Scrubber& operator=(const Scrubber&) = delete;
  ~Scrubber();

  /// Registers a region; it must outlive the scrubber (or stop() must be called first).
  void add(Scrubbable& region, std::string name);

  /// One pass over every region. Allocation-free. Returns what this pass found.
  ScrubReport scrub() noexcept;

  /// Starts the background thread: one pass every `period` (waits are bounded by `period`
  /// and by stop()).
  void start(std::chrono::nanoseconds period);
  /// Stops and joins the background thread; no-op if not running.
  void stop() noexcept;
  [[nodiscard]] bool running() const noexcept { return m_running.load(std::memory_order_acquire); }

  [[nodiscard]] ScrubTotals totals() const noexcept;

 private:
  struct Region {
    Scrubbable* object;
    std::string name;
  };
  void run(std::chrono::nanoseconds period) noexcept;

  Callback m_on_event;
  std::vector<Region> m_regions;
  std::atomic<bool> m_running{false};
  std::atomic<std::uint64_t> m_passes{0};
  std::atomic<std::uint64_t> m_words{0};
  std::atomic<std::uint64_t> m_corrected{0};
  std::atomic<std::uint64_t> m_uncorrectable{0};
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop_requested{false};
  std::thread m_thread;
};

}  // namespace lockstep::hw
