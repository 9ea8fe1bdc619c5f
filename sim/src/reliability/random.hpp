#pragma once
// Small, fast, seedable generators for the plant and reliability Monte Carlo (private header).
// SplitMix64 derives independent per-trial seeds from (campaign seed, trial index), so results
// never depend on how trials are spread over threads; xoshiro256** draws the numbers.

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace lockstep::sim::detail {

[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t& x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = x;
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

/// Mixes a campaign seed and a trial index into one well-spread 64-bit seed.
[[nodiscard]] constexpr std::uint64_t trial_seed(std::uint64_t seed, std::uint64_t index) noexcept {
  std::uint64_t x = seed ^ (index * 0xD1B54A32D192ED03ULL);
  (void)splitmix64(x);
  return splitmix64(x);
}

/// xoshiro256** (Blackman & Vigna 2018). Not cryptographic; statistically strong and cheap.
class Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t seed) noexcept {
    for (auto& s : m_s) s = splitmix64(seed);
  }
  [[nodiscard]] std::uint64_t next() noexcept {
    const std::uint64_t result = std::rotl(m_s[1] * 5U, 7) * 9U;
    const std::uint64_t t = m_s[1] << 17U;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = std::rotl(m_s[3], 45);
    return result;
  }
  /// Uniform in (0, 1]: never 0, so -log(u) is finite.
  [[nodiscard]] double uniform_open0() noexcept {
    return (static_cast<double>(next() >> 11U) + 1.0) * 0x1.0p-53;
  }
  /// Uniform in [0, 1).
  [[nodiscard]] double uniform() noexcept { return static_cast<double>(next() >> 11U) * 0x1.0p-53; }
  /// Exponential with the given rate (> 0).
  [[nodiscard]] double exponential(double rate) noexcept { return -std::log(uniform_open0()) / rate; }
  /// Standard normal (Box-Muller, one of the pair).
  [[nodiscard]] double normal() noexcept {
    const double u1 = uniform_open0();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
  }
  /// Bernoulli(p).
  [[nodiscard]] bool chance(double p) noexcept { return uniform() < p; }

 private:
  std::uint64_t m_s[4]{};
};

}  // namespace lockstep::sim::detail
