#include <lockstep/core/error.hpp>
#include <lockstep/hw/edac.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

namespace lockstep::hw {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_text(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return std::nullopt;
  std::string s = ss.str();
  const auto not_space = [](char c) { return c != ' ' && c != '\n' && c != '\t' && c != '\r'; };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

std::optional<std::uint64_t> read_u64(const fs::path& p) {
  const std::optional<std::string> s = read_text(p);
  if (!s || s->empty()) return std::nullopt;
  std::uint64_t v = 0;
  const char* end = s->data() + s->size();
  const auto [ptr, ec] = std::from_chars(s->data(), end, v);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return v;
}

// Sorted sub-directories of `dir` whose names start with `prefix` and continue with digits.
std::vector<std::string> numbered_dirs(const fs::path& dir, std::string_view prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return out;
  for (const fs::directory_entry& e : it) {
    const std::string name = e.path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    if (!std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    std::error_code dec;
    if (e.is_directory(dec)) out.push_back(name);
  }
  // Numeric order: mc2 before mc10.
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  return out;
}

struct Delta {
  std::uint64_t count{0};
  bool reset{false};
};

}  // namespace

const char* to_string(EdacStatus s) noexcept {
  switch (s) {
    case EdacStatus::ok:
      return "ok";
    case EdacStatus::not_available:
      return "EDAC not available (no memory-controller error reporting)";
    case EdacStatus::no_controllers:
      return "EDAC present but no memory controller registered";
    case EdacStatus::degraded:
      return "degraded: some EDAC counters unreadable";
  }
  return "unknown";
}

EdacMonitor::EdacMonitor(EdacConfig config) : m_config(std::move(config)) {}

EdacMonitor::~EdacMonitor() { stop(); }

void EdacMonitor::subscribe(Subscriber s) {
  if (!s) raise("EdacMonitor::subscribe: empty subscriber");
  if (m_thread.joinable()) raise("EdacMonitor::subscribe: cannot subscribe while the polling thread runs");
  m_subscribers.push_back(std::move(s));
}

EdacPoll EdacMonitor::poll() {
  const std::lock_guard<std::mutex> lock(m_poll_mutex);
  EdacPoll result;
  std::error_code ec;
  if (!fs::is_directory(m_config.root, ec)) {
    result.status = EdacStatus::not_available;
    m_last_poll = result;
    return result;
  }
  const auto update = [&](const std::string& key, const fs::path& file, bool optional) -> Delta {
    std::error_code fec;
    if (optional && !fs::exists(file, fec)) return {};
    const std::optional<std::uint64_t> v = read_u64(file);
    if (!v) {
      ++result.unreadable;  // keep the last good value as the baseline
      return {};
    }
    const auto it = m_last.find(key);
    if (it == m_last.end()) {
      m_last.emplace(key, *v);
      if (m_first_poll && !m_config.report_initial_counts) return {};
      return {*v, false};
    }
    const std::uint64_t old = it->second;
    it->second = *v;
    if (*v >= old) return {*v - old, false};
    return {*v, true};
  };
  const auto deliver = [&](const EdacEvent& e) {
    ++result.events;
    for (const Subscriber& s : m_subscribers) s(e);
  };

  const std::vector<std::string> mcs = numbered_dirs(m_config.root, "mc");
  result.controllers = static_cast<std::uint32_t>(mcs.size());
  for (const std::string& mc : mcs) {
    const fs::path dir = m_config.root / mc;
    const Delta ce = update(mc + "/ce_count", dir / "ce_count", false);
    const Delta ue = update(mc + "/ue_count", dir / "ue_count", false);
    const Delta ce_ni = update(mc + "/ce_noinfo_count", dir / "ce_noinfo_count", true);
    const Delta ue_ni = update(mc + "/ue_noinfo_count", dir / "ue_noinfo_count", true);
    if (ce.count > 0U) {
      deliver(EdacEvent{EdacSeverity::corrected, mc, {}, {}, ce.count, ce_ni.count, ce.reset});
      result.new_corrected += ce.count;
    }
    if (ue.count > 0U) {
      deliver(EdacEvent{EdacSeverity::uncorrected, mc, {}, {}, ue.count, ue_ni.count, ue.reset});
      result.new_uncorrected += ue.count;
    }
    for (const char* prefix : {"dimm", "rank"}) {
      for (const std::string& d : numbered_dirs(dir, prefix)) {
        const fs::path ddir = dir / d;
        std::string key = mc;
        key += '/';
        key += d;
        const Delta dce = update(key + "/dimm_ce_count", ddir / "dimm_ce_count", false);
        const Delta due = update(key + "/dimm_ue_count", ddir / "dimm_ue_count", false);
        if (dce.count == 0U && due.count == 0U) continue;
        std::string label;
        std::error_code lec;
        if (fs::exists(ddir / "dimm_label", lec))
          label = read_text(ddir / "dimm_label").value_or(std::string{});
        if (dce.count > 0U)
          deliver(EdacEvent{EdacSeverity::corrected, mc, d, label, dce.count, 0, dce.reset});
        if (due.count > 0U)
          deliver(EdacEvent{EdacSeverity::uncorrected, mc, d, label, due.count, 0, due.reset});
      }
    }
  }
  m_first_poll = false;
  if (mcs.empty()) {
    result.status = EdacStatus::no_controllers;
  } else if (result.unreadable > 0U) {
    result.status = EdacStatus::degraded;
  }
  m_total_ce += result.new_corrected;
  m_total_ue += result.new_uncorrected;
  m_last_poll = result;
  return result;
}

void EdacMonitor::start(std::chrono::nanoseconds period) {
  if (period.count() <= 0) raise("EdacMonitor::start: the period must be positive");
  if (m_thread.joinable()) raise("EdacMonitor::start: already running");
  {
    const std::lock_guard<std::mutex> lock(m_thread_mutex);
    m_stop_requested = false;
  }
  m_thread = std::thread([this, period] {
    std::unique_lock<std::mutex> lock(m_thread_mutex);
    while (!m_stop_requested) {
      lock.unlock();
      try {
        static_cast<void>(poll());
      } catch (...) {
        // Out of memory while reading sysfs: skip this poll, try again next period.
      }
      lock.lock();
      m_wake.wait_for(lock, period, [this] { return m_stop_requested; });
    }
  });
}

void EdacMonitor::stop() noexcept {
  if (!m_thread.joinable()) return;
  {
    const std::lock_guard<std::mutex> lock(m_thread_mutex);
    m_stop_requested = true;
  }
  m_wake.notify_all();
  m_thread.join();
}

EdacPoll EdacMonitor::last_poll() const {
  const std::lock_guard<std::mutex> lock(m_poll_mutex);
  return m_last_poll;
}

std::uint64_t EdacMonitor::total_corrected() const {
  const std::lock_guard<std::mutex> lock(m_poll_mutex);
  return m_total_ce;
}

std::uint64_t EdacMonitor::total_uncorrected() const {
  const std::lock_guard<std::mutex> lock(m_poll_mutex);
  return m_total_ue;
}

}  // namespace lockstep::hw
