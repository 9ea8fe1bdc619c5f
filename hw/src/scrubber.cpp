#include <lockstep/core/error.hpp>
#include <lockstep/hw/scrubber.hpp>

#include <utility>

namespace lockstep::hw {

Scrubber::Scrubber(Callback on_event) : m_on_event(std::move(on_event)) {}

Scrubber::~Scrubber() { stop(); }

void Scrubber::add(Scrubbable& region, std::string name) {
  if (running()) raise("Scrubber::add: cannot add region '" + name + "' while the scrub thread runs");
  m_regions.push_back(Region{&region, std::move(name)});
}

ScrubReport Scrubber::scrub() noexcept {
  ScrubReport pass;
  for (std::size_t i = 0; i < m_regions.size(); ++i) {
    const ScrubReport r = m_regions[i].object->scrub();
    pass += r;
    if ((r.corrected != 0U || r.uncorrectable != 0U) && m_on_event) {
      m_on_event(ScrubEvent{static_cast<std::uint32_t>(i), m_regions[i].name.c_str(), r});
    }
  }
  m_passes.fetch_add(1, std::memory_order_relaxed);
  m_words.fetch_add(pass.words, std::memory_order_relaxed);
  m_corrected.fetch_add(pass.corrected, std::memory_order_relaxed);
  m_uncorrectable.fetch_add(pass.uncorrectable, std::memory_order_relaxed);
  return pass;
}

void Scrubber::start(std::chrono::nanoseconds period) {
  if (period.count() <= 0) raise("Scrubber::start: the period must be positive");
  if (m_running.exchange(true, std::memory_order_acq_rel)) raise("Scrubber::start: already running");
  {
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_stop_requested = false;
  }
  try {
    m_thread = std::thread([this, period] { run(period); });
  } catch (...) {
    m_running.store(false, std::memory_order_release);
    raise("Scrubber::start: could not create the scrub thread");
  }
}

void Scrubber::stop() noexcept {
  if (!m_thread.joinable()) return;
  {
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_stop_requested = true;
  }
  m_wake.notify_all();
  m_thread.join();
  m_running.store(false, std::memory_order_release);
}

void Scrubber::run(std::chrono::nanoseconds period) noexcept {
  std::unique_lock<std::mutex> lock(m_mutex);
  while (!m_stop_requested) {
    lock.unlock();
    static_cast<void>(scrub());
    lock.lock();
    m_wake.wait_for(lock, period, [this] { return m_stop_requested; });
  }
}

ScrubTotals Scrubber::totals() const noexcept {
  return ScrubTotals{m_passes.load(std::memory_order_relaxed), m_words.load(std::memory_order_relaxed),
                     m_corrected.load(std::memory_order_relaxed),
                     m_uncorrectable.load(std::memory_order_relaxed)};
}

}  // namespace lockstep::hw
