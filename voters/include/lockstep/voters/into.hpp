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

/// Turns the per-replica dissent counters of a 3-way pass into a tally.
template <class E>
[[nodiscard]] inline IntoTally tally3(E da, E db, E dc, E fail) noexcept {
  IntoTally t{};
  t.failed = fail != E{0};
  if (da != E{0}) { t.dissent.set(0); }
  if (db != E{0}) { t.dissent.set(1); }
  if (dc != E{0}) { t.dissent.set(2); }
  return t;
}

/// Bitwise equality of two finite floats, written with floating compares so that it
/// vectorises on every target (SSE2 has no 64-bit integer compare): finite values are
/// bit-identical exactly when they compare equal and carry the same sign (only +-0 differ).
template <class E>
[[nodiscard]] inline bool finite_bits_equal(E x, E y) noexcept {
  return (x == y) & (std::copysign(E{1}, x) == std::copysign(E{1}, y));
}

/// Three replicas, all present, exact, NaN/inf dissent: one pass, branch-free body. The
/// accumulators are of the element's width so that the loop vectorises.
template <class E>
requires std::is_floating_point_v<E>
inline IntoTally exact3_precise(const E* a, const E* b, const E* c, E* out, std::size_t len) noexcept {
  // Flags are floating (of E) and accumulate by selection (flag = cond ? flag : 1): GCC 12
  // vectorises that as a max reduction. A `+=` counter is vectorised too, but as an in-order
  // scalar fold that costs several times more; integer flags are not vectorised at all.
  E da = 0;
  E db = 0;
  E dc = 0;
  E fail = 0;
  for (std::size_t k = 0; k < len; ++k) {
    const E x = a[k];
    const E y = b[k];
    const E z = c[k];
    const bool fx = finite_element(x);
    const bool fy = finite_element(y);
    const bool ab = fx & finite_bits_equal(x, y);
    const bool ac = fx & finite_bits_equal(x, z);
    const bool bc = fy & finite_bits_equal(y, z);
    out[k] = (ab | ac) ? x : z;  // no a-group: b == c decides, or nothing does
    da = (ab | ac) ? da : E{1};
    db = (ab | bc) ? db : E{1};
    dc = (ac | bc) ? dc : E{1};
    fail = (ab | ac | bc) ? fail : E{1};
  }
  return tally3(da, db, dc, fail);
}

/// The tolerance bound in the element type: |x - y| <= eps in E is the same test as the double
/// test of within_scalar (for float, eps is rounded down so the float test never admits a pair
/// the double test rejects). eps_d >= 0.
template <class E>
[[nodiscard]] inline E eps_in(double eps_d) noexcept {
  if (eps_d >= std::numeric_limits<double>::infinity()) { return std::numeric_limits<E>::infinity(); }
  if (eps_d >= static_cast<double>(std::numeric_limits<E>::max())) { return std::numeric_limits<E>::max(); }
  E eps = static_cast<E>(eps_d);
  if (static_cast<double>(eps) > eps_d) { eps = std::nextafter(eps, E{0}); }
  return eps;
}

/// Three replicas, all present, absolute tolerance eps >= 0, NaN/inf dissent: one pass. Centre
/// choice follows the grouping rule of inexact_majority (the replica within tol of both others
/// wins; a lone agreeing pair is centred on its lower index).
template <class E>
requires std::is_floating_point_v<E>
inline IntoTally tolerance3_precise(const E* a, const E* b, const E* c, E* out, std::size_t len,
                                    double eps_d) noexcept {
  const E eps = eps_in<E>(eps_d);
  E da = 0;
  E db = 0;
  E dc = 0;
  E fail = 0;
  for (std::size_t k = 0; k < len; ++k) {
    const E x = a[k];
    const E y = b[k];
    const E z = c[k];
    // Agreement flags as 0/1 values of E: this exact formulation is the one GCC 12 vectorises
    // (boolean logic here makes it give up on "control flow"); keep it when editing.
    const E fx = finite_element(x) ? E{1} : E{0};
    const E fy = finite_element(y) ? E{1} : E{0};
    const E fz = finite_element(z) ? E{1} : E{0};
    const E ab = (std::abs(x - y) <= eps ? fx : E{0}) * fy;
    const E ac = (std::abs(x - z) <= eps ? fx : E{0}) * fz;
    const E bc = (std::abs(y - z) <= eps ? fy : E{0}) * fz;
    const E sel_b = bc * (E{1} - ac);       // b is within tol of c but a is not: centre b
    const E sel_c = ac * bc * (E{1} - ab);  // c reaches both, a and b do not meet: centre c
    const E sel_a = E{1} - sel_b - sel_c;   // otherwise centre a (or nothing: see fail)
    const E centre_ac = sel_c > E{0.5} ? z : x;
    out[k] = sel_b > E{0.5} ? y : centre_ac;
    // Accumulated by selection, not `+=`: see exact3_precise.
    da = sel_b * (E{1} - ab) + sel_c * (E{1} - ac) > E{0.5} ? E{1} : da;
    db = sel_a * (E{1} - ab) + sel_c * (E{1} - bc) > E{0.5} ? E{1} : db;
    dc = sel_a * (E{1} - ac) + sel_b * (E{1} - bc) > E{0.5} ? E{1} : dc;
    fail = (E{1} - ab) * (E{1} - ac) * (E{1} - bc) > E{0.5} ? E{1} : fail;
  }
  return tally3(da, db, dc, fail);
}

/// Elements per block of the 3-way kernels: each block is first screened for the common case
/// (all three replicas agree everywhere); a block that is not is voted again by the precise
/// kernel while it is still in cache (4 x 2048 doubles = 64 KiB).
inline constexpr std::size_t kBlock3 = 2048;

/// Floating types whose bit layout the screening passes rely on (IEEE binary32 / binary64).
template <class E>
concept Ieee3 = std::is_floating_point_v<E> && std::numeric_limits<E>::is_iec559 &&
    (sizeof(E) == 4 || sizeof(E) == 8);

/// Exact 3-way screening pass: copies a into out and returns true when, at every element, the
/// three replicas are bitwise identical and finite (then the vote is unanimous and out is its
/// result). Integer operations only (xor/or/and/add), which GCC 12 vectorises at plain -O2/-O3
/// on every target: a value is non-finite exactly when its exponent field is all ones, and
/// adding the exponent's lowest bit to the exponent field carries into the sign bit exactly then.
template <Ieee3 E>
[[nodiscard]] inline bool exact3_screen(const E* a, const E* b, const E* c, E* out,
                                        std::size_t len) noexcept {
  using B = BitsOf<E>;
  constexpr B kExponent = std::bit_cast<B>(std::numeric_limits<E>::infinity());
  constexpr B kExponentLsb = std::bit_cast<B>(std::numeric_limits<E>::min());
  constexpr B kSign = ~(B{~B{0}} >> 1U);
  B differ = 0;
  B carry = 0;
  for (std::size_t k = 0; k < len; ++k) {
    const B x = std::bit_cast<B>(a[k]);
    const B y = std::bit_cast<B>(b[k]);
    const B z = std::bit_cast<B>(c[k]);
    out[k] = a[k];
    differ |= (x ^ y) | (x ^ z);
    carry |= (x & kExponent) + kExponentLsb;
  }
  return differ == 0U && (carry & kSign) == 0U;
}

/// Tolerance 3-way screening pass for a finite eps >= 0: copies a into out and returns true when,
/// at every element, a is within eps of both b and c. Then a's group holds all three replicas
/// and no other group is larger, so the grouping rule decides unanimously with centre a, whether
/// or not b and c are within eps of each other (b - c may be up to 2 eps). NaN and infinities
/// never come within a finite eps, so they fail the screen and their block goes to the precise
/// kernel. The 0/1 floating flag accumulated by selection is the form GCC 12 vectorises best
/// (see exact3_precise).
template <Ieee3 E>
[[nodiscard]] inline bool tolerance3_screen(const E* a, const E* b, const E* c, E* out, std::size_t len,
                                            E eps) noexcept {
  E outside = 0;
  for (std::size_t k = 0; k < len; ++k) {
    const E x = a[k];
    const E y = b[k];
    const E z = c[k];
    out[k] = x;
    const bool all = (std::abs(x - y) <= eps) & (std::abs(x - z) <= eps);
    outside = all ? outside : E{1};
  }
  return outside == E{0};
}

/// Tolerance 3-way middle tier for a finite eps >= 0, for blocks that fail the screen: per element
/// the three pairwise agreements (|x - y| <= eps; with a finite eps NaN and infinities never agree,
/// so the finiteness test of the precise kernel is implied) and, branch-free, the patterns whose
/// answer needs no group formation: a within eps of both others (centre a, whatever b~c), exactly
/// one agreeing pair (centre its lower index, the third replica dissents). Writes what
/// tolerance3_precise writes for those patterns, fills `t` and returns true when every element of
/// the block is one of them; returns false (out is then partly written, `t` untouched) when some
/// element is a chain centred on b or c (b~c and exactly one of a~b, a~c) or has no agreeing pair:
/// the caller runs the precise kernel on the block. Flags are 0/1 values of E accumulated by
/// selection, as in exact3_precise; check with -fopt-info-vec that the loop stays vectorised.
template <Ieee3 E>
[[nodiscard]] inline bool tolerance3_middle(const E* a, const E* b, const E* c, E* out, std::size_t len,
                                            E eps, IntoTally& t) noexcept {
  E da = 0;
  E db = 0;
  E dc = 0;
  E other = 0;
  for (std::size_t k = 0; k < len; ++k) {
    const E x = a[k];
    const E y = b[k];
    const E z = c[k];
    // 0/1 values of E, as in tolerance3_precise (boolean logic here is not vectorised).
    const E ab = std::abs(x - y) <= eps ? E{1} : E{0};
    const E ac = std::abs(x - z) <= eps ? E{1} : E{0};
    const E bc = std::abs(y - z) <= eps ? E{1} : E{0};
    const E a_pairs = ab + ac;
    out[k] = a_pairs > E{0.5} ? x : y;  // no a-pair: only b~c can hold here, centred on b
    da = a_pairs > E{0.5} ? da : E{1};
    db = ab + bc > E{0.5} ? db : E{1};
    dc = ac + bc > E{0.5} ? dc : E{1};
    // Declined exactly when ab + ac == bc: no pair (0 == 0), or a chain centred on b or c (one
    // a-pair and b~c: 1 == 1). Every handled pattern has ab + ac != bc: a~b and a~c (2 vs 0 or 1),
    // exactly one pair (1 vs 0, or 0 vs 1). One compare instead of a pattern decode.
    other = a_pairs == bc ? E{1} : other;
  }
  if (other != E{0}) { return false; }
  t = tally3(da, db, dc, E{0});
  return true;
}

/// Runs a screening kernel block by block, a middle tier (may decline a block) on every block the
/// screen does not pass, and the precise kernel on every block the middle tier declines. After a
/// block that had dissent, the following blocks skip the screen (a replica that is wrong
/// everywhere costs one middle-tier pass, not two) until a block is unanimous again. Stops at the
/// first block without a decision (the buffer's contents are then unspecified).
template <class ScreenFn, class MiddleFn, class PreciseFn>
[[nodiscard]] inline IntoTally screened3(std::size_t len, ScreenFn screen, MiddleFn middle,
                                         PreciseFn precise) noexcept {
  IntoTally total{};
  bool screening = true;
  for (std::size_t base = 0; base < len; base += kBlock3) {
    const std::size_t n = len - base < kBlock3 ? len - base : kBlock3;
    if (screening && screen(base, n)) { continue; }
    IntoTally t{};
    if (!middle(base, n, t)) { t = precise(base, n); }
    total.dissent |= t.dissent;
    if (t.failed) {
      total.failed = true;
      return total;
    }
    screening = t.dissent.none();
  }
  return total;
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
/// Three fully present float/double replicas take a vectorised fast path: each block of 2048
/// elements is first screened for unanimity (replica 0 copied to `out`, one read of each
/// input); only blocks with dissent, NaN/inf or no decision are voted again by the precise
/// kernel while still in cache. Same results as the general path, bit for bit.
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
    const bool fast = f.n == 3 && f.eligible == f.configured && opts.non_finite == NonFinite::dissent;
    if constexpr (detail::Ieee3<E>) {
      if (fast) {
        const E* a = replicas[0].data();
        const E* b = replicas[1].data();
        const E* c = replicas[2].data();
        E* o = out.data();
        const detail::IntoTally t = detail::screened3(
            out.size(),
            [=](std::size_t at, std::size_t n) noexcept {
              return detail::exact3_screen(a + at, b + at, c + at, o + at, n);
            },
            // The exact precise kernel is already the middle tier's formula (bitwise agreement
            // is transitive: no chains), so there is nothing cheaper to try first.
            [](std::size_t, std::size_t, detail::IntoTally&) noexcept { return false; },
            [=](std::size_t at, std::size_t n) noexcept {
              return detail::exact3_precise(a + at, b + at, c + at, o + at, n);
            });
        return detail::finish_into(f, t, opts);
      }
    }
    (void)fast;
    const detail::IntoTally t =
        detail::generic_into<E, true>(replicas, out, f, Tolerance::absolute(0.0), opts);
    return detail::finish_into(f, t, opts);
  }
};
inline constexpr MajorityIntoFn majority_into{};

/// Tolerance majority, element by element, into a caller buffer: like `majority_into` with the
/// grouping rule of `inexact_majority` applied at each element (the delivered element is the
/// centre replica's). Three present float/double replicas with an absolute tolerance take the
/// screened fast path of `majority_into` (screen: replica 0 within the bound of both others);
/// a block that fails the screen goes to a vectorised middle tier that decides blocks whose every
/// element has replica 0 within the bound of both others or exactly one agreeing pair (a replica
/// wrong everywhere), and only the rest (chains centred on replica 1 or 2, no agreeing pair) to
/// the precise kernel. Same results as the general path, bit for bit.
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
    if constexpr (detail::Ieee3<E>) {
      if (fast) {
        const E* a = replicas[0].data();
        const E* b = replicas[1].data();
        const E* c = replicas[2].data();
        E* o = out.data();
        const double eps_d = tol.epsilon();
        const auto precise = [=](std::size_t at, std::size_t n) noexcept {
          return detail::tolerance3_precise(a + at, b + at, c + at, o + at, n, eps_d);
        };
        if (std::isfinite(eps_d)) {
          const E eps = detail::eps_in<E>(eps_d);
          t = detail::screened3(
              out.size(),
              [=](std::size_t at, std::size_t n) noexcept {
                return detail::tolerance3_screen(a + at, b + at, c + at, o + at, n, eps);
              },
              [=](std::size_t at, std::size_t n, detail::IntoTally& mt) noexcept {
                return detail::tolerance3_middle(a + at, b + at, c + at, o + at, n, eps, mt);
              },
              precise);
        } else {
          t = precise(0, out.size());
        }
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
