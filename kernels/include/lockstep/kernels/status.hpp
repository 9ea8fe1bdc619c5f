#pragma once
// The status every kernel output carries, and the helpers the kernels share: finiteness checks
// and the normwise agreement test their tolerances are defined for.

#include <lockstep/voters/tolerance.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace lockstep::kernels {

/// Outcome of one kernel call. Every version of a kernel reports the same statuses under the
/// same documented conditions, so that a voter can compare statuses before values.
enum class Status : std::uint8_t {
  ok,                     ///< result valid, within the kernel's documented tolerance
  singular,               ///< a matrix that must be inverted is exactly or numerically singular
  ill_conditioned,        ///< result computed, but the condition number exceeds the kernel's bound
  not_positive_definite,  ///< a matrix that must be SPD (covariance, weight, LDLT input) is not
  out_of_range,           ///< an input lies outside the kernel's valid range (see its spec)
  non_finite,             ///< an input contains NaN or infinity
  not_converged,          ///< an iteration hit its limit before meeting its stopping criterion
};

/// Name of a status, for logs and test messages.
[[nodiscard]] constexpr std::string_view to_string(Status s) noexcept {
  switch (s) {
    case Status::ok:
      return "ok";
    case Status::singular:
      return "singular";
    case Status::ill_conditioned:
      return "ill_conditioned";
    case Status::not_positive_definite:
      return "not_positive_definite";
    case Status::out_of_range:
      return "out_of_range";
    case Status::non_finite:
      return "non_finite";
    case Status::not_converged:
      return "not_converged";
  }
  return "unknown";
}

/// Unit roundoff of IEEE double (2^-53).
inline constexpr double kUnitRoundoff = 1.1102230246251565e-16;
/// Unit roundoff of IEEE float (2^-24).
inline constexpr double kUnitRoundoffFloat = 5.9604644775390625e-08;

/// True when every coefficient of `m` is finite (no NaN, no infinity). Allocation-free.
template <typename Derived>
[[nodiscard]] bool all_finite(const Eigen::MatrixBase<Derived>& m) noexcept {
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      if (!std::isfinite(m(i, j))) return false;
    }
  }
  return true;
}

/// Normwise agreement, the test every kernel tolerance is derived for:
///  - relative: max|a-b| <= eps * max(max|a|, max|b|), plus an absolute floor of eps * floor
///    so that two results that are both (nearly) zero agree;
///  - absolute: max|a-b| <= eps;
///  - ulp: treated as relative with eps = ulps * 2^-52 (coarse; kernels do not use it).
/// NaN anywhere never agrees. `floor` is the scale below which values count as zero.
template <typename DerivedA, typename DerivedB>
[[nodiscard]] bool agree_normwise(const Eigen::MatrixBase<DerivedA>& a, const Eigen::MatrixBase<DerivedB>& b,
                                  const Tolerance& tol, double floor = 1.0) noexcept {
  double diff = 0.0;
  double scale = 0.0;
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      const double x = static_cast<double>(a(i, j));
      const double y = static_cast<double>(b(i, j));
      if (std::isnan(x) || std::isnan(y)) return false;
      diff = std::max(diff, std::abs(x - y));
      scale = std::max({scale, std::abs(x), std::abs(y)});
    }
  }
  switch (tol.kind()) {
    case Tolerance::Kind::absolute:
      return diff <= tol.epsilon();
    case Tolerance::Kind::relative:
      return diff <= tol.epsilon() * std::max(scale, floor);
    case Tolerance::Kind::ulp:
      return diff <= static_cast<double>(tol.ulps()) * 2.220446049250313e-16 * std::max(scale, floor);
  }
  return false;
}

}  // namespace lockstep::kernels
