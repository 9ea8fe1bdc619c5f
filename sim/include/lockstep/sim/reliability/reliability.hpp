#pragma once
// Reliability models of redundant systems: closed-form (Markov) values next to Monte Carlo
// estimates from simulated component lifetimes, so the simulator can be checked against the
// mathematics engineers already trust (Siewiorek & Swarz; Trivedi; Shooman; docs/reliability.md).

#include <cstdint>
#include <string>
#include <string_view>

namespace lockstep::sim::reliability {

/// Redundancy structure. `simplex`: one unit. `dmr`: two units compared, both needed (a
/// mismatch is detected and service stops: 2-out-of-2). `tmr`: 2-out-of-3 majority.
/// `nmr`: N units, majority m = floor(N/2) + 1 needed.
enum class Model : std::uint8_t { simplex, dmr, tmr, nmr };

/// What is computed. `reliability`: P(system up throughout [0, t]). `mttf`: mean time to
/// system failure from all units up. `availability`: steady-state fraction of time the system
/// is up when failed units (and a failed system) are repaired at rate mu by one repair crew.
enum class Metric : std::uint8_t { reliability, mttf, availability };

/// One question to answer.
/// Usage: `ModelSpec s{.model = Model::tmr, .lambda = 1e-3, .time = 500.0};`
struct ModelSpec {
  Model model = Model::tmr;
  std::uint32_t n = 3;             ///< units; forced to 1/2/3 by simplex/dmr/tmr
  double lambda = 1e-3;            ///< per-unit constant failure rate (1/time unit)
  double time = 1.0;               ///< mission time (reliability) or observation window (availability MC)
  double voter_reliability = 1.0;  ///< P(the voter works over the mission); reliability and mttf only
  double mu = 0.0;                 ///< repair rate of one failed unit (one crew); 0 = no repair
  Metric metric = Metric::reliability;
};

/// A Monte Carlo estimate with its two-sided 95% interval.
struct Estimate {
  double value = 0.0;
  double lo = 0.0;
  double hi = 0.0;
  std::uint64_t trials = 0;
  [[nodiscard]] bool contains(double x) const noexcept { return lo <= x && x <= hi; }
};

/// Units a model has (1, 2, 3 or spec.n) and how many must work (1, 2, 2, floor(N/2)+1).
[[nodiscard]] std::uint32_t units(const ModelSpec& spec) noexcept;
[[nodiscard]] std::uint32_t needed(const ModelSpec& spec) noexcept;

/// Checks a spec; raises lockstep::Error naming the bad field (lambda <= 0, N out of 1..16,
/// a voter reliability outside [0, 1], availability without repair, ...).
void validate(const ModelSpec& spec);

/// sum_{i=m}^{n} C(n,i) r^i (1-r)^(n-i): P(at least m of n independent units work), each with
/// reliability r. Requires m <= n <= 64 and r in [0, 1].
[[nodiscard]] double m_of_n(std::uint32_t m, std::uint32_t n, double r) noexcept;

/// The closed-form value of the spec's metric (validate first; raises on a bad spec).
/// Without repair: R(t) = Rv * m_of_n(m, N, exp(-lambda t)), MTTF = Rv/lambda * sum_{k=m}^{N} 1/k.
/// With repair: the birth-death Markov chain over the number of working units
/// (failures k*lambda, repairs mu), solved exactly (matrix exponential / linear solve).
[[nodiscard]] double analytic(const ModelSpec& spec);

/// Monte Carlo estimate from simulated exponential lifetimes (and exponential repairs),
/// `trials` independent trials on `threads` threads (0 = all cores). Trial i draws from a
/// generator seeded by (seed, i) only, so the estimate does not depend on the thread count.
/// Intervals: Wilson for reliability (a proportion), mean +- 1.96 s/sqrt(n) for mttf and
/// availability. Raises lockstep::Error on a bad spec or trials == 0.
[[nodiscard]] Estimate simulate(const ModelSpec& spec, std::uint64_t trials, std::uint64_t seed,
                                std::uint32_t threads = 0);

/// Wilson score interval (z = 1.96) for `successes` out of `trials` (trials > 0).
[[nodiscard]] Estimate wilson(std::uint64_t successes, std::uint64_t trials) noexcept;

[[nodiscard]] std::string_view to_string(Model m) noexcept;
[[nodiscard]] std::string_view to_string(Metric m) noexcept;
/// Parse a name; raises lockstep::Error listing the valid names.
[[nodiscard]] Model parse_model(std::string_view name);
[[nodiscard]] Metric parse_metric(std::string_view name);

}  // namespace lockstep::sim::reliability
