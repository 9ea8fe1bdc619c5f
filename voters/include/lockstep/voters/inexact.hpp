#pragma once
// Tolerance (inexact) majority and plurality voters.

#include <span>

#include <lockstep/voters/detail/grouping.hpp>
#include <lockstep/voters/tolerance.hpp>
#include <lockstep/voters/vote.hpp>

namespace lockstep::voters {

namespace detail {

template <class T>
[[nodiscard]] inline Vote<T> inexact_vote(std::span<const T> s, const Tolerance& tol, const VoteOptions& opts,
                                          Rule rule) noexcept {
  Frame f = make_frame(s.size(), opts);
  drop_non_finite(f, s, opts);
  const Group g = ball_group(s, f, [&tol](const T& a, const T& b) noexcept { return within(a, b, tol); });
  Vote<T> v{};
  if (settle(v, g, f, opts, rule)) { v.value.emplace(s[g.center]); }
  return v;
}

}  // namespace detail

/// Tolerance majority: replicas agree when every element is within `tol` (absolute, relative or
/// ULP; bit-identical values always agree; arrays/spans/Eigen need equal shapes).
///
/// Grouping rule (tolerance is not transitive: a~b and b~c do not imply a~c): each eligible
/// replica i is a candidate centre and its group is every eligible replica within `tol` of it.
/// The largest group wins and the decided value is its centre's output (so every member is
/// within `tol` of the delivered value). Several centres with the *same* member set are one
/// group (the lowest index is the centre); a *different* group of the same size makes the vote
/// ambiguous and it decides nothing. Examples with absolute 1.0: {0, 1, 2} -> centre 1, group
/// {0,1,2}, unanimous, value 1; {0, 0.8, 1.6} likewise -> 0.8. Decides when the group meets the
/// quorum (strict majority of N by default). Masks up to floor((N-1)/2) replicas that are
/// further than `tol` from the good ones; replicas that stray by less are delivered-as-equal.
///
/// Usage:
///   auto v = lockstep::voters::inexact_majority(std::span{outs}, lockstep::Tolerance::absolute(1e-9));
///   lockstep::NModularExecutor<In, Out> tmr{cfg, law, lockstep::voters::inexact_majority.with(tol)};
///
/// Types: integer and floating scalars, std::array/std::span of those, Eigen dense matrices.
/// Thread safety: stateless. On failure: `Outcome::no_majority`, every present replica dissents.
struct InexactMajorityFn {
  template <detail::ReplicaRange R>
  requires detail::NumericReplica<detail::ValueOf<R>>
  [[nodiscard]] Vote<detail::ValueOf<R>> operator()(R&& outs, Tolerance tol,
                                                    VoteOptions opts = {}) const noexcept {
    return detail::inexact_vote(detail::as_span(outs), tol, opts, detail::Rule::majority);
  }
  /// Binds a tolerance: the result has the plain `(outs, VoteOptions)` voter shape.
  [[nodiscard]] constexpr detail::WithTolerance<InexactMajorityFn> with(Tolerance tol) const noexcept {
    return {*this, tol};
  }
};
inline constexpr InexactMajorityFn inexact_majority{};

/// Tolerance plurality: the grouping rule of `inexact_majority`, deciding the largest group if it
/// is unambiguous and has at least two members, whatever its size relative to N. Ignores
/// `VoteOptions::quorum`.
/// Usage: `auto v = lockstep::voters::inexact_plurality(std::span{outs}, lockstep::Tolerance::ulp(4));`
/// Thread safety: stateless. On failure: `Outcome::no_majority`, every present replica dissents.
struct InexactPluralityFn {
  template <detail::ReplicaRange R>
  requires detail::NumericReplica<detail::ValueOf<R>>
  [[nodiscard]] Vote<detail::ValueOf<R>> operator()(R&& outs, Tolerance tol,
                                                    VoteOptions opts = {}) const noexcept {
    return detail::inexact_vote(detail::as_span(outs), tol, opts, detail::Rule::plurality);
  }
  [[nodiscard]] constexpr detail::WithTolerance<InexactPluralityFn> with(Tolerance tol) const noexcept {
    return {*this, tol};
  }
};
inline constexpr InexactPluralityFn inexact_plurality{};

}  // namespace lockstep::voters
