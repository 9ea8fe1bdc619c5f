#pragma once
// Helpers shared by the kernel tests: seeded random matrices and a seed banner for failures.

#include <Eigen/Core>

#include <cstdint>
#include <random>
#include <string>

namespace lockstep::kernels::test {

/// Seed used by every randomised kernel test; printed via SCOPED_TRACE on failure.
inline constexpr std::uint64_t kSeed = 20261127;

inline std::string seed_trace(std::uint64_t seed, int trial) {
  return "seed=" + std::to_string(seed) + " trial=" + std::to_string(trial);
}

template <int R, int C>
Eigen::Matrix<double, R, C> random_matrix(std::mt19937_64& rng, double lo = -1.0, double hi = 1.0) {
  std::uniform_real_distribution<double> dist(lo, hi);
  Eigen::Matrix<double, R, C> m;
  for (int j = 0; j < C; ++j) {
    for (int i = 0; i < R; ++i) m(i, j) = dist(rng);
  }
  return m;
}

template <int N>
Eigen::Matrix<double, N, N> random_spd(std::mt19937_64& rng, double shift = 0.5) {
  const Eigen::Matrix<double, N, N> m = random_matrix<N, N>(rng);
  return m * m.transpose() + shift * Eigen::Matrix<double, N, N>::Identity();
}

}  // namespace lockstep::kernels::test
