#pragma once
// Deterministic per-trial randomness: every trial draws from its own generator seeded from
// (campaign seed, trial index), so results never depend on thread count, scheduling, shards
// or resumption.

#include <cstdint>

namespace lockstep::sim {

/// One step of SplitMix64 (Steele, Lea, Flood, OOPSLA 2014): a bijective 64-bit mixer.
[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31U);
}

/// The seed of trial `index` of a campaign seeded with `campaign_seed`. Two different trial
/// indices of one campaign never share a seed (splitmix64 is a bijection).
[[nodiscard]] constexpr std::uint64_t trial_seed(std::uint64_t campaign_seed, std::uint64_t index) noexcept {
  return splitmix64(splitmix64(campaign_seed) ^ index);
}

/// Small, fast, seedable generator (SplitMix64 stream) for drawing a trial's input and fault.
/// Usage: `TrialRng rng{trial_seed(seed, i)}; auto bit = rng.below(32);`
/// Thread safety: a value; one per trial, never shared. On failure: never fails.
class TrialRng {
 public:
  explicit constexpr TrialRng(std::uint64_t seed) noexcept : m_state(seed) {}
  constexpr std::uint64_t next() noexcept {
    m_state += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = m_state;
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
  }
  /// Uniform in [0, bound) (Lemire's multiply-shift; bias below 2^-32 for the bounds used here).
  /// Returns 0 when bound is 0.
  constexpr std::uint32_t below(std::uint32_t bound) noexcept {
    const std::uint64_t r = next() >> 32U;
    return static_cast<std::uint32_t>((r * bound) >> 32U);
  }
  /// Uniform double in [0, 1).
  constexpr double uniform() noexcept { return static_cast<double>(next() >> 11U) * 0x1.0p-53; }

 private:
  std::uint64_t m_state;
};

}  // namespace lockstep::sim
