#include <lockstep/core/error.hpp>
#include <lockstep/hw/supervision.hpp>

#include <utility>

namespace lockstep::hw {

namespace {
constexpr std::uint8_t bit(Violation v) noexcept { return static_cast<std::uint8_t>(v); }

void check_id(const EntityConfig& c, CheckpointId id, const char* what) {
  if (id.value >= c.checkpoints) {
    raise("supervised entity '" + c.name + "': " + what + " checkpoint " + std::to_string(id.value) +
          " is out of range (the entity declares " + std::to_string(c.checkpoints) + " checkpoints)");
  }
}
}  // namespace

const char* to_string(EntityStatus s) noexcept {
  switch (s) {
    case EntityStatus::ok:
      return "OK";
    case EntityStatus::failed:
      return "FAILED";
    case EntityStatus::expired:
      return "EXPIRED";
  }
  return "unknown";
}

const char* to_string(GlobalStatus s) noexcept {
  switch (s) {
    case GlobalStatus::ok:
      return "OK";
    case GlobalStatus::failed:
      return "FAILED";
    case GlobalStatus::expired:
      return "EXPIRED";
    case GlobalStatus::stopped:
      return "STOPPED";
    case GlobalStatus::disarmed:
      return "DISARMED";
  }
  return "unknown";
}

SupervisedEntity::SupervisedEntity(const Clock& clock, EntityConfig config)
    : m_clock(clock), m_config(std::move(config)) {
  const EntityConfig& c = m_config;
  if (c.name.empty()) raise("supervised entity: the name must not be empty");
  if (c.checkpoints == 0U || c.checkpoints > kMaxCheckpoints) {
    raise("supervised entity '" + c.name + "': checkpoints must be 1.." + std::to_string(kMaxCheckpoints));
  }
  for (const AliveSupervision& a : c.alive) {
    check_id(c, a.checkpoint, "alive");
    if (a.reference_cycles == 0U)
      raise("supervised entity '" + c.name + "': alive reference_cycles must be >= 1");
    if (a.min_margin > a.expected) {
      raise("supervised entity '" + c.name + "': alive min_margin exceeds the expected count");
    }
  }
  for (const DeadlineSupervision& d : c.deadlines) {
    check_id(c, d.start, "deadline start");
    check_id(c, d.end, "deadline end");
    if (d.start == d.end)
      raise("supervised entity '" + c.name + "': a deadline needs distinct start and end");
    if (d.min.count() < 0 || d.max < d.min || d.max.count() == 0) {
      raise("supervised entity '" + c.name + "': deadline bounds need 0 <= min <= max and max > 0");
    }
  }
  const std::size_t n = c.checkpoints;
  if (c.logical) {
    const LogicalSupervision& g = *c.logical;
    if (g.initial.empty())
      raise("supervised entity '" + c.name + "': logical supervision needs an initial checkpoint");
    m_edges.assign(n * n, 0);
    m_initial.assign(n, 0);
    m_final.assign(n, 0);
    m_in_graph.assign(n, 0);
    for (const CheckpointId id : g.initial) {
      check_id(c, id, "initial");
      m_initial[id.value] = 1;
      m_in_graph[id.value] = 1;
    }
    for (const CheckpointId id : g.final) {
      check_id(c, id, "final");
      m_final[id.value] = 1;
      m_in_graph[id.value] = 1;
    }
    for (const Transition& t : g.transitions) {
      check_id(c, t.from, "transition source");
      check_id(c, t.to, "transition target");
      m_edges[std::size_t{t.from.value} * n + t.to.value] = 1;
      m_in_graph[t.from.value] = 1;
      m_in_graph[t.to.value] = 1;
    }
  }
  m_alive_counts = std::make_unique<std::atomic<std::uint32_t>[]>(c.alive.size());
  m_deadline_start = std::make_unique<std::atomic<std::int64_t>[]>(c.deadlines.size());
  for (std::size_t i = 0; i < c.alive.size(); ++i) m_alive_counts[i].store(0, std::memory_order_relaxed);
  for (std::size_t i = 0; i < c.deadlines.size(); ++i)
    m_deadline_start[i].store(kNoStart, std::memory_order_relaxed);
  m_needs_time = !c.deadlines.empty();
}

void SupervisedEntity::checkpoint(CheckpointId id) noexcept {
  const EntityConfig& c = m_config;
  if (id.value >= c.checkpoints) {
    m_violations.fetch_or(bit(Violation::unknown_checkpoint), std::memory_order_acq_rel);
    return;
  }
  for (std::size_t i = 0; i < c.alive.size(); ++i) {
    if (c.alive[i].checkpoint == id) m_alive_counts[i].fetch_add(1, std::memory_order_relaxed);
  }
  if (m_needs_time) {
    const std::int64_t now = m_clock.now().count();
    for (std::size_t i = 0; i < c.deadlines.size(); ++i) {
      const DeadlineSupervision& d = c.deadlines[i];
      if (d.end == id) {
        const std::int64_t start = m_deadline_start[i].exchange(kNoStart, std::memory_order_acq_rel);
        // An end without a start is not timed (the logical graph catches misordering).
        if (start != kNoStart) {
          const std::int64_t elapsed = now - start;
          if (elapsed < d.min.count() || elapsed > d.max.count()) {
            m_violations.fetch_or(bit(Violation::deadline), std::memory_order_acq_rel);
          }
        }
      }
      if (d.start == id) m_deadline_start[i].store(now, std::memory_order_release);
    }
  }
  if (!m_in_graph.empty() && m_in_graph[id.value] != 0U) {
    const std::uint32_t prev = m_flow_last.exchange(id.value, std::memory_order_acq_rel);
    const std::size_t n = c.checkpoints;
    bool allowed = false;
    if (prev == kNoCheckpoint || m_final[prev] != 0U) allowed = m_initial[id.value] != 0U;
    if (!allowed && prev != kNoCheckpoint) allowed = m_edges[std::size_t{prev} * n + id.value] != 0U;
    if (!allowed) m_violations.fetch_or(bit(Violation::logical), std::memory_order_acq_rel);
  }
}

std::uint8_t SupervisedEntity::evaluate(std::chrono::nanoseconds now) noexcept {
  const EntityConfig& c = m_config;
  ++m_cycle;
  std::uint8_t v = m_violations.exchange(0, std::memory_order_acq_rel);
  for (std::size_t i = 0; i < c.alive.size(); ++i) {
    const AliveSupervision& a = c.alive[i];
    if (m_cycle % a.reference_cycles != 0U) continue;
    const std::uint32_t count = m_alive_counts[i].exchange(0, std::memory_order_acq_rel);
    const std::uint64_t lo = std::uint64_t{a.expected} - a.min_margin;
    const std::uint64_t hi = std::uint64_t{a.expected} + a.max_margin;
    if (count < lo || count > hi) v = static_cast<std::uint8_t>(v | bit(Violation::alive));
  }
  for (std::size_t i = 0; i < c.deadlines.size(); ++i) {
    const std::int64_t start = m_deadline_start[i].load(std::memory_order_acquire);
    if (start != kNoStart && now.count() - start > c.deadlines[i].max.count()) {
      v = static_cast<std::uint8_t>(v | bit(Violation::deadline));  // started, never ended: hung
    }
  }
  EntityStatus s = m_status.load(std::memory_order_relaxed);
  std::uint32_t failed = m_failed_cycles.load(std::memory_order_relaxed);
  if (s != EntityStatus::expired) {
    if (v != 0U) {
      ++failed;
      s = failed > c.failed_tolerance ? EntityStatus::expired : EntityStatus::failed;
      m_last_violations.store(v, std::memory_order_release);
    } else if (failed > 0U) {
      --failed;
      s = failed == 0U ? EntityStatus::ok : EntityStatus::failed;
    }
  }
  m_failed_cycles.store(failed, std::memory_order_release);
  m_status.store(s, std::memory_order_release);
  return v;
}

WatchdogManager::WatchdogManager(const Clock& clock, SupervisorConfig config, SafeStateHook on_expired)
    : m_clock(clock),
      m_cycle_period(config.cycle_period),
      m_expired_tolerance(config.expired_tolerance),
      m_on_expired(std::move(on_expired)) {
  if (m_cycle_period.count() <= 0) raise("WatchdogManager: cycle_period must be positive");
  if (!m_on_expired) raise("WatchdogManager: a safe-state hook is required");
  for (EntityConfig& e : config.entities) {
    for (const auto& existing : m_entities) {
      if (existing->name() == e.name) raise("WatchdogManager: duplicate entity name '" + e.name + "'");
    }
    m_entities.push_back(std::make_unique<SupervisedEntity>(clock, std::move(e)));
  }
}

WatchdogManager::~WatchdogManager() { stop_thread(); }

void WatchdogManager::add_watchdog(Watchdog& sink) {
  const std::chrono::nanoseconds limit = sink.max_cycle_period();
  if (limit.count() > 0 && m_cycle_period > limit) {
    raise(std::string("WatchdogManager: cycle_period ") + std::to_string(m_cycle_period.count()) +
          " ns is longer than watchdog '" + sink.name() + "' allows (" + std::to_string(limit.count()) +
          " ns)");
  }
  if (m_thread.joinable()) raise("WatchdogManager: add_watchdog while the supervision thread runs");
  m_sinks.push_back(&sink);
}

SupervisedEntity& WatchdogManager::entity(std::size_t index) {
  if (index >= m_entities.size())
    raise("WatchdogManager: entity index " + std::to_string(index) + " out of range");
  return *m_entities[index];
}

SupervisedEntity& WatchdogManager::entity(std::string_view name) {
  for (const auto& e : m_entities) {
    if (e->name() == name) return *e;
  }
  raise("WatchdogManager: no entity named '" + std::string(name) + "'");
}

FeedStatus WatchdogManager::start() noexcept {
  const std::lock_guard<std::mutex> lock(m_cycle_mutex);
  FeedStatus worst = FeedStatus::ok;
  const std::chrono::nanoseconds now = m_clock.now();
  for (Watchdog* s : m_sinks) {
    const FeedStatus r = s->start(now);
    if (r == FeedStatus::failed) {
      worst = FeedStatus::failed;
      m_feed_failures.fetch_add(1, std::memory_order_relaxed);
    }
  }
  m_armed = true;
  return worst;
}

GlobalStatus WatchdogManager::main_function() noexcept {
  const std::lock_guard<std::mutex> lock(m_cycle_mutex);
  GlobalStatus g = m_global.load(std::memory_order_relaxed);
  if (g == GlobalStatus::disarmed) return g;
  const std::chrono::nanoseconds now = m_clock.now();
  bool any_failed = false;
  bool any_expired = false;
  for (std::size_t i = 0; i < m_entities.size(); ++i) {
    SupervisedEntity& e = *m_entities[i];
    const EntityStatus before = e.status();
    const std::uint8_t v = e.evaluate(now);
    const EntityStatus after = e.status();
    if (after == EntityStatus::expired && before != EntityStatus::expired) {
      // The safe-state hook runs first, while the watchdog is still being fed.
      m_on_expired(ExpiryReport{static_cast<std::uint32_t>(i), e.name().c_str(), v, now});
    }
    any_failed = any_failed || after == EntityStatus::failed;
    any_expired = any_expired || after == EntityStatus::expired;
  }
  if (g == GlobalStatus::ok || g == GlobalStatus::failed) {
    if (any_expired) {
      g = GlobalStatus::expired;
      m_expired_cycles = 0;
    } else {
      g = any_failed ? GlobalStatus::failed : GlobalStatus::ok;
    }
  }
  if (g == GlobalStatus::expired) {
    if (m_expired_cycles >= m_expired_tolerance) {
      g = GlobalStatus::stopped;
      for (Watchdog* s : m_sinks) s->expire();
    } else {
      ++m_expired_cycles;
    }
  }
  if (m_armed && g != GlobalStatus::stopped) {
    for (Watchdog* s : m_sinks) {
      if (s->feed(now) == FeedStatus::failed) m_feed_failures.fetch_add(1, std::memory_order_relaxed);
    }
  }
  m_global.store(g, std::memory_order_release);
  m_cycles.fetch_add(1, std::memory_order_relaxed);
  return g;
}

void WatchdogManager::start_thread() {
  if (m_thread.joinable()) raise("WatchdogManager: the supervision thread is already running");
  {
    const std::lock_guard<std::mutex> lock(m_thread_mutex);
    m_stop_requested = false;
  }
  m_thread = std::thread([this] {
    std::unique_lock<std::mutex> lock(m_thread_mutex);
    while (!m_stop_requested) {
      lock.unlock();
      static_cast<void>(main_function());
      lock.lock();
      m_wake.wait_for(lock, m_cycle_period, [this] { return m_stop_requested; });
    }
  });
}

void WatchdogManager::stop_thread() noexcept {
  if (!m_thread.joinable()) return;
  {
    const std::lock_guard<std::mutex> lock(m_thread_mutex);
    m_stop_requested = true;
  }
  m_wake.notify_all();
  m_thread.join();
}

ShutdownStatus WatchdogManager::shutdown() noexcept {
  stop_thread();
  const std::lock_guard<std::mutex> lock(m_cycle_mutex);
  const GlobalStatus g = m_global.load(std::memory_order_relaxed);
  if (g == GlobalStatus::expired || g == GlobalStatus::stopped) return ShutdownStatus::refused_expired;
  if (g == GlobalStatus::disarmed) return ShutdownStatus::disarmed;
  ShutdownStatus result = ShutdownStatus::disarmed;
  for (Watchdog* s : m_sinks) {
    if (s->disarm() == FeedStatus::failed) result = ShutdownStatus::disarm_failed;
  }
  m_global.store(GlobalStatus::disarmed, std::memory_order_release);
  return result;
}

}  // namespace lockstep::hw
