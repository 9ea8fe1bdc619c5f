#pragma once
// What one executor call returns: the vote, who was late/failed/dissenting, and what the
// executor did about it (retry, rollback, resync, safe state).

#include <chrono>
#include <cstdint>

#include <lockstep/core/replica_mask.hpp>
#include <lockstep/voters/vote.hpp>

namespace lockstep {

/// Degradation ladder level (see health.hpp for the state machine).
enum class Level : std::uint8_t {
  nominal,       ///< all N configured replicas active, no spare used
  spare_active,  ///< a hot spare replaced an excluded replica; still N active
  degraded,      ///< fewer than N active, but at least 3: still masks one fault
  detect_only,   ///< 2 active: a disagreement is detected, never masked
  safe_state,    ///< fewer than `min_active` healthy replicas: no replica runs, every call is safe state
};

/// The one-word summary of a call.
enum class CallStatus : std::uint8_t {
  ok,           ///< every replica agreed and was on time
  masked,       ///< a value was delivered although replicas dissented, were late or failed
  recovered,    ///< the first round could not decide; a retry / alternate / rollback delivered a value
  no_decision,  ///< nothing delivered: the safe-state handler ran
  safe_state,   ///< the ladder is in safe state: no replica ran, the safe-state handler ran
};

/// Result of one executor call.
/// Usage: `auto r = tmr.run(x); if (!r.vote.decided()) enter_safe_state(); else use(*r.vote.value);`
/// Thread safety: a value. On failure: `vote.decided() == false`, `status` says why.
template <class Output>
struct CallResult {
  Vote<Output> vote{};  ///< the vote (value, outcome, dissent mask, agreeing count)
  CallStatus status{CallStatus::no_decision};
  ReplicaMask late{};              ///< replicas that missed the deadline (excluded from the vote)
  ReplicaMask failed{};            ///< replicas that threw, returned an invalid value, had no worker
  ReplicaMask excluded{};          ///< replicas out of the active set (judged permanent, no spare)
  ReplicaMask resynced{};          ///< replicas whose state was overwritten from a majority replica
  ReplicaMask hung{};              ///< replicas whose worker was abandoned (replaced by a spare) this call
  std::uint64_t call{0};           ///< 1-based call index
  std::uint8_t executions{0};      ///< replica executions run (3 for TMR, +1 after a DuplexRetry tie-break)
  bool recovered{false};           ///< a retry or an alternate delivered the value
  bool spatially_distinct{false};  ///< all present replicas ran on distinct threads and cores
  Level level{Level::nominal};     ///< ladder level after this call
  std::chrono::nanoseconds elapsed{0};  ///< caller time (simulated time on the inline backend)

  [[nodiscard]] constexpr bool decided() const noexcept { return vote.decided(); }
};

}  // namespace lockstep
