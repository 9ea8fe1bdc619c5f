#pragma once
// Weighted-average voter: replicas far from the others get little weight.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>

#include <lockstep/voters/detail/grouping.hpp>
#include <lockstep/voters/median.hpp>
#include <lockstep/voters/tolerance.hpp>
#include <lockstep/voters/vote.hpp>

namespace lockstep::voters {

namespace detail {

template <class T>
concept FloatingReplica = SelectableReplica<T> && std::is_floating_point_v<ElementT<T>>;

/// Largest element distance between two replicas of the same shape (max-norm).
template <class T>
[[nodiscard]] inline double max_distance(const T& a, const T& b) noexcept {
  const std::size_t n = element_count(a);
  double d = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    d = std::max(d, std::abs(static_cast<double>(element(a, k)) - static_cast<double>(element(b, k))));
  }
  return d;
}

template <class T>
[[nodiscard]] inline double max_magnitude(const T& a) noexcept {
  const std::size_t n = element_count(a);
  double m = 0.0;
  for (std::size_t k = 0; k < n; ++k) { m = std::max(m, std::abs(static_cast<double>(element(a, k)))); }
  return m;
}

/// The distance scale alpha that turns a tolerance into weights: absolute eps; relative eps
/// times the largest magnitude among the replicas; ULP n times the spacing of doubles there.
template <class T>
[[nodiscard]] inline double weight_scale(std::span<const T> s, const Frame& f,
                                         const Tolerance& tol) noexcept {
  double mag = 0.0;
  for (std::uint32_t i = 0; i < f.n; ++i) {
    if (f.eligible.test(i)) { mag = std::max(mag, max_magnitude(s[i])); }
  }
  using E = ElementT<T>;
  switch (tol.kind()) {
    case Tolerance::Kind::absolute:
      return tol.epsilon();
    case Tolerance::Kind::relative:
      return tol.epsilon() * mag;
    case Tolerance::Kind::ulp: {
      const auto m = static_cast<E>(mag);
      const double spacing = static_cast<double>(std::nextafter(m, std::numeric_limits<E>::infinity()) - m);
      return static_cast<double>(tol.ulps()) * spacing;
    }
  }
  return 0.0;
}

template <class T>
[[nodiscard]] inline Vote<T> weighted_vote(std::span<const T> s, const Tolerance& tol,
                                           const VoteOptions& opts) noexcept {
  Frame f = make_frame(s.size(), opts);
  drop_non_finite(f, s, opts);
  keep_majority_shape(f, s);
  const std::uint32_t k = f.eligible.count();
  Vote<T> v{};
  v.dissent = f.present;
  if (!f.valid || !quorum_met(k, f, opts)) { return v; }

  // Weight of replica i: 1 / (1 + (D_i / alpha)^2), where D_i is the distance from i to the
  // (m-1)-th nearest other replica and m the quorum size: the spread of the tightest quorum i
  // could belong to. A replica inside an agreeing quorum gets weight ~1 even when outliers are
  // far away; an outlier (or a colluding minority) gets ~(alpha / D)^2.
  const std::uint32_t base = opts.quorum == Quorum::of_present ? f.present.count() : f.n;
  const std::uint32_t quorum_size = std::min(base / 2U + 1U, k);
  const double alpha = weight_scale(s, f, tol);
  const bool usable_alpha = alpha > 0.0 && std::isfinite(alpha);
  std::array<double, kMaxReplicas> w{};
  std::array<double, kMaxReplicas> dist{};
  double total = 0.0;
  for (std::uint32_t i = 0; i < f.n; ++i) {
    if (!f.eligible.test(i)) { continue; }
    std::uint32_t m = 0;
    for (std::uint32_t j = 0; j < f.n; ++j) {
      if (j != i && f.eligible.test(j)) { dist[m++] = max_distance(s[i], s[j]); }
    }
    // Partial insertion sort: the (quorum_size - 1) smallest distances.
    for (std::uint32_t a = 1; a < m; ++a) {
      const double x = dist[a];
      std::uint32_t b = a;
      while (b > 0 && x < dist[b - 1]) {
        dist[b] = dist[b - 1];
        --b;
      }
      dist[b] = x;
    }
    const double spread = quorum_size >= 2U ? dist[quorum_size - 2U] : 0.0;
    if (usable_alpha) {
      const double r = spread / alpha;
      w[i] = std::isfinite(r) ? 1.0 / (1.0 + r * r) : 0.0;
    } else {
      w[i] = spread == 0.0 ? 1.0 : 0.0;
    }
    total += w[i];
  }
  if (!(total > 0.0)) { return v; }

  using E = ElementT<T>;
  T& result = v.value.emplace(s[f.eligible.lowest()]);
  const std::size_t elements = element_count(result);
  for (std::size_t e = 0; e < elements; ++e) {
    double acc = 0.0;
    for (std::uint32_t i = 0; i < f.n; ++i) {
      if (f.eligible.test(i)) { acc += w[i] * static_cast<double>(element(s[i], e)); }
    }
    set_element(result, e, static_cast<E>(acc / total));
  }

  // Decided only if a quorum of replicas lies within tol of the average: a weighted average
  // pulled away by colluding faulty replicas is reported, not delivered.
  ReplicaMask agree{};
  for (std::uint32_t i = 0; i < f.n; ++i) {
    if (f.eligible.test(i) && within(s[i], result, tol)) { agree.set(i); }
  }
  if (!quorum_met(agree.count(), f, opts)) {
    v.value.reset();
    return v;
  }
  v.outcome = agree == f.configured ? Outcome::unanimous : Outcome::masked;
  v.dissent = f.present - agree;
  v.agreeing = static_cast<std::uint8_t>(agree.count());
  return v;
}

}  // namespace detail

/// Weighted average. Each eligible replica i (present, finite, of the majority shape) gets the
/// weight w_i = 1 / (1 + (D_i / alpha)^2), where D_i is the distance (max-norm over elements)
/// from i to its (m-1)-th nearest eligible replica, m the quorum size (2 of 3, 3 of 5): how
/// tightly i sits in the closest quorum it could belong to. alpha is the tolerance's scale (absolute: eps;
/// relative: eps x largest magnitude; ULP: n x spacing at the largest magnitude). The result is
/// sum(w_i x_i) / sum(w_i), element-wise. It is delivered only when a quorum of replicas lies
/// within `tol` of it; those are `agreeing`, the rest dissent.
/// When to use: diverse implementations whose outputs legitimately differ a little (different
/// algorithms, float reassociation): it smooths small differences instead of picking one
/// replica, and an outlier's weight falls with the square of its distance.
/// Masks: an outlier far beyond alpha (its pull on the result shrinks like alpha^2 / D^2).
/// A moderate outlier still biases the result; prefer `median` when any bias is unacceptable.
///
/// Usage: `auto v = lockstep::voters::weighted_average(std::span{outs},
/// lockstep::Tolerance::absolute(0.01));` Types: floating scalars, std::array and Eigen matrices of them.
/// Thread safety: stateless. On failure: `Outcome::no_majority`, no value, every present replica
/// dissents (too few eligible replicas, or too few near the average).
struct WeightedAverageFn {
  template <detail::ReplicaRange R>
  requires detail::FloatingReplica<detail::ValueOf<R>>
  [[nodiscard]] Vote<detail::ValueOf<R>> operator()(R&& outs, Tolerance tol,
                                                    VoteOptions opts = {}) const noexcept {
    return detail::weighted_vote(detail::as_span(outs), tol, opts);
  }
  [[nodiscard]] constexpr detail::WithTolerance<WeightedAverageFn> with(Tolerance tol) const noexcept {
    return {*this, tol};
  }
};
inline constexpr WeightedAverageFn weighted_average{};

}  // namespace lockstep::voters
