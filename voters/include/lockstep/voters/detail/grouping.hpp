#pragma once
// Internal: the replica bookkeeping shared by every voter (which replicas count, how groups of
// agreeing replicas are formed, what a quorum is). Not part of the public API.

#include <array>
#include <cstddef>
#include <cstdint>
#include <ranges>
#include <span>
#include <type_traits>
#include <utility>

#include <lockstep/core/replica_mask.hpp>
#include <lockstep/voters/detail/replica_traits.hpp>
#include <lockstep/voters/vote.hpp>

namespace lockstep::voters::detail {

/// Who takes part in one vote.
struct Frame {
  std::uint32_t n{0};        ///< configured replicas (the span's size), 0 when out of range
  ReplicaMask configured{};  ///< replicas 0..n-1
  ReplicaMask present{};     ///< configured replicas whose outputs exist
  ReplicaMask eligible{};    ///< present replicas that may join a group (finite, if asked)
  bool valid{false};         ///< 2 <= n <= kMaxReplicas
};

/// The replicas a vote over `size` outputs counts. Sizes outside 2..kMaxReplicas give an
/// invalid frame: the vote decides nothing and every present replica dissents.
[[nodiscard]] constexpr Frame make_frame(std::size_t size, const VoteOptions& opts) noexcept {
  Frame f{};
  const std::size_t clipped = size < kMaxReplicas ? size : std::size_t{kMaxReplicas};
  f.present = opts.present & ReplicaMask::first(static_cast<std::uint32_t>(clipped));
  if (size < 2 || size > kMaxReplicas) { return f; }
  f.n = static_cast<std::uint32_t>(size);
  f.configured = ReplicaMask::first(f.n);
  f.eligible = f.present;
  f.valid = true;
  return f;
}

/// Drops replicas whose outputs hold NaN/inf, unless the caller asked to compare them.
template <class T>
constexpr void drop_non_finite(Frame& f, std::span<const T> outs, const VoteOptions& opts) noexcept {
  if (opts.non_finite == NonFinite::compare) { return; }
  for (std::uint32_t i = 0; i < f.n; ++i) {
    if (f.eligible.test(i) && !finite(outs[i])) { f.eligible.reset(i); }
  }
}

/// A strict majority of the configured replicas (default) or of the present ones.
[[nodiscard]] constexpr bool quorum_met(std::uint32_t agreeing, const Frame& f,
                                        const VoteOptions& opts) noexcept {
  const std::uint32_t base = opts.quorum == Quorum::of_present ? f.present.count() : f.n;
  return base > 0 && 2U * agreeing > base;
}

/// The largest group of agreeing replicas. `center` is the replica whose value the group is
/// formed around; `ambiguous` means another, different group of the same size exists.
struct Group {
  ReplicaMask members{};
  std::uint32_t center{kMaxReplicas};
  bool ambiguous{false};
};

/// Exact agreement is an equivalence: classes are disjoint, so each replica is visited once and
/// the search stops as soon as one class holds more than half of the eligible replicas.
template <class T>
[[nodiscard]] inline Group exact_group(std::span<const T> outs, const Frame& f) noexcept {
  Group best{};
  ReplicaMask seen{};
  const std::uint32_t eligible = f.eligible.count();
  for (std::uint32_t i = 0; i < f.n; ++i) {
    if (!f.eligible.test(i) || seen.test(i)) { continue; }
    ReplicaMask members = ReplicaMask::single(i);
    for (std::uint32_t j = i + 1; j < f.n; ++j) {
      if (f.eligible.test(j) && !seen.test(j) && equal(outs[i], outs[j])) { members.set(j); }
    }
    seen |= members;
    const std::uint32_t c = members.count();
    if (c > best.members.count()) {
      best = Group{members, i, false};
      if (2U * c > eligible) { break; }
    } else if (c == best.members.count()) {
      best.ambiguous = true;
    }
  }
  return best;
}

/// Groups by a symmetric, possibly non-transitive agreement relation (tolerance). Replica i's
/// group is every eligible replica that agrees with i. The largest group wins; a different group
/// of the same size makes the result ambiguous. Identical groups around different centers are
/// one group (its center is the lowest such replica).
template <class T, class Agree>
[[nodiscard]] inline Group ball_group(std::span<const T> outs, const Frame& f, Agree agree) noexcept {
  std::array<ReplicaMask, kMaxReplicas> adj{};
  for (std::uint32_t i = 0; i < f.n; ++i) {
    if (!f.eligible.test(i)) { continue; }
    adj[i].set(i);
    for (std::uint32_t j = i + 1; j < f.n; ++j) {
      if (f.eligible.test(j) && agree(outs[i], outs[j])) {
        adj[i].set(j);
        adj[j].set(i);
      }
    }
  }
  Group best{};
  for (std::uint32_t i = 0; i < f.n; ++i) {
    if (!f.eligible.test(i)) { continue; }
    const std::uint32_t c = adj[i].count();
    if (c > best.members.count()) {
      best = Group{adj[i], i, false};
    } else if (c == best.members.count() && adj[i] != best.members) {
      best.ambiguous = true;
    }
  }
  return best;
}

/// How a group becomes a decision.
enum class Rule : std::uint8_t {
  majority,   ///< the group meets the quorum
  plurality,  ///< the group is the unique largest one and has at least two members
};

/// Fills the outcome, dissent and agreeing fields of a result (Vote<T> or VoteReport) from the
/// winning group. Returns whether a value was decided.
template <class Result>
constexpr bool settle(Result& r, const Group& g, const Frame& f, const VoteOptions& opts,
                      Rule rule) noexcept {
  const std::uint32_t c = g.members.count();
  bool decided = f.valid && c > 0 && !g.ambiguous;
  if (decided) { decided = rule == Rule::majority ? quorum_met(c, f, opts) : c >= 2U; }
  if (!decided) {
    r.outcome = Outcome::no_majority;
    r.dissent = f.present;
    r.agreeing = 0;
    return false;
  }
  r.outcome = g.members == f.configured ? Outcome::unanimous : Outcome::masked;
  r.dissent = f.present - g.members;
  r.agreeing = static_cast<std::uint8_t>(c);
  return true;
}

/// A contiguous range of replica outputs, viewed as a span of const values.
template <class R>
concept ReplicaRange = std::ranges::contiguous_range<R> && std::ranges::sized_range<R>;

template <ReplicaRange R>
using ValueOf = std::remove_cv_t<std::ranges::range_value_t<R>>;

template <ReplicaRange R>
[[nodiscard]] constexpr std::span<const ValueOf<R>> as_span(R&& r) noexcept {
  return std::span<const ValueOf<R>>{std::ranges::data(r), std::ranges::size(r)};
}

/// A tolerance-taking voter bound to one tolerance: the plain `(outs, VoteOptions)` shape that
/// executors take. Made by `.with(tol)` on each tolerance-taking voter.
template <class Fn>
struct WithTolerance {
  Fn fn;
  Tolerance tol;

  template <ReplicaRange R>
  [[nodiscard]] auto operator()(R&& outs, VoteOptions opts = {}) const noexcept {
    return fn(std::forward<R>(outs), tol, opts);
  }
};

}  // namespace lockstep::voters::detail
