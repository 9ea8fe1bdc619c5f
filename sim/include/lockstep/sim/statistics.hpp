#pragma once
// Campaign statistics: binomial confidence intervals and statistical fault-injection sample
// sizes. Rates are always reported next to absolute counts (Schirmeier et al., DSN 2015:
// rates alone mislead when schemes differ in runtime or fault-space size).

#include <cstdint>

namespace lockstep::sim {

/// A closed interval [lo, hi] of proportions.
struct Interval {
  double lo{0.0};
  double hi{1.0};
};

/// Wilson score interval for `successes` out of `trials` at normal quantile `z` (1.96 = 95%).
/// Well behaved at 0 and at `trials` successes (unlike the Wald interval), which is the case
/// that matters here: "0 SDC in 100,000 trials" gives [0, 3.8e-5].
/// On failure: trials == 0 gives [0, 1] (nothing is known); successes > trials is clamped.
[[nodiscard]] Interval wilson_interval(std::uint64_t successes, std::uint64_t trials,
                                       double z = 1.96) noexcept;

/// Normal quantile for a two-sided confidence level (0.90, 0.95, 0.99, 0.999 exactly; other
/// levels by a rational approximation, |error| < 5e-4). On failure: levels outside (0, 1) give 0.
[[nodiscard]] double normal_quantile_two_sided(double confidence) noexcept;

/// Statistical fault-injection sample size (Leveugle, Calvez, Maistri, Vanhauwaert, DATE 2009,
/// eq. 4): n = N / (1 + e^2 (N - 1) / (t^2 p (1 - p))), for a fault population of N, an error
/// margin e, the cut-off t of the confidence level and the estimated proportion p (0.5 when
/// unknown, the worst case). population == 0 means infinite: n = t^2 p (1 - p) / e^2.
/// Usage: `leveugle_sample_size(0, 0.01)` == 9604 trials for +-1% at 95%.
/// On failure: margin <= 0 or p outside (0, 1) or confidence outside (0, 1) returns 0.
[[nodiscard]] std::uint64_t leveugle_sample_size(std::uint64_t population, double margin,
                                                 double confidence = 0.95, double p = 0.5) noexcept;

}  // namespace lockstep::sim
