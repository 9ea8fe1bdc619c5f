#pragma once
// Internal: how the voters compare, check and measure one replica's output, for every replica
// type they accept (scalars, enums, trivially copyable structs, std::array, std::span, Eigen
// dense matrices). Not part of the public API; spellings here may change.

#include <array>
#include <bit>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <type_traits>

#include <Eigen/Core>

#include <lockstep/core/replica_mask.hpp>
#include <lockstep/voters/tolerance.hpp>
#include <lockstep/voters/vote.hpp>

namespace lockstep::voters::detail {

// ---- type classification -------------------------------------------------------------------

template <class T>
struct IsStdArray : std::false_type {};
template <class E, std::size_t N>
struct IsStdArray<std::array<E, N>> : std::true_type {};

template <class T>
struct IsSpan : std::false_type {};
template <class E, std::size_t N>
struct IsSpan<std::span<E, N>> : std::true_type {};

template <class T>
inline constexpr bool kIsEigen = std::is_base_of_v<Eigen::DenseBase<T>, T>;

/// A plain Eigen object whose size is fixed at compile time (stored inline, never allocates).
template <class T>
inline constexpr bool kIsFixedEigen = [] {
  if constexpr (kIsEigen<T>) {
    return T::SizeAtCompileTime != Eigen::Dynamic;
  } else {
    return false;
  }
}();

/// Scalars the numeric voters (median, mid-value, tolerance, weighted average) work on.
template <class T>
concept NumericScalar = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

/// Element type of a container-like replica type (T itself for scalars).
template <class T>
struct ElementOf {
  using type = T;
};
template <class E, std::size_t N>
struct ElementOf<std::array<E, N>> {
  using type = E;
};
template <class E, std::size_t N>
struct ElementOf<std::span<E, N>> {
  using type = std::remove_cv_t<E>;
};
template <class T>
requires kIsEigen<T>
struct ElementOf<T> {
  using type = typename T::Scalar;
};
template <class T>
using ElementT = typename ElementOf<T>::type;

/// A replica type whose elements the numeric voters can work on one by one.
template <class T>
concept NumericReplica = NumericScalar<T> ||
    ((IsStdArray<T>::value || IsSpan<T>::value || kIsEigen<T>)&&NumericScalar<ElementT<T>>);

/// A replica type the exact voters can compare.
template <class T>
concept Comparable =
    std::is_trivially_copyable_v<T> || std::equality_comparable<T> || kIsEigen<T> || IsSpan<T>::value;

// ---- element access --------------------------------------------------------------------------

template <class T>
[[nodiscard]] constexpr std::size_t element_count(const T& v) noexcept {
  if constexpr (NumericScalar<T>) {
    return 1;
  } else if constexpr (kIsEigen<T>) {
    return static_cast<std::size_t>(v.size());
  } else {
    return v.size();
  }
}

template <class T>
[[nodiscard]] constexpr ElementT<T> element(const T& v, std::size_t k) noexcept {
  if constexpr (NumericScalar<T>) {
    return v;
  } else if constexpr (kIsEigen<T>) {
    return v.coeff(static_cast<Eigen::Index>(k));
  } else {
    return v[k];
  }
}

/// Same shape (rows x cols for Eigen, size for spans; fixed-size types always match).
template <class T>
[[nodiscard]] constexpr bool same_shape(const T& a, const T& b) noexcept {
  if constexpr (kIsEigen<T>) {
    return a.rows() == b.rows() && a.cols() == b.cols();
  } else if constexpr (IsSpan<T>::value) {
    return a.size() == b.size();
  } else {
    return true;
  }
}

// ---- exact equality --------------------------------------------------------------------------

template <class E>
[[nodiscard]] inline bool bits_equal(const E& a, const E& b) noexcept {
  if constexpr (std::is_floating_point_v<E> || std::is_integral_v<E> || std::is_enum_v<E>) {
    if constexpr (sizeof(E) == 8) {
      return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
    } else if constexpr (sizeof(E) == 4) {
      return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
    } else {
      // NOLINTNEXTLINE(bugprone-suspicious-memory-comparison)
      return std::memcmp(&a, &b, sizeof(E)) == 0;
    }
  } else {
    // Bitwise on purpose (documented): replicas of a trivially copyable type agree only when
    // every byte agrees, floating members and padding included.
    // NOLINTNEXTLINE(bugprone-suspicious-memory-comparison)
    return std::memcmp(&a, &b, sizeof(E)) == 0;
  }
}

/// Exact agreement: bitwise for trivially copyable types (so -0.0 != +0.0 and NaN == NaN of the
/// same payload), element-wise for spans and Eigen (different shapes never agree), `==` otherwise.
template <class T>
[[nodiscard]] inline bool equal(const T& a, const T& b) noexcept {
  if constexpr (kIsEigen<T>) {
    if (!same_shape(a, b)) { return false; }
    const auto n = static_cast<std::size_t>(a.size());
    using S = typename T::Scalar;
    if constexpr (std::is_trivially_copyable_v<S>) {
      return n == 0 || std::memcmp(a.data(), b.data(), n * sizeof(S)) == 0;
    } else {
      for (std::size_t k = 0; k < n; ++k) {
        if (!(a.coeff(static_cast<Eigen::Index>(k)) == b.coeff(static_cast<Eigen::Index>(k)))) {
          return false;
        }
      }
      return true;
    }
  } else if constexpr (IsSpan<T>::value) {
    if (a.size() != b.size()) { return false; }
    using E = std::remove_cv_t<typename T::element_type>;
    if constexpr (std::is_trivially_copyable_v<E>) {
      return a.empty() || std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
    } else {
      for (std::size_t k = 0; k < a.size(); ++k) {
        if (!(a[k] == b[k])) { return false; }
      }
      return true;
    }
  } else if constexpr (std::is_trivially_copyable_v<T>) {
    return bits_equal(a, b);
  } else {
    return a == b;
  }
}

// ---- non-finite detection ----------------------------------------------------------------------

/// False when a floating scalar (or any floating element) is NaN or infinite. Types without
/// floating elements (integers, structs) always count as finite: the voters cannot look inside.
template <class T>
[[nodiscard]] inline bool finite(const T& v) noexcept {
  if constexpr (std::is_floating_point_v<T>) {
    return std::isfinite(v);
  } else if constexpr (NumericReplica<T> && std::is_floating_point_v<ElementT<T>>) {
    const std::size_t n = element_count(v);
    bool ok = true;
    for (std::size_t k = 0; k < n; ++k) { ok = ok && std::isfinite(element(v, k)); }
    return ok;
  } else {
    return true;
  }
}

// ---- tolerance -------------------------------------------------------------------------------

/// Monotonic integer image of a float: adjacent representable values differ by 1, -0 == +0.
template <class F>
[[nodiscard]] inline auto ordered_bits(F x) noexcept {
  if constexpr (sizeof(F) == 8) {
    const auto i = std::bit_cast<std::int64_t>(x);
    return i < 0 ? std::numeric_limits<std::int64_t>::min() - i : i;
  } else {
    static_assert(sizeof(F) == 4, "only float and double have a ULP tolerance");
    const auto i = static_cast<std::int64_t>(std::bit_cast<std::int32_t>(x));
    return i < 0 ? std::int64_t{std::numeric_limits<std::int32_t>::min()} - i : i;
  }
}

template <class I>
[[nodiscard]] constexpr std::uint64_t int_distance(I a, I b) noexcept {
  using U = std::make_unsigned_t<I>;
  const U d = a >= b ? static_cast<U>(static_cast<U>(a) - static_cast<U>(b))
                     : static_cast<U>(static_cast<U>(b) - static_cast<U>(a));
  return static_cast<std::uint64_t>(d);
}

/// Scalars agree within a tolerance. Bit-identical values always agree (so a NaN or negative
/// bound still lets identical replicas agree); otherwise absolute: |a-b| <= eps, relative:
/// |a-b| <= eps * max(|a|,|b|), ulp: at most n representable values apart (integers: n units).
template <NumericScalar S>
[[nodiscard]] inline bool within_scalar(S a, S b, const Tolerance& tol) noexcept {
  if (bits_equal(a, b)) { return true; }
  if constexpr (std::is_floating_point_v<S>) {
    if (std::isnan(a) || std::isnan(b)) { return false; }
    switch (tol.kind()) {
      case Tolerance::Kind::absolute:
        return static_cast<double>(std::abs(a - b)) <= tol.epsilon();
      case Tolerance::Kind::relative: {
        const double scale = static_cast<double>(std::max(std::abs(a), std::abs(b)));
        return static_cast<double>(std::abs(a - b)) <= tol.epsilon() * scale;
      }
      case Tolerance::Kind::ulp: {
        const std::int64_t ia = ordered_bits(a);
        const std::int64_t ib = ordered_bits(b);
        return int_distance(ia, ib) <= tol.ulps();
      }
    }
    return false;
  } else {
    const std::uint64_t d = int_distance(a, b);
    switch (tol.kind()) {
      case Tolerance::Kind::absolute:
        return static_cast<double>(d) <= tol.epsilon();
      case Tolerance::Kind::relative: {
        const double scale = std::max(std::abs(static_cast<double>(a)), std::abs(static_cast<double>(b)));
        return static_cast<double>(d) <= tol.epsilon() * scale;
      }
      case Tolerance::Kind::ulp:
        return d <= tol.ulps();
    }
    return false;
  }
}

/// Replicas agree within a tolerance: same shape and every element within it.
template <NumericReplica T>
[[nodiscard]] inline bool within(const T& a, const T& b, const Tolerance& tol) noexcept {
  if constexpr (NumericScalar<T>) {
    return within_scalar(a, b, tol);
  } else {
    if (!same_shape(a, b)) { return false; }
    const std::size_t n = element_count(a);
    bool ok = true;
    for (std::size_t k = 0; k < n && ok; ++k) { ok = within_scalar(element(a, k), element(b, k), tol); }
    return ok;
  }
}

}  // namespace lockstep::voters::detail
