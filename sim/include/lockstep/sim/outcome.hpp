#pragma once
// How one fault-injection trial ended, and the rule that decides it from what the golden
// (fault-free) call and the faulty call did.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lockstep::sim {

/// Classification of one trial. The numeric values are stored in results databases: never
/// renumber them.
enum class TrialOutcome : std::uint8_t {
  benign = 0,     ///< no replica output changed (the fault was overwritten or never activated)
  masked = 1,     ///< some replica output was wrong, the delivered output is correct, no error raised
  detected = 2,   ///< no decision was possible and the executor signalled it; nothing wrong delivered
  recovered = 3,  ///< detected, then corrected by retry/rollback; the correct output was delivered
  sdc = 4,        ///< a wrong output was delivered silently (silent data corruption)
  timeout = 5,    ///< no result within the deadline bound
};
inline constexpr std::uint32_t kOutcomeCount = 6;
inline constexpr std::array<TrialOutcome, kOutcomeCount> kAllOutcomes{
    TrialOutcome::benign,    TrialOutcome::masked, TrialOutcome::detected,
    TrialOutcome::recovered, TrialOutcome::sdc,    TrialOutcome::timeout};

[[nodiscard]] constexpr std::string_view to_string(TrialOutcome o) noexcept {
  switch (o) {
    case TrialOutcome::benign:
      return "benign";
    case TrialOutcome::masked:
      return "masked";
    case TrialOutcome::detected:
      return "detected";
    case TrialOutcome::recovered:
      return "recovered";
    case TrialOutcome::sdc:
      return "sdc";
    case TrialOutcome::timeout:
      return "timeout";
  }
  return "unknown";
}

/// Parses a name produced by to_string; empty on anything else.
[[nodiscard]] constexpr std::optional<TrialOutcome> parse_outcome(std::string_view name) noexcept {
  for (const TrialOutcome o : kAllOutcomes) {
    if (to_string(o) == name) return o;
  }
  return std::nullopt;
}

/// What the faulty call of a trial did, compared with its golden call. Filled by the trial
/// runner from the executor's CallResult; unit tests build it by hand.
struct CallObservation {
  bool any_replica_changed{false};  ///< some replica's output differed from golden, was missing, or failed
  bool decided{false};              ///< the executor delivered a value
  bool delivered_correct{false};    ///< that value equals golden (exact) or is within tolerance
  bool signalled{false};            ///< the executor reported a problem (no decision, safe state, failure)
  bool recovered{false};            ///< the executor retried/rolled back and then decided
  bool timed_out{false};            ///< the caller got no result within the deadline bound
};

/// The classification rule (docs/sim.md "Outcomes"), in order:
/// 1. a decided, wrong value -> sdc (whatever else was flagged: the value was delivered);
/// 2. no decided value and the call ran out of time -> timeout;
/// 3. no decided value -> detected;
/// 4. a correct value after a retry/rollback -> recovered;
/// 5. a correct value while some replica was wrong -> masked;
/// 6. otherwise -> benign.
[[nodiscard]] constexpr TrialOutcome classify(const CallObservation& c) noexcept {
  if (c.decided && !c.delivered_correct) return TrialOutcome::sdc;
  if (!c.decided) return c.timed_out ? TrialOutcome::timeout : TrialOutcome::detected;
  if (c.timed_out) return TrialOutcome::timeout;
  if (c.recovered) return TrialOutcome::recovered;
  if (c.any_replica_changed) return TrialOutcome::masked;
  return TrialOutcome::benign;
}

/// Counts per outcome. Usage: `counts[TrialOutcome::sdc]`.
struct OutcomeCounts {
  std::array<std::uint64_t, kOutcomeCount> by_outcome{};
  [[nodiscard]] constexpr std::uint64_t operator[](TrialOutcome o) const noexcept {
    return by_outcome[static_cast<std::size_t>(o)];
  }
  constexpr void add(TrialOutcome o, std::uint64_t n = 1) noexcept {
    by_outcome[static_cast<std::size_t>(o)] += n;
  }
  [[nodiscard]] constexpr std::uint64_t total() const noexcept {
    std::uint64_t t = 0;
    for (const std::uint64_t n : by_outcome) t += n;
    return t;
  }
  friend constexpr bool operator==(const OutcomeCounts&, const OutcomeCounts&) noexcept = default;
};

}  // namespace lockstep::sim
