#include <lockstep/sim/statistics.hpp>

#include <algorithm>
#include <cmath>

namespace lockstep::sim {

Interval wilson_interval(std::uint64_t successes, std::uint64_t trials, double z) noexcept {
  if (trials == 0) return {0.0, 1.0};
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(std::min(successes, trials)) / n;
  const double z2 = z * z;
  const double denom = 1.0 + z2 / n;
  const double centre = (p + z2 / (2.0 * n)) / denom;
  const double half = z * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom;
  Interval r{std::max(0.0, centre - half), std::min(1.0, centre + half)};
  if (successes == 0) r.lo = 0.0;
  if (successes >= trials) r.hi = 1.0;
  return r;
}

double normal_quantile_two_sided(double confidence) noexcept {
  if (!(confidence > 0.0 && confidence < 1.0)) return 0.0;
  // Exact table values for the levels people ask for.
  struct Row {
    double c;
    double t;
  };
  constexpr Row kTable[] = {{0.90, 1.6448536269514722},
                            {0.95, 1.959963984540054},
                            {0.99, 2.5758293035489004},
                            {0.999, 3.2905267314918945}};
  for (const Row& r : kTable) {
    if (std::fabs(confidence - r.c) < 1e-12) return r.t;
  }
  // Abramowitz & Stegun 26.2.23 for the upper tail probability q = (1 - c) / 2.
  const double q = (1.0 - confidence) / 2.0;
  const double t = std::sqrt(-2.0 * std::log(q));
  return t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
                 (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
}

std::uint64_t leveugle_sample_size(std::uint64_t population, double margin, double confidence,
                                   double p) noexcept {
  if (!(margin > 0.0) || !(p > 0.0 && p < 1.0)) return 0;
  const double t = normal_quantile_two_sided(confidence);
  if (t <= 0.0) return 0;
  const double inf = t * t * p * (1.0 - p) / (margin * margin);
  if (population == 0) return static_cast<std::uint64_t>(std::ceil(inf - 1e-9));
  const double n_pop = static_cast<double>(population);
  const double n = n_pop / (1.0 + margin * margin * (n_pop - 1.0) / (t * t * p * (1.0 - p)));
  return std::min(population, static_cast<std::uint64_t>(std::ceil(n - 1e-9)));
}

}  // namespace lockstep::sim
