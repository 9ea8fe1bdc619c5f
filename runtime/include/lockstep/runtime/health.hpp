#pragma once
// Replica health: the alpha-count that tells transient faults from intermittent/permanent ones,
// and the degradation ladder, an explicit state machine.
//
// Ladder (N configured active replicas, S hot spares, m = min_active):
//
//   nominal --exclude, spare left--> spare_active --exclude, spare left--> spare_active
//      |                                 |
//      +--exclude, no spare--+-----------+
//                            v
//        active >= 3 : degraded      (still masks one fault)
//        active == 2 : detect_only   (a disagreement is detected, not masked)
//        active <  m : safe_state    (absorbing: no replica runs; only repair()/reset() leave it)
//   repair(): an excluded replica returns; the level is recomputed from the active count.
//   spare_activated(): a hung worker was replaced by a spare: nominal -> spare_active.

#include <cstdint>

#include <lockstep/runtime/call_result.hpp>
#include <lockstep/runtime/config.hpp>

namespace lockstep {

/// Bondavalli's alpha-count for one replica: alpha += 1 on an erroneous call, alpha *= decay on
/// a correct one; `threshold` reached = intermittent/permanent.
/// Usage: `AlphaCount a{0.9, 3.0}; if (a.update(erroneous)) exclude();`
/// Thread safety: not thread-safe (the executor's caller thread owns it).
/// On failure: n/a (decay outside [0,1] or threshold <= 0 are rejected by the executor config check).
class AlphaCount {
 public:
  constexpr AlphaCount() noexcept = default;
  constexpr AlphaCount(double decay, double threshold) noexcept : m_decay(decay), m_threshold(threshold) {}

  /// Records one call; returns true exactly when this call made alpha reach the threshold.
  [[nodiscard]] constexpr bool update(bool erroneous) noexcept {
    const bool was = judged_permanent();
    m_alpha = erroneous ? m_alpha + 1.0 : m_alpha * m_decay;
    return !was && judged_permanent();
  }
  [[nodiscard]] constexpr double value() const noexcept { return m_alpha; }
  [[nodiscard]] constexpr bool judged_permanent() const noexcept { return m_alpha >= m_threshold; }
  constexpr void reset() noexcept { m_alpha = 0.0; }

 private:
  double m_decay{0.9};
  double m_threshold{3.0};
  double m_alpha{0.0};
};

/// One step of the ladder.
struct LadderStep {
  Level from{Level::nominal};
  Level to{Level::nominal};
  bool spare_taken{false};  ///< the step consumed a hot spare
  [[nodiscard]] constexpr bool changed() const noexcept { return from != to; }
};

/// The degradation ladder as a pure state machine (no threads, no clock): the executor feeds it
/// events, tests drive it transition by transition.
/// Usage: `HealthLadder l{3, 1, 2}; auto s = l.on_permanent(true); // nominal -> spare_active`
/// Thread safety: not thread-safe (owned by the executor's caller thread).
/// On failure: events in safe_state leave it there (absorbing).
class HealthLadder {
 public:
  constexpr HealthLadder(std::uint32_t replicas, std::uint32_t min_active) noexcept
      : m_replicas(replicas), m_active(replicas), m_min_active(min_active) {}

  [[nodiscard]] constexpr Level level() const noexcept { return m_level; }
  [[nodiscard]] constexpr std::uint32_t active() const noexcept { return m_active; }

  /// A replica was judged permanent. With a spare available it is replaced (the caller takes
  /// the spare); otherwise the active set shrinks.
  [[nodiscard]] constexpr LadderStep on_permanent(bool spare_available) noexcept {
    LadderStep s{m_level, m_level, false};
    if (m_level == Level::safe_state) return s;
    if (spare_available) {
      m_spares_used = true;
      s.spare_taken = true;
    } else if (m_active > 0) {
      --m_active;
    }
    m_level = level_for();
    s.to = m_level;
    return s;
  }
  /// A hung worker was replaced by a spare worker (the replica itself stays active).
  [[nodiscard]] constexpr LadderStep on_spare_activated() noexcept {
    LadderStep s{m_level, m_level, true};
    if (m_level == Level::safe_state) return s;
    m_spares_used = true;
    m_level = level_for();
    s.to = m_level;
    return s;
  }
  /// An excluded replica was repaired and returns (operator action); may leave safe_state.
  [[nodiscard]] constexpr LadderStep on_repair() noexcept {
    LadderStep s{m_level, m_level, false};
    if (m_active < m_replicas) ++m_active;
    m_level = level_for();
    s.to = m_level;
    return s;
  }
  /// Back to nominal (all replicas active, spares counted as unused).
  constexpr void reset() noexcept {
    m_active = m_replicas;
    m_spares_used = false;
    m_level = Level::nominal;
  }

 private:
  [[nodiscard]] constexpr Level level_for() const noexcept {
    if (m_active < m_min_active || m_active == 0) return Level::safe_state;
    if (m_active == m_replicas) return m_spares_used ? Level::spare_active : Level::nominal;
    if (m_active >= 3) return Level::degraded;
    return Level::detect_only;
  }

  std::uint32_t m_replicas;
  std::uint32_t m_active;
  std::uint32_t m_min_active;
  bool m_spares_used{false};
  Level m_level{Level::nominal};
};

[[nodiscard]] constexpr const char* to_string(Level l) noexcept {
  switch (l) {
    case Level::nominal:
      return "nominal";
    case Level::spare_active:
      return "spare_active";
    case Level::degraded:
      return "degraded";
    case Level::detect_only:
      return "detect_only";
    case Level::safe_state:
      return "safe_state";
  }
  return "unknown";
}

[[nodiscard]] constexpr const char* to_string(CallStatus s) noexcept {
  switch (s) {
    case CallStatus::ok:
      return "ok";
    case CallStatus::masked:
      return "masked";
    case CallStatus::recovered:
      return "recovered";
    case CallStatus::no_decision:
      return "no_decision";
    case CallStatus::safe_state:
      return "safe_state";
  }
  return "unknown";
}

}  // namespace lockstep
