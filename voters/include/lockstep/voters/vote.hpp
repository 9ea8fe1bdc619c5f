#pragma once
// The result of an N-way vote, and the options every voter accepts.

#include <cstdint>
#include <optional>

#include <lockstep/core/replica_mask.hpp>

namespace lockstep {

/// What a vote concluded.
enum class Outcome : std::uint8_t {
  unanimous,    ///< every counted replica agreed (missing replicas make it `masked`)
  masked,       ///< a value was decided although some replicas dissented or were missing
  no_majority,  ///< no value could be decided
};

/// Whom a majority is counted against.
enum class Quorum : std::uint8_t {
  of_configured,  ///< strictly more than N/2 of all N replicas (default: a missing replica never helps)
  of_present,     ///< strictly more than half of the replicas present (caller's explicit choice)
};

/// Non-finite floating values (NaN, +-inf) in a replica.
enum class NonFinite : std::uint8_t {
  dissent,  ///< default: a replica that produced NaN/inf dissents
  compare,  ///< opt-in: compared like any other value (NaN equal to NaN bitwise)
};

/// Options shared by all voters. Defaults are the safe choice.
struct VoteOptions {
  /// Replicas whose outputs exist (others were late, crashed or excluded). Intersected with
  /// the first N replicas, so the default means "all present".
  ReplicaMask present = ReplicaMask::all();
  Quorum quorum = Quorum::of_configured;
  NonFinite non_finite = NonFinite::dissent;
};

/// Result of a vote over values of type T.
/// Usage: `auto v = voters::majority(std::span{outs}); if (v.decided()) use(*v.value);`
/// Thread safety: a value. On failure: `outcome == no_majority` and `value` is empty.
template <class T>
struct Vote {
  std::optional<T> value{};  ///< the decided value, empty when nothing was decided
  Outcome outcome{Outcome::no_majority};
  ReplicaMask
      dissent{};  ///< present replicas that disagreed with the decision (all present ones on no_majority)
  std::uint8_t agreeing{0};  ///< replicas in the deciding group

  [[nodiscard]] constexpr bool decided() const noexcept { return outcome != Outcome::no_majority; }
};

/// Result of a vote that wrote its value into a caller-provided buffer (large arrays).
struct VoteReport {
  Outcome outcome{Outcome::no_majority};
  ReplicaMask dissent{};
  std::uint8_t agreeing{0};
  [[nodiscard]] constexpr bool decided() const noexcept { return outcome != Outcome::no_majority; }
};

}  // namespace lockstep
