#include <lockstep/runtime/health.hpp>
#include <lockstep/runtime/telemetry.hpp>

#include <bit>
#include <cmath>
#include <cstdio>

#include <lockstep/core/error.hpp>

namespace lockstep {

const char* to_string(EventKind k) noexcept {
  switch (k) {
    case EventKind::dissent:
      return "dissent";
    case EventKind::late:
      return "late";
    case EventKind::failed:
      return "failed";
    case EventKind::hung_replaced:
      return "hung_replaced";
    case EventKind::resynced:
      return "resynced";
    case EventKind::excluded:
      return "excluded";
    case EventKind::spare_activated:
      return "spare_activated";
    case EventKind::level_changed:
      return "level_changed";
    case EventKind::no_decision:
      return "no_decision";
    case EventKind::recovered:
      return "recovered";
    case EventKind::placement_degraded:
      return "placement_degraded";
    case EventKind::state_suspect:
      return "state_suspect";
  }
  return "unknown";
}

EventRing::EventRing(std::uint32_t capacity) : m_mask(0) {
  if (capacity == 0U || capacity > (1U << 24U)) {
    raise("EventRing: capacity must be in 1..16777216, got " + std::to_string(capacity));
  }
  const std::uint32_t cap = std::bit_ceil(capacity);
  m_cells = std::make_unique<Cell[]>(cap);
  for (std::uint32_t i = 0; i < cap; ++i) { m_cells[i].seq.store(i, std::memory_order_relaxed); }
  m_mask = cap - 1U;
}

bool EventRing::try_push(const Event& e) noexcept {
  std::uint64_t pos = m_tail.load(std::memory_order_relaxed);
  for (;;) {
    Cell& cell = m_cells[pos & m_mask];
    const std::uint64_t seq = cell.seq.load(std::memory_order_acquire);
    if (seq == pos) {
      if (m_tail.compare_exchange_weak(pos, pos + 1U, std::memory_order_relaxed)) {
        cell.event = e;
        cell.seq.store(pos + 1U, std::memory_order_release);
        m_pushed.fetch_add(1U, std::memory_order_relaxed);
        return true;
      }
    } else if (seq < pos) {
      m_dropped.fetch_add(1U, std::memory_order_relaxed);
      return false;  // full
    } else {
      pos = m_tail.load(std::memory_order_relaxed);
    }
  }
}

bool EventRing::try_pop(Event& out) noexcept {
  const std::uint64_t pos = m_head.load(std::memory_order_relaxed);
  Cell& cell = m_cells[pos & m_mask];
  const std::uint64_t seq = cell.seq.load(std::memory_order_acquire);
  if (seq != pos + 1U) return false;  // empty (single consumer: no race on m_head)
  out = cell.event;
  cell.seq.store(pos + m_mask + 1U, std::memory_order_release);
  m_head.store(pos + 1U, std::memory_order_relaxed);
  return true;
}

namespace {
void append_number(std::string& s, double v) {
  if (!std::isfinite(v)) {
    s += "null";
    return;
  }
  std::array<char, 32> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%.17g", v);
  s.append(buf.data(), static_cast<std::size_t>(n > 0 ? n : 0));
}
void append_field(std::string& s, const char* key, std::uint64_t v, bool comma = true) {
  s += '"';
  s += key;
  s += "\":";
  s += std::to_string(v);
  if (comma) s += ',';
}
}  // namespace

std::string to_json(const Event& e) {
  std::string s = "{";
  append_field(s, "call", e.call);
  s += "\"time_ns\":" + std::to_string(e.time_ns) + ",";
  s += "\"kind\":\"";
  s += to_string(e.kind);
  s += "\",";
  if (e.replica == 0xFFU) {
    s += "\"replica\":null,";
  } else {
    append_field(s, "replica", e.replica);
  }
  s += "\"level\":\"";
  s += to_string(e.level);
  s += "\",\"magnitude\":";
  append_number(s, e.magnitude);
  s += '}';
  return s;
}

std::string Telemetry::to_json() const {
  std::string s = "{";
  append_field(s, "calls", calls.load(std::memory_order_relaxed));
  append_field(s, "masked", masked.load(std::memory_order_relaxed));
  append_field(s, "no_decisions", no_decisions.load(std::memory_order_relaxed));
  append_field(s, "recoveries", recoveries.load(std::memory_order_relaxed));
  s += "\"level\":\"";
  s += to_string(level.load(std::memory_order_relaxed));
  s += "\",\"events\":{";
  append_field(s, "capacity", m_events.capacity());
  append_field(s, "pushed", m_events.pushed());
  append_field(s, "dropped", m_events.dropped(), false);
  s += "},\"replicas\":[";
  for (std::uint32_t i = 0; i < m_replicas; ++i) {
    const ReplicaCounters& c = m_counters[i];
    if (i != 0U) s += ',';
    s += '{';
    append_field(s, "replica", i);
    append_field(s, "calls", c.calls.load(std::memory_order_relaxed));
    append_field(s, "dissents", c.dissents.load(std::memory_order_relaxed));
    append_field(s, "late", c.late.load(std::memory_order_relaxed));
    append_field(s, "failed", c.failed.load(std::memory_order_relaxed));
    append_field(s, "resyncs", c.resyncs.load(std::memory_order_relaxed));
    append_field(s, "hangs", c.hangs.load(std::memory_order_relaxed));
    s += "\"alpha\":";
    append_number(s, c.alpha.load(std::memory_order_relaxed));
    s += ",\"excluded\":";
    s += c.excluded.load(std::memory_order_relaxed) ? "true" : "false";
    s += '}';
  }
  s += "],\"workers\":[";
  for (std::uint32_t w = 0; w < workers && w < placement.size(); ++w) {
    const WorkerPlacement& p = placement[w];
    if (w != 0U) s += ',';
    s += "{\"core\":" + std::to_string(p.core) + ",\"status\":\"";
    s += hw::to_string(p.status);
    s += "\",\"shared\":";
    s += p.shared ? "true" : "false";
    s += '}';
  }
  s += "]}";
  return s;
}

}  // namespace lockstep
