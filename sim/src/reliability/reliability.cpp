// Reliability models: closed forms, small exact Markov solutions, and the Monte Carlo that
// checks them. See docs/reliability.md for the derivations and sources.

#include "lockstep/sim/reliability/reliability.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "lockstep/core/error.hpp"
#include "lockstep/core/replica_mask.hpp"
#include "lockstep/sim/statistics.hpp"
#include "parallel.hpp"
#include "random.hpp"

namespace lockstep::sim::reliability {
namespace {

constexpr double kZ95 = 1.959963984540054;
constexpr std::size_t kMaxUnits = kMaxReplicas;  // same bound as the runtime's replica masks

using Matrix = std::array<std::array<double, kMaxUnits + 1>, kMaxUnits + 1>;

// C = A * B over the leading `n` x `n` block.
void multiply(const Matrix& a, const Matrix& b, Matrix& c, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0.0;
      for (std::size_t k = 0; k < n; ++k) s += a[i][k] * b[k][j];
      c[i][j] = s;
    }
  }
}

// exp(A) for a small matrix by scaling and squaring with a 24-term Taylor series
// (Moler & Van Loan 2003, method 3). Generators here are tridiagonal and well scaled.
Matrix expm(const Matrix& a, std::size_t n) {
  double norm = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double row = 0.0;
    for (std::size_t j = 0; j < n; ++j) row += std::fabs(a[i][j]);
    norm = std::max(norm, row);
  }
  int squarings = 0;
  double scale = 1.0;
  while (norm * scale > 0.25 && squarings < 200) {
    scale *= 0.5;
    ++squarings;
  }
  Matrix scaled{};
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) scaled[i][j] = a[i][j] * scale;
  Matrix result{};
  Matrix term{};
  for (std::size_t i = 0; i < n; ++i) {
    result[i][i] = 1.0;
    term[i][i] = 1.0;
  }
  Matrix tmp{};
  for (int k = 1; k <= 24; ++k) {
    multiply(term, scaled, tmp, n);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        term[i][j] = tmp[i][j] / static_cast<double>(k);
        result[i][j] += term[i][j];
      }
    }
  }
  for (int s = 0; s < squarings; ++s) {
    multiply(result, result, tmp, n);
    result = tmp;
  }
  return result;
}

// Solves A x = b (n <= kMaxUnits + 1) by Gaussian elimination with partial pivoting.
std::vector<double> solve(Matrix a, std::vector<double> b, std::size_t n) {
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < n; ++r)
      if (std::fabs(a[r][col]) > std::fabs(a[pivot][col])) pivot = r;
    if (a[pivot][col] == 0.0) raise("reliability: singular Markov system (check lambda and mu)");
    std::swap(a[pivot], a[col]);
    std::swap(b[pivot], b[col]);
    for (std::size_t r = col + 1; r < n; ++r) {
      const double f = a[r][col] / a[col][col];
      for (std::size_t c = col; c < n; ++c) a[r][c] -= f * a[col][c];
      b[r] -= f * b[col];
    }
  }
  std::vector<double> x(n, 0.0);
  for (std::size_t i = n; i-- > 0;) {
    double s = b[i];
    for (std::size_t c = i + 1; c < n; ++c) s -= a[i][c] * x[c];
    x[i] = s / a[i][i];
  }
  return x;
}

// Transient generator over the up states k = N, N-1, ..., m (index 0 = all units working):
// failures k*lambda move to k-1 (leaving the set below m), repairs mu move to k+1.
Matrix transient_generator(std::uint32_t n_units, std::uint32_t m, double lambda, double mu,
                           std::size_t& size) {
  size = static_cast<std::size_t>(n_units) - static_cast<std::size_t>(m) + 1U;
  Matrix q{};
  for (std::size_t idx = 0; idx < size; ++idx) {
    const double k = static_cast<double>(n_units) - static_cast<double>(idx);
    q[idx][idx] = -k * lambda;
    if (idx + 1 < size) q[idx][idx + 1] = k * lambda;
    if (idx > 0) {
      q[idx][idx - 1] = mu;
      q[idx][idx] -= mu;
    }
  }
  return q;
}

// Stationary distribution of the repairable birth-death chain on k = 0..N working units
// (failures k*lambda, one repair crew at rate mu): pi_k proportional to (mu/lambda)^k / k!.
std::array<double, kMaxUnits + 1> stationary(std::uint32_t n_units, double lambda, double mu) noexcept {
  std::array<double, kMaxUnits + 1> pi{};
  pi[0] = 1.0;
  double total = 1.0;
  for (std::uint32_t k = 1; k <= n_units; ++k) {
    pi[k] = pi[k - 1U] * mu / (static_cast<double>(k) * lambda);
    total += pi[k];
  }
  for (std::uint32_t k = 0; k <= n_units; ++k) pi[k] /= total;
  return pi;
}

struct Sums {
  double sum = 0.0;
  double sum_sq = 0.0;
  std::uint64_t count = 0;
};

Estimate mean_interval(const std::vector<Sums>& parts, std::uint64_t trials) {
  Sums total;
  for (const auto& p : parts) {
    total.sum += p.sum;
    total.sum_sq += p.sum_sq;
    total.count += p.count;
  }
  const double n = static_cast<double>(trials);
  const double mean = total.sum / n;
  const double var = trials > 1U ? std::max(0.0, (total.sum_sq - n * mean * mean) / (n - 1.0)) : 0.0;
  const double half = kZ95 * std::sqrt(var / n);
  return Estimate{mean, mean - half, mean + half, trials};
}

// One system lifetime with repair (birth-death chain, absorbing below m) or, with `horizon`
// > 0, whether the system survives to `horizon`. Returns the absorption time, capped at horizon.
double repairable_lifetime(detail::Xoshiro256& rng, std::uint32_t n_units, std::uint32_t m, double lambda,
                           double mu, double horizon) noexcept {
  std::uint32_t k = n_units;
  double t = 0.0;
  for (;;) {
    const double fail_rate = static_cast<double>(k) * lambda;
    const double repair_rate = k < n_units ? mu : 0.0;
    const double total = fail_rate + repair_rate;
    t += rng.exponential(total);
    if (horizon > 0.0 && t >= horizon) return horizon;
    if (rng.uniform() * total < fail_rate) {
      --k;
      if (k < m) return t;
    } else {
      ++k;
    }
  }
}

}  // namespace

std::uint32_t units(const ModelSpec& spec) noexcept {
  switch (spec.model) {
    case Model::simplex:
      return 1U;
    case Model::dmr:
      return 2U;
    case Model::tmr:
      return 3U;
    case Model::nmr:
      return spec.n;
  }
  return spec.n;
}

std::uint32_t needed(const ModelSpec& spec) noexcept {
  switch (spec.model) {
    case Model::simplex:
      return 1U;
    case Model::dmr:  // both must work (a DMR detects, it cannot choose)
    case Model::tmr:  // 2 of 3
      return 2U;
    case Model::nmr:
      return spec.n / 2U + 1U;
  }
  return spec.n / 2U + 1U;
}

void validate(const ModelSpec& spec) {
  if (spec.model == Model::nmr && (spec.n < 1U || spec.n > kMaxUnits))
    raise("reliability: --n must be in 1.." + std::to_string(kMaxUnits) + " for nmr, got " +
          std::to_string(spec.n));
  const std::uint32_t fixed = units(spec);
  if (spec.model != Model::nmr && spec.n != fixed)
    raise("reliability: --n " + std::to_string(spec.n) + " contradicts --model " +
          std::string(to_string(spec.model)) + " (which has " + std::to_string(fixed) +
          " units); use --model nmr for other N");
  if (!(spec.lambda > 0.0) || !std::isfinite(spec.lambda))
    raise("reliability: --lambda must be a finite number > 0");
  if (!(spec.mu >= 0.0) || !std::isfinite(spec.mu)) raise("reliability: --mu must be a finite number >= 0");
  if (!(spec.voter_reliability >= 0.0 && spec.voter_reliability <= 1.0))
    raise("reliability: --voter-reliability must be in [0, 1]");
  if (spec.metric == Metric::reliability || spec.metric == Metric::availability) {
    if (!(spec.time > 0.0) || !std::isfinite(spec.time))
      raise("reliability: --time must be a finite number > 0");
  }
  if (spec.metric == Metric::availability) {
    if (!(spec.mu > 0.0)) raise("reliability: --metric availability needs a repair rate --mu > 0");
    if (spec.voter_reliability != 1.0)
      raise(
          "reliability: --voter-reliability applies to reliability and mttf only (a failed voter is never "
          "repaired)");
  }
}

double m_of_n(std::uint32_t m, std::uint32_t n, double r) noexcept {
  // Terms C(n,i) r^i (1-r)^(n-i) built iteratively, no factorials, no recursion.
  double sum = 0.0;
  double binom = 1.0;  // C(n, i)
  for (std::uint32_t i = 0; i <= n; ++i) {
    if (i > 0) binom = binom * static_cast<double>(n - i + 1U) / static_cast<double>(i);
    if (i >= m)
      sum += binom * std::pow(r, static_cast<double>(i)) * std::pow(1.0 - r, static_cast<double>(n - i));
  }
  return sum;
}

double analytic(const ModelSpec& spec) {
  validate(spec);
  const std::uint32_t n = units(spec);
  const std::uint32_t m = needed(spec);
  const double lambda = spec.lambda;
  const double rv = spec.voter_reliability;
  switch (spec.metric) {
    case Metric::reliability: {
      if (spec.mu == 0.0) return rv * m_of_n(m, n, std::exp(-lambda * spec.time));
      std::size_t size = 0;
      Matrix q = transient_generator(n, m, lambda, spec.mu, size);
      for (std::size_t i = 0; i < size; ++i)
        for (std::size_t j = 0; j < size; ++j) q[i][j] *= spec.time;
      const Matrix p = expm(q, size);
      double r = 0.0;
      for (std::size_t j = 0; j < size; ++j) r += p[0][j];
      return rv * std::clamp(r, 0.0, 1.0);
    }
    case Metric::mttf: {
      if (spec.mu == 0.0) {
        double s = 0.0;
        for (std::uint32_t k = m; k <= n; ++k) s += 1.0 / static_cast<double>(k);
        return rv * s / lambda;
      }
      // Mean absorption time: (-Q_T) tau = 1, MTTF = tau[all up].
      std::size_t size = 0;
      Matrix q = transient_generator(n, m, lambda, spec.mu, size);
      for (std::size_t i = 0; i < size; ++i)
        for (std::size_t j = 0; j < size; ++j) q[i][j] = -q[i][j];
      const std::vector<double> tau = solve(q, std::vector<double>(size, 1.0), size);
      return rv * tau[0];
    }
    case Metric::availability: {
      const auto pi = stationary(n, lambda, spec.mu);
      double a = 0.0;
      for (std::uint32_t k = m; k <= n; ++k) a += pi[k];
      return a;
    }
  }
  return 0.0;
}

Estimate wilson(std::uint64_t successes, std::uint64_t trials) noexcept {
  if (trials == 0U) return Estimate{};
  const Interval ci = wilson_interval(successes, trials, kZ95);
  return Estimate{static_cast<double>(successes) / static_cast<double>(trials), ci.lo, ci.hi, trials};
}

Estimate simulate(const ModelSpec& spec, std::uint64_t trials, std::uint64_t seed, std::uint32_t threads) {
  validate(spec);
  if (trials == 0U) raise("reliability: --trials must be > 0");
  const std::uint32_t n = units(spec);
  const std::uint32_t m = needed(spec);
  const double lambda = spec.lambda;
  const double mu = spec.mu;
  const double rv = spec.voter_reliability;
  const double horizon = spec.time;

  switch (spec.metric) {
    case Metric::reliability: {
      auto parts =
          detail::run_blocks<Sums>(trials, threads, [&](std::uint64_t first, std::uint64_t last, Sums& out) {
            for (std::uint64_t i = first; i < last; ++i) {
              detail::Xoshiro256 rng(detail::trial_seed(seed, i));
              bool up = rv >= 1.0 || rng.chance(rv);
              if (up) {
                if (mu == 0.0) {
                  std::uint32_t alive = 0;
                  for (std::uint32_t u = 0; u < n; ++u)
                    if (rng.exponential(lambda) > horizon) ++alive;
                  up = alive >= m;
                } else {
                  up = repairable_lifetime(rng, n, m, lambda, mu, horizon) >= horizon;
                }
              }
              if (up) out.sum += 1.0;
              ++out.count;
            }
          });
      double successes = 0.0;
      for (const auto& p : parts) successes += p.sum;
      return wilson(static_cast<std::uint64_t>(successes), trials);
    }
    case Metric::mttf: {
      auto parts =
          detail::run_blocks<Sums>(trials, threads, [&](std::uint64_t first, std::uint64_t last, Sums& out) {
            std::array<double, kMaxUnits> life{};
            for (std::uint64_t i = first; i < last; ++i) {
              detail::Xoshiro256 rng(detail::trial_seed(seed, i));
              double t = 0.0;
              if (rv >= 1.0 || rng.chance(rv)) {
                if (mu == 0.0) {
                  for (std::uint32_t u = 0; u < n; ++u) life[u] = rng.exponential(lambda);
                  // The system fails at the (N - m + 1)-th unit failure.
                  const auto kth = static_cast<std::ptrdiff_t>(n - m);
                  std::nth_element(life.begin(), life.begin() + kth,
                                   life.begin() + static_cast<std::ptrdiff_t>(n));
                  t = life[static_cast<std::size_t>(kth)];
                } else {
                  t = repairable_lifetime(rng, n, m, lambda, mu, 0.0);
                }
              }
              out.sum += t;
              out.sum_sq += t * t;
              ++out.count;
            }
          });
      return mean_interval(parts, trials);
    }
    case Metric::availability: {
      // Each trial starts in the stationary distribution, so the expected up-fraction over any
      // window [0, T] equals the steady-state availability (no warm-up bias).
      const auto pi = stationary(n, lambda, mu);
      auto parts =
          detail::run_blocks<Sums>(trials, threads, [&](std::uint64_t first, std::uint64_t last, Sums& out) {
            for (std::uint64_t i = first; i < last; ++i) {
              detail::Xoshiro256 rng(detail::trial_seed(seed, i));
              double u = rng.uniform();
              std::uint32_t k = n;
              for (std::uint32_t s = 0; s <= n; ++s) {
                if (u < pi[s]) {
                  k = s;
                  break;
                }
                u -= pi[s];
              }
              double t = 0.0;
              double up_time = 0.0;
              while (t < horizon) {
                const double fail_rate = static_cast<double>(k) * lambda;
                const double repair_rate = k < n ? mu : 0.0;
                const double total = fail_rate + repair_rate;
                const double dt = std::min(rng.exponential(total), horizon - t);
                if (k >= m) up_time += dt;
                t += dt;
                if (t >= horizon) break;
                if (rng.uniform() * total < fail_rate) {
                  --k;
                } else {
                  ++k;
                }
              }
              const double frac = up_time / horizon;
              out.sum += frac;
              out.sum_sq += frac * frac;
              ++out.count;
            }
          });
      Estimate e = mean_interval(parts, trials);
      e.lo = std::max(0.0, e.lo);
      e.hi = std::min(1.0, e.hi);
      return e;
    }
  }
  return Estimate{};
}

std::string_view to_string(Model m) noexcept {
  switch (m) {
    case Model::simplex:
      return "simplex";
    case Model::dmr:
      return "dmr";
    case Model::tmr:
      return "tmr";
    case Model::nmr:
      return "nmr";
  }
  return "?";
}

std::string_view to_string(Metric m) noexcept {
  switch (m) {
    case Metric::reliability:
      return "reliability";
    case Metric::mttf:
      return "mttf";
    case Metric::availability:
      return "availability";
  }
  return "?";
}

Model parse_model(std::string_view name) {
  for (Model m : {Model::simplex, Model::dmr, Model::tmr, Model::nmr})
    if (to_string(m) == name) return m;
  raise("unknown --model '" + std::string(name) + "' (valid: simplex, dmr, tmr, nmr)");
}

Metric parse_metric(std::string_view name) {
  for (Metric m : {Metric::reliability, Metric::mttf, Metric::availability})
    if (to_string(m) == name) return m;
  raise("unknown --metric '" + std::string(name) + "' (valid: reliability, mttf, availability)");
}

}  // namespace lockstep::sim::reliability
