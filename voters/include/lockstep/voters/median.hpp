#pragma once
// Median and mid-value select voters: numeric scalars, element-wise for std::array and Eigen.

#include <array>
#include <cstdint>
#include <numeric>
#include <span>

#include <lockstep/voters/detail/grouping.hpp>
#include <lockstep/voters/tolerance.hpp>
#include <lockstep/voters/vote.hpp>

namespace lockstep::voters {

namespace detail {

/// Replica types the selecting voters can build a result of (spans cannot hold one).
template <class T>
concept SelectableReplica = NumericReplica<T> && !IsSpan<T>::value;

/// Eigen replicas of a different shape than the largest same-shape group leave the vote (they
/// dissent). Ties between shape groups go to the lowest replica index; the quorum check that
/// follows keeps a minority shape from ever deciding.
template <class T>
inline void keep_majority_shape(Frame& f, std::span<const T> s) noexcept {
  if constexpr (kIsEigen<T> && !kIsFixedEigen<T>) {
    std::uint32_t best = kMaxReplicas;
    std::uint32_t best_count = 0;
    for (std::uint32_t i = 0; i < f.n; ++i) {
      if (!f.eligible.test(i)) { continue; }
      std::uint32_t c = 0;
      for (std::uint32_t j = 0; j < f.n; ++j) {
        if (f.eligible.test(j) && same_shape(s[i], s[j])) { ++c; }
      }
      if (c > best_count) {
        best = i;
        best_count = c;
      }
    }
    for (std::uint32_t j = 0; j < f.n && best < kMaxReplicas; ++j) {
      if (f.eligible.test(j) && !same_shape(s[best], s[j])) { f.eligible.reset(j); }
    }
  } else {
    (void)f;
    (void)s;
  }
}

template <class T, class E>
inline void set_element(T& v, std::size_t k, E x) noexcept {
  if constexpr (NumericScalar<T>) {
    (void)k;
    v = x;
  } else if constexpr (kIsEigen<T>) {
    v.coeffRef(static_cast<Eigen::Index>(k)) = x;
  } else {
    v[k] = x;
  }
}

enum class Select : std::uint8_t { median, mid_value };

/// Sorts the first k values (insertion sort: k <= 16, no recursion, no allocation) and selects.
template <class E>
[[nodiscard]] inline E select_middle(std::array<E, kMaxReplicas>& buf, std::uint32_t k, Select how) noexcept {
  for (std::uint32_t i = 1; i < k; ++i) {
    const E x = buf[i];
    std::uint32_t j = i;
    while (j > 0 && x < buf[j - 1]) {
      buf[j] = buf[j - 1];
      --j;
    }
    buf[j] = x;
  }
  if (how == Select::mid_value && k % 2U == 0U) { return std::midpoint(buf[k / 2U - 1U], buf[k / 2U]); }
  return buf[(k - 1U) / 2U];
}

/// Fills a result's dissent/outcome from the replicas that agree with the selected value.
template <class T>
inline void report_agreement(Vote<T>& v, std::span<const T> s, const Frame& f,
                             const Tolerance* tol) noexcept {
  ReplicaMask agree{};
  for (std::uint32_t i = 0; i < f.n; ++i) {
    if (!f.eligible.test(i)) { continue; }
    const bool ok = tol != nullptr ? within(s[i], *v.value, *tol) : equal(s[i], *v.value);
    if (ok) { agree.set(i); }
  }
  v.outcome = agree == f.configured ? Outcome::unanimous : Outcome::masked;
  v.dissent = f.present - agree;
  v.agreeing = static_cast<std::uint8_t>(agree.count());
}

template <class T>
[[nodiscard]] inline Vote<T> select_vote(std::span<const T> s, const VoteOptions& opts, Select how,
                                         const Tolerance* tol) noexcept {
  Frame f = make_frame(s.size(), opts);
  drop_non_finite(f, s, opts);
  keep_majority_shape(f, s);
  const std::uint32_t k = f.eligible.count();
  Vote<T> v{};
  if (!f.valid || !quorum_met(k, f, opts)) {
    v.dissent = f.present;
    return v;
  }
  using E = ElementT<T>;
  T& result = v.value.emplace(s[f.eligible.lowest()]);
  const std::size_t elements = element_count(result);
  std::array<E, kMaxReplicas> buf{};
  for (std::size_t e = 0; e < elements; ++e) {
    std::uint32_t m = 0;
    for (std::uint32_t i = 0; i < f.n; ++i) {
      if (f.eligible.test(i)) { buf[m++] = element(s[i], e); }
    }
    set_element(result, e, select_middle(buf, m, how));
  }
  report_agreement(v, s, f, tol);
  return v;
}

template <Select How>
struct SelectFn {
  template <ReplicaRange R>
  requires SelectableReplica<ValueOf<R>>
  [[nodiscard]] Vote<ValueOf<R>> operator()(R&& outs, VoteOptions opts = {}) const noexcept {
    return select_vote(as_span(outs), opts, How, nullptr);
  }
  /// Same selection; replicas within `tol` of the selected value count as agreeing.
  template <ReplicaRange R>
  requires SelectableReplica<ValueOf<R>>
  [[nodiscard]] Vote<ValueOf<R>> operator()(R&& outs, Tolerance tol, VoteOptions opts = {}) const noexcept {
    return select_vote(as_span(outs), opts, How, &tol);
  }
  [[nodiscard]] constexpr WithTolerance<SelectFn> with(Tolerance tol) const noexcept { return {*this, tol}; }
};

}  // namespace detail

/// Median select. Among the eligible replicas (present, finite unless `NonFinite::compare`,
/// Eigen: of the majority shape) it delivers the middle value, element by element for
/// std::array and Eigen matrices; with an even count k, the lower middle value (always a value
/// some replica produced). Decides whenever the eligible replicas meet the quorum (strict
/// majority of N by default), whatever their values: it masks up to floor((k-1)/2) outliers of
/// any size without ever comparing them, but it does not *detect* disagreement by itself. The
/// report says who agrees with the delivered value: bit-identical by default, within `tol` with
/// the `(outs, tol, opts)` overload or `median.with(tol)`. For arrays the delivered vector may
/// mix elements of different replicas.
///
/// Usage: `auto v = lockstep::voters::median(std::span{outs}); // {1.0, 1.1, 50.0} -> 1.1`
/// Thread safety: stateless. On failure (too few eligible replicas, N outside 2..16):
/// `Outcome::no_majority`, every present replica dissents. No allocation for fixed-size types;
/// a dynamic Eigen result is one copy of a replica (allocates).
inline constexpr detail::SelectFn<detail::Select::median> median{};

/// Mid-value select: the median for an odd count of eligible replicas, the midpoint of the two
/// middle values (std::midpoint) for an even count; element-wise for arrays and Eigen. This is
/// the classic flight-control "MVS": for three channels it is the middle one
/// (100, 100, 100000 -> 100). Same decision, reporting and failure rules as `median`.
/// Usage: `auto v = lockstep::voters::mid_value(std::span{outs});`
/// Thread safety: stateless. On failure: `Outcome::no_majority`, every present replica dissents.
inline constexpr detail::SelectFn<detail::Select::mid_value> mid_value{};

}  // namespace lockstep::voters
