#pragma once
// Element-wise votes over large arrays, written into a caller-provided buffer.

#include <array>
#include <bit>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>

#include <lockstep/voters/detail/grouping.hpp>
#include <lockstep/voters/tolerance.hpp>
#include <lockstep/voters/vote.hpp>

namespace lockstep::voters {

namespace detail {

/// Element types the buffer votes accept.
template <class E>
concept IntoElement = NumericScalar<E>;

/// Replicas taking part in a buffer vote: present, and as long as the output buffer.
template <class E>
[[nodiscard]] inline Frame into_frame(std::span<const std::span<const E>> replicas, std::size_t len,
                                      const VoteOptions& opts) noexcept {
  Frame f = make_frame(replicas.size(), opts);
  for (std::uint32_t i = 0; i < f.n; ++i) {
    if (f.eligible.test(i) && replicas[i].size() != len) { f.eligible.reset(i); }
  }
  return f;
}

/// Accumulated state of an element-wise vote.
struct IntoTally {
  ReplicaMask dissent{};  ///< present replicas that lost at least one element
  bool failed{false};     ///< some element had no decision
};

[[nodiscard]] inline VoteReport finish_into(const Frame& f, const IntoTally& t,
                                            const VoteOptions& opts) noexcept {
  VoteReport r{};
  if (!f.valid || t.failed || !quorum_met(f.eligible.count(), f, opts)) {
    r.dissent = f.present;
    return r;
  }
  const ReplicaMask dissent = t.dissent | (f.present - f.eligible);
  const ReplicaMask clean = f.present - dissent;
  r.outcome = clean == f.configured ? Outcome::unanimous : Outcome::masked;
  r.dissent = dissent;
  r.agreeing = static_cast<std::uint8_t>(clean.count());
  return r;
}

template <class E>
[[nodiscard]] constexpr bool finite_element(E x) noexcept {
  if constexpr (std::is_floating_point_v<E>) {
    return std::abs(x) <= std::numeric_limits<E>::max();
  } else {
    (void)x;
    return true;
  }
}

/// Unsigned integer of the same size, for bitwise comparison that vectorises.
template <class E>
using BitsOf =
    std::conditional_t<sizeof(E) == 8, std::uint64_t,
                       std::conditional_t<sizeof(E) == 4, std::uint32_t,
                                          std::conditional_t<sizeof(E) == 2, std::uint16_t, std::uint8_t>>>;

/// Three replicas, all present, exact: one pass, no branches in the loop body.
template <class E>
inline IntoTally exact3(const E* a, const E* b, const E* c, E* out, std::size_t len,
                        bool check_finite) noexcept {
  using B = BitsOf<E>;
  unsigned da = 0;
  unsigned db = 0;
  unsigned dc = 0;
  unsigned fail = 0;
  for (std::size_t k = 0; k < len; ++k) {
    const E x = a[k];
    const E y = b[k];
    const E z = c[k];
    const B bx = std::bit_cast<B>(x);
    const B by = std::bit_cast<B>(y);
    const B bz = std::bit_cast<B>(z);
    unsigned fx = 1;
    unsigned fy = 1;
    if (check_finite) {
      fx = finite_element(x) ? 1U : 0U;
      fy = finite_element(y) ? 1U : 0U;
    }
    const unsigned ab = (bx == by ? 1U : 0U) & fx;
    const unsigned ac = (bx == bz ? 1U : 0U) & fx;
    const unsigned bc = (by == bz ? 1U : 0U) & fy;
    out[k] = (ab | ac) != 0U ? x : z;  // no a-group: b == c decides, or nothing does
    da |= (ab | ac) ^ 1U;
    db |= (ab | bc) ^ 1U;
    dc |= (ac | bc) ^ 1U;
    fail |= (ab | ac | bc) ^ 1U;
  }
  IntoTally t{};
  t.failed = fail != 0U;
  if (da != 0U) { t.dissent.set(0); }
  if (db != 0U) { t.dissent.set(1); }
  if (dc != 0U) { t.dissent.set(2); }
  return t;
}

/// Three replicas, all present, absolute tolerance: one pass. Centre choice follows the grouping
/// rule of inexact_majority (the replica within tol of both others wins; a lone agreeing pair
/// is centred on its lower index).
template <class E>
requires std::is_floating_point_v<E>
inline IntoTally tolerance3(const E* a, const E* b, const E* c, E* out, std::size_t len, double eps,
                            bool check_finite) noexcept {
  unsigned da = 0;
  unsigned db = 0;
  unsigned dc = 0;
  unsigned fail = 0;
  for (std::size_t k = 0; k < len; ++k) {
    const E x = a[k];
    const E y = b[k];
    const E z = c[k];
    unsigned fx = 1;
    unsigned fy = 1;
    unsigned fz = 1;
    if (check_finite) {
      fx = finite_element(x) ? 1U : 0U;
      fy = finite_element(y) ? 1U : 0U;
      fz = finite_element(z) ? 1U : 0U;
    }
    const unsigned ab = (static_cast<double>(std::abs(x - y)) <= eps ? 1U : 0U) & fx & fy;
    const unsigned ac = (static_cast<double>(std::abs(x - z)) <= eps ? 1U : 0U) & fx & fz;
    const unsigned bc = (static_cast<double>(std::abs(y - z)) <= eps ? 1U : 0U) & fy & fz;
    const unsigned sel_b = bc & (ac ^ 1U);
    const unsigned sel_c = ac & bc & (ab ^ 1U);
    out[k] = sel_b != 0U ? y : (sel_c != 0U ? z : x);
    const unsigned sel_a = (sel_b | sel_c) ^ 1U;
    da |= (sel_b & (ab ^ 1U)) | (sel_c & (ac ^ 1U));
    db |= (sel_a & (ab ^ 1U)) | (sel_c & (bc ^ 1U));
    dc |= (sel_a & (ac ^ 1U)) | (sel_b & (bc ^ 1U));
    fail |= (ab | ac | bc) ^ 1U;
  }
  IntoTally t{};
  t.failed = fail != 0U;
  if (da != 0U) { t.dissent.set(0); }
  if (db != 0U) { t.dissent.set(1); }
  if (dc != 0U) { t.dissent.set(2); }
  return t;
}

/// Any N, any presence: per element, gather the eligible values and run the scalar grouping.
template <class E, bool Exact>
inline IntoTally generic_into(std::span<const std::span<const E>> replicas, std::span<E> out, const Frame& f,
                              const Tolerance& tol, const VoteOptions& opts) noexcept {
  IntoTally t{};
  std::array<E, kMaxReplicas> vals{};
  const std::span<const E> view{vals.data(), f.n};
  for (std::size_t k = 0; k < out.size(); ++k) {
    Frame ef = f;
    for (std::uint32_t i = 0; i < f.n; ++i) {
      if (!f.eligible.test(i)) { continue; }
      vals[i] = replicas[i][k];
      if (opts.non_finite == NonFinite::dissent && !finite_element(vals[i])) { ef.eligible.reset(i); }
    }
    Group g{};
    if constexpr (Exact) {
      g = exact_group(view, ef);
    } else {
      g = ball_group(view, ef, [&tol](E x, E y) noexcept { return within_scalar(x, y, tol); });
    }
    const std::uint32_t c = g.members.count();
    if (g.ambiguous || c == 0 || !quorum_met(c, f, opts)) {
      t.failed = true;
      return t;
    }
    out[k] = vals[g.center];
    t.dissent |= f.eligible - g.members;
  }
  return t;
}

}  // namespace detail

/// Exact majority, element by element, over large arrays: `out[k]` = the value strictly more than
/// N/2 replicas hold at k (bitwise, like `majority`). Each element is voted on its own, so
/// different replicas may be outvoted at different elements (scattered memory upsets are all
/// masked). `dissent` = present replicas outvoted at one element or more (or of the wrong
/// length, or holding NaN/inf at a voted element unless `NonFinite::compare`), `agreeing` =
/// present replicas never outvoted, `unanimous` = all N present and never outvoted.
/// Reads each input once and writes `out` once; three fully present replicas take a
/// branch-free fast path.
///
/// Usage:
///   std::array<std::span<const double>, 3> in{a, b, c};
///   lockstep::VoteReport r = lockstep::voters::majority_into(std::span{in}, std::span{out});
///
/// Thread safety: stateless; `out` must not overlap the inputs. On failure: any element without a
/// majority, or N outside 2..16, gives `Outcome::no_majority` with every present replica in
/// `dissent`, and `out`'s contents are unspecified. noexcept, allocates nothing.
struct MajorityIntoFn {
  template <detail::ReplicaRange R, detail::IntoElement E, std::size_t Extent>
  requires std::same_as<detail::ValueOf<R>, std::span<const E>>
  [[nodiscard]] VoteReport operator()(R&& replica_range, std::span<E, Extent> out_span,
                                      VoteOptions opts = {}) const noexcept {
    const std::span<const std::span<const E>> replicas = detail::as_span(replica_range);
    const std::span<E> out = out_span;
    const detail::Frame f = detail::into_frame(replicas, out.size(), opts);
    if (!f.valid) { return detail::finish_into(f, {}, opts); }
    const bool check = opts.non_finite == NonFinite::dissent;
    detail::IntoTally t{};
    if (f.n == 3 && f.eligible == f.configured) {
      t = detail::exact3(replicas[0].data(), replicas[1].data(), replicas[2].data(), out.data(), out.size(),
                         check);
    } else {
      t = detail::generic_into<E, true>(replicas, out, f, Tolerance::absolute(0.0), opts);
    }
    return detail::finish_into(f, t, opts);
  }
};
inline constexpr MajorityIntoFn majority_into{};

/// Tolerance majority, element by element, into a caller buffer: like `majority_into` with the
/// grouping rule of `inexact_majority` applied at each element (the delivered element is the
/// centre replica's). Three present replicas with an absolute tolerance take a branch-free path.
/// Usage: `auto r = lockstep::voters::inexact_majority_into(std::span{in}, std::span{out},
///                                                          lockstep::Tolerance::absolute(1e-9));`
/// Thread safety: stateless. On failure: as `majority_into`.
struct InexactMajorityIntoFn {
  template <detail::ReplicaRange R, detail::IntoElement E, std::size_t Extent>
  requires std::same_as<detail::ValueOf<R>, std::span<const E>>
  [[nodiscard]] VoteReport operator()(R&& replica_range, std::span<E, Extent> out_span, Tolerance tol,
                                      VoteOptions opts = {}) const noexcept {
    const std::span<const std::span<const E>> replicas = detail::as_span(replica_range);
    const std::span<E> out = out_span;
    const detail::Frame f = detail::into_frame(replicas, out.size(), opts);
    if (!f.valid) { return detail::finish_into(f, {}, opts); }
    const bool check = opts.non_finite == NonFinite::dissent;
    detail::IntoTally t{};
    const bool fast = f.n == 3 && f.eligible == f.configured && tol.kind() == Tolerance::Kind::absolute &&
                      tol.epsilon() >= 0.0 && check;
    if constexpr (std::is_floating_point_v<E>) {
      if (fast) {
        t = detail::tolerance3(replicas[0].data(), replicas[1].data(), replicas[2].data(), out.data(),
                               out.size(), tol.epsilon(), true);
        return detail::finish_into(f, t, opts);
      }
    }
    (void)fast;
    t = detail::generic_into<E, false>(replicas, out, f, tol, opts);
    return detail::finish_into(f, t, opts);
  }
};
inline constexpr InexactMajorityIntoFn inexact_majority_into{};

}  // namespace lockstep::voters
