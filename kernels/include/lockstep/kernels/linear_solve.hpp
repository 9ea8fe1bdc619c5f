#pragma once
// Small dense linear solve A x = b in four independently written versions.
//
//   solve_lu     Eigen partial-pivot LU (row interchanges, Doolittle, blocked by Eigen)
//   solve_qr     Eigen Householder QR (orthogonal reduction, no pivoting)
//   solve_gauss  hand-written Gaussian elimination with COMPLETE pivoting (own loops)
//   solve_ldlt   hand-written LDL^T without pivoting, for symmetric positive definite A only
//
// Every version computes, from its own factorisation, the infinity-norm condition number
// kappa = ||A||_inf * ||A^-1||_inf and classifies the call the same way:
//   non_finite            A or b holds NaN/inf                               x = 0
//   not_positive_definite (solve_ldlt only) A not symmetric or a pivot <= 0  x = 0
//   singular              a zero pivot, or kappa >= 1/(N u) (numerically singular)   x = 0
//   ill_conditioned       kappa > kLinearSolveMaxCondition                   x computed, not voted
//   ok                    kappa <= kLinearSolveMaxCondition                  x within tolerance
// Versions may classify differently only when kappa lies within rounding of a threshold.

#include <lockstep/kernels/status.hpp>

#include <Eigen/Dense>

#include <array>
#include <cmath>
#include <cstdint>

namespace lockstep::kernels {

/// Largest infinity-norm condition number for which a solve reports `ok`.
inline constexpr double kLinearSolveMaxCondition = 1.0e6;

/// Input of a linear solve: A (N x N) and b (N).
template <int N>
struct LinearSolveInput {
  Eigen::Matrix<double, N, N> a = Eigen::Matrix<double, N, N>::Identity();
  Eigen::Matrix<double, N, 1> b = Eigen::Matrix<double, N, 1>::Zero();
};

/// Result of a linear solve: x, the version's own condition estimate, and the status.
template <int N>
struct LinearSolveOutput {
  Eigen::Matrix<double, N, 1> x = Eigen::Matrix<double, N, 1>::Zero();
  double condition = 0.0;  ///< kappa_inf(A) as computed by this version (inf when singular)
  Status status = Status::ok;
};

/// Agreement tolerance of two `ok` solves, applied normwise (see `agrees`).
/// Derivation: each version is backward stable, (A + dA) x^ = b with
/// ||dA|| <= gamma_{3N} * rho_N * ||A||, gamma_k = k u / (1 - k u), rho_N = 2^(N-1) the worst
/// growth factor of partial pivoting (complete pivoting, QR and LDL^T of SPD matrices grow
/// less). Hence ||x^ - x|| / ||x|| <= kappa * gamma_{3N} * rho_N / (1 - kappa * ...), and two
/// versions differ by at most twice that. With kappa <= kLinearSolveMaxCondition:
/// eps = 2 * kappa_max * gamma_{3N} * 2^(N-1)  (N = 6: 1.3e-7).
template <int N>
[[nodiscard]] constexpr Tolerance linear_solve_tolerance() noexcept {
  const double k = 3.0 * N * kUnitRoundoff;
  double growth = 1.0;
  for (int i = 1; i < N; ++i) growth *= 2.0;
  return Tolerance::relative(2.0 * kLinearSolveMaxCondition * (k / (1.0 - k)) * growth);
}

/// True when two outputs agree: same status, and for `ok` the x agree normwise within
/// `linear_solve_tolerance<N>()` (relative to max(||x||_inf, 1)). Non-ok outputs agree on status alone.
template <int N>
[[nodiscard]] bool agrees(const LinearSolveOutput<N>& a, const LinearSolveOutput<N>& b) noexcept {
  if (a.status != b.status) return false;
  if (a.status != Status::ok) return true;
  return agree_normwise(a.x, b.x, linear_solve_tolerance<N>());
}

namespace detail {

template <int N>
[[nodiscard]] double inf_norm(const Eigen::Matrix<double, N, N>& m) noexcept {
  return m.cwiseAbs().rowwise().sum().maxCoeff();
}

/// Shared classification of a finished solve (each version supplies its own A^-1 and x).
template <int N>
[[nodiscard]] LinearSolveOutput<N> classify(const Eigen::Matrix<double, N, N>& a,
                                            const Eigen::Matrix<double, N, N>& inverse,
                                            const Eigen::Matrix<double, N, 1>& x) noexcept {
  LinearSolveOutput<N> out;
  if (!all_finite(inverse) || !all_finite(x)) {
    out.condition = HUGE_VAL;
    out.status = Status::singular;
    return out;
  }
  out.condition = inf_norm<N>(a) * inf_norm<N>(inverse);
  if (!(out.condition < 1.0 / (N * kUnitRoundoff))) {
    out.status = Status::singular;
    return out;
  }
  out.x = x;
  out.status = out.condition > kLinearSolveMaxCondition ? Status::ill_conditioned : Status::ok;
  return out;
}

template <int N>
[[nodiscard]] LinearSolveOutput<N> failed(Status s) noexcept {
  LinearSolveOutput<N> out;
  out.condition = HUGE_VAL;
  out.status = s;
  return out;
}

}  // namespace detail

/// Version 1: Eigen partial-pivot LU.
/// Usage: `auto out = solve_lu<6>({a, b}); if (out.status == Status::ok) use(out.x);`
/// Thread safety: pure function. On failure: status per the table above, never throws.
template <int N>
[[nodiscard]] LinearSolveOutput<N> solve_lu(const LinearSolveInput<N>& in) noexcept {
  if (!all_finite(in.a) || !all_finite(in.b)) return detail::failed<N>(Status::non_finite);
  const Eigen::PartialPivLU<Eigen::Matrix<double, N, N>> lu(in.a);
  const auto& u = lu.matrixLU();
  for (int i = 0; i < N; ++i) {
    if (u(i, i) == 0.0) return detail::failed<N>(Status::singular);
  }
  const Eigen::Matrix<double, N, N> inverse = lu.inverse();
  const Eigen::Matrix<double, N, 1> x = lu.solve(in.b);
  return detail::classify<N>(in.a, inverse, x);
}

/// Version 2: Eigen Householder QR (no pivoting), x = R^-1 Q^T b.
/// Thread safety: pure function. On failure: status per the table above, never throws.
template <int N>
[[nodiscard]] LinearSolveOutput<N> solve_qr(const LinearSolveInput<N>& in) noexcept {
  if (!all_finite(in.a) || !all_finite(in.b)) return detail::failed<N>(Status::non_finite);
  const Eigen::HouseholderQR<Eigen::Matrix<double, N, N>> qr(in.a);
  const auto& r = qr.matrixQR();
  for (int i = 0; i < N; ++i) {
    if (r(i, i) == 0.0) return detail::failed<N>(Status::singular);
  }
  const Eigen::Matrix<double, N, N> inverse = qr.solve(Eigen::Matrix<double, N, N>::Identity());
  const Eigen::Matrix<double, N, 1> x = qr.solve(in.b);
  return detail::classify<N>(in.a, inverse, x);
}

/// Version 3: hand-written Gaussian elimination with complete pivoting on [A | b | I], then
/// back substitution; no Eigen algorithm is used, only its storage.
/// Thread safety: pure function. On failure: status per the table above, never throws.
template <int N>
[[nodiscard]] LinearSolveOutput<N> solve_gauss(const LinearSolveInput<N>& in) noexcept {
  if (!all_finite(in.a) || !all_finite(in.b)) return detail::failed<N>(Status::non_finite);
  constexpr int kCols = 2 * N + 1;  // A | b | I
  Eigen::Matrix<double, N, kCols> m = Eigen::Matrix<double, N, kCols>::Zero();
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < N; ++j) m(i, j) = in.a(i, j);
    m(i, N) = in.b(i);
    m(i, N + 1 + i) = 1.0;
  }
  Eigen::Matrix<int, N, 1> col_of;  // column permutation: unknown col_of(k) sits in column k
  for (int k = 0; k < N; ++k) col_of(k) = k;
  for (int k = 0; k < N; ++k) {
    int pr = k;
    int pc = k;
    double best = 0.0;
    for (int i = k; i < N; ++i) {
      for (int j = k; j < N; ++j) {
        if (std::abs(m(i, j)) > best) {
          best = std::abs(m(i, j));
          pr = i;
          pc = j;
        }
      }
    }
    if (best == 0.0) return detail::failed<N>(Status::singular);
    for (int j = 0; j < kCols; ++j) std::swap(m(k, j), m(pr, j));
    if (pc != k) {
      for (int i = 0; i < N; ++i) std::swap(m(i, k), m(i, pc));
      std::swap(col_of(k), col_of(pc));
    }
    for (int i = k + 1; i < N; ++i) {
      const double f = m(i, k) / m(k, k);
      m(i, k) = 0.0;
      for (int j = k + 1; j < kCols; ++j) m(i, j) -= f * m(k, j);
    }
  }
  // Back substitution for the N+1 right-hand sides b, e_1..e_N at once.
  Eigen::Matrix<double, N, N + 1> z;
  for (int i = N - 1; i >= 0; --i) {
    for (int r = 0; r <= N; ++r) {
      double s = m(i, N + r);
      for (int j = i + 1; j < N; ++j) s -= m(i, j) * z(j, r);
      z(i, r) = s / m(i, i);
    }
  }
  Eigen::Matrix<double, N, 1> x;
  Eigen::Matrix<double, N, N> inverse;
  for (int k = 0; k < N; ++k) {
    x(col_of(k)) = z(k, 0);
    for (int r = 0; r < N; ++r) inverse(col_of(k), r) = z(k, r + 1);
  }
  return detail::classify<N>(in.a, inverse, x);
}

/// Version 4 (SPD systems only): hand-written LDL^T without pivoting. Rejects A that is not
/// symmetric (|a_ij - a_ji| > 8 N u max|a|) or whose pivots are not positive with
/// `not_positive_definite`.
/// Thread safety: pure function. On failure: status per the table above, never throws.
template <int N>
[[nodiscard]] LinearSolveOutput<N> solve_ldlt(const LinearSolveInput<N>& in) noexcept {
  if (!all_finite(in.a) || !all_finite(in.b)) return detail::failed<N>(Status::non_finite);
  const double amax = in.a.cwiseAbs().maxCoeff();
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < i; ++j) {
      if (std::abs(in.a(i, j) - in.a(j, i)) > 8.0 * N * kUnitRoundoff * amax) {
        return detail::failed<N>(Status::not_positive_definite);
      }
    }
  }
  Eigen::Matrix<double, N, N> l = Eigen::Matrix<double, N, N>::Identity();
  Eigen::Matrix<double, N, 1> d;
  for (int j = 0; j < N; ++j) {
    double dj = in.a(j, j);
    for (int k = 0; k < j; ++k) dj -= l(j, k) * l(j, k) * d(k);
    if (!(dj > 0.0)) return detail::failed<N>(Status::not_positive_definite);
    d(j) = dj;
    for (int i = j + 1; i < N; ++i) {
      double s = in.a(i, j);
      for (int k = 0; k < j; ++k) s -= l(i, k) * l(j, k) * d(k);
      l(i, j) = s / dj;
    }
  }
  // Solve L D L^T z = r for r = b, e_1..e_N.
  Eigen::Matrix<double, N, 1> x;
  Eigen::Matrix<double, N, N> inverse;
  for (int r = 0; r <= N; ++r) {
    Eigen::Matrix<double, N, 1> y;
    for (int i = 0; i < N; ++i) {
      double s = r == 0 ? in.b(i) : (i == r - 1 ? 1.0 : 0.0);
      for (int k = 0; k < i; ++k) s -= l(i, k) * y(k);
      y(i) = s;
    }
    for (int i = 0; i < N; ++i) y(i) /= d(i);
    for (int i = N - 1; i >= 0; --i) {
      double s = y(i);
      for (int k = i + 1; k < N; ++k) s -= l(k, i) * y(k);
      y(i) = s;
    }
    if (r == 0) {
      x = y;
    } else {
      inverse.col(r - 1) = y;
    }
  }
  return detail::classify<N>(in.a, inverse, x);
}

/// Signature shared by every linear-solve version (for N-version executors).
template <int N>
using LinearSolveFn = LinearSolveOutput<N> (*)(const LinearSolveInput<N>&) noexcept;

/// The three versions for general (non-symmetric) systems.
template <int N>
inline constexpr std::array<LinearSolveFn<N>, 3> kLinearSolveVersions{&solve_lu<N>, &solve_qr<N>,
                                                                      &solve_gauss<N>};
/// Three versions for symmetric positive definite systems (LDL^T replaces Gaussian elimination).
template <int N>
inline constexpr std::array<LinearSolveFn<N>, 3> kSpdSolveVersions{&solve_lu<N>, &solve_qr<N>,
                                                                   &solve_ldlt<N>};

extern template LinearSolveOutput<6> solve_lu<6>(const LinearSolveInput<6>&) noexcept;
extern template LinearSolveOutput<6> solve_qr<6>(const LinearSolveInput<6>&) noexcept;
extern template LinearSolveOutput<6> solve_gauss<6>(const LinearSolveInput<6>&) noexcept;
extern template LinearSolveOutput<6> solve_ldlt<6>(const LinearSolveInput<6>&) noexcept;

}  // namespace lockstep::kernels
