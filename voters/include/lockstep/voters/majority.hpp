#pragma once
// Exact majority and plurality voters.

#include <span>

#include <lockstep/voters/detail/grouping.hpp>
#include <lockstep/voters/vote.hpp>

namespace lockstep::voters {

namespace detail {

/// The exact voters differ only in the rule that turns the largest group into a decision.
template <Rule TheRule>
struct ExactVoterFn {
  template <ReplicaRange R>
  requires Comparable<ValueOf<R>>
  [[nodiscard]] Vote<ValueOf<R>> operator()(R&& outs, VoteOptions opts = {}) const noexcept {
    using T = ValueOf<R>;
    const std::span<const T> s = as_span(outs);
    Frame f = make_frame(s.size(), opts);
    drop_non_finite(f, s, opts);
    const Group g = exact_group(s, f);
    Vote<T> v{};
    if (settle(v, g, f, opts, TheRule)) { v.value.emplace(s[g.center]); }
    return v;
  }
};

}  // namespace detail

/// Exact majority: decides the value that strictly more than N/2 replicas produced (of the
/// present ones with `Quorum::of_present`). Agreement is bitwise for trivially copyable types
/// (-0.0 and +0.0 differ, identical NaNs agree), `operator==` otherwise, element-wise with equal
/// shapes for spans and Eigen matrices. NaN/inf replicas dissent unless `NonFinite::compare`.
/// Masks up to floor((N-1)/2) arbitrary value faults.
///
/// Usage:
///   std::array<double, 3> outs{1.0, 1.0, 7.5};
///   auto v = lockstep::voters::majority(std::span{outs});  // masked, value 1.0, dissent 0b100
///
/// Accepts any contiguous sized range of replica outputs (std::span, std::array, std::vector);
/// the range's size is N (2..16).
/// Thread safety: stateless; call from any thread. On failure: `Outcome::no_majority`, no value,
/// every present replica in `dissent` (also for N outside 2..16). noexcept, no allocation for
/// types whose copy does not allocate, no recursion.
struct MajorityFn : detail::ExactVoterFn<detail::Rule::majority> {};
inline constexpr MajorityFn majority{};

/// Exact plurality: decides the value of the largest group of identical outputs if that group
/// is the only one of its size and has at least two members (one replica alone never decides).
/// Use it where N is large and several replicas may fail differently (e.g. 2 of 5 agree, the
/// other 3 all differ). Masks up to N-2 faults as long as the faulty replicas never agree with
/// each other more than the good ones do; it does NOT mask two colluding faulty replicas
/// against two good ones (that is a tie, and decides nothing). Ignores `VoteOptions::quorum`.
///
/// Usage: `auto v = lockstep::voters::plurality(std::span{outs});`
/// Thread safety: stateless. On failure: `Outcome::no_majority`, every present replica dissents.
struct PluralityFn : detail::ExactVoterFn<detail::Rule::plurality> {};
inline constexpr PluralityFn plurality{};

}  // namespace lockstep::voters
