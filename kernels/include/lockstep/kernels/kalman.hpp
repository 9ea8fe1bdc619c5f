#pragma once
// One linear Kalman filter cycle (predict + update) in three independently written versions:
//
//   kalman_standard     covariance form: K = P-H'S^-1 (Cholesky of S), P = (I - KH) P-
//   kalman_joseph       Joseph form: K via partial-pivot LU of S,
//                       P = (I - KH) P- (I - KH)' + K R K'  (stays symmetric PSD under rounding)
//   kalman_information  information form: Y- = P-^-1, Y = Y- + H'R^-1H, y = Y- x- + H'R^-1 z,
//                       x = Y^-1 y, P = Y^-1 (LDL^T of P- and Y, Cholesky of R; no gain matrix)
//
// Model: x- = F x, P- = F P F' + Q; z = H x + v, v ~ N(0, R).
// Spec: P and Q symmetric positive semidefinite, R symmetric positive definite, all finite.
// Every version computes kappa_1(P-) and kappa_1(S) (S = H P- H' + R) from its own
// factorisations and classifies the call the same way:
//   non_finite / not_positive_definite  bad input              x, P returned unchanged
//   singular                            P- or S not invertible x, P returned unchanged
//                                       (P- must be positive definite: the information form
//                                       inverts it, and all versions classify alike)
//   ill_conditioned                     a kappa > kKalmanMaxCondition   result computed, not voted
//   ok                                  result within kalman_tolerance

#include <lockstep/kernels/status.hpp>

#include <Eigen/Dense>

#include <array>
#include <cmath>

namespace lockstep::kernels {

inline constexpr double kKalmanMaxCondition = 1e6;

template <int Nx, int Nz>
struct KalmanInput {
  Eigen::Matrix<double, Nx, 1> x = Eigen::Matrix<double, Nx, 1>::Zero();
  Eigen::Matrix<double, Nx, Nx> p = Eigen::Matrix<double, Nx, Nx>::Identity();
  Eigen::Matrix<double, Nx, Nx> f = Eigen::Matrix<double, Nx, Nx>::Identity();
  Eigen::Matrix<double, Nx, Nx> q = Eigen::Matrix<double, Nx, Nx>::Zero();
  Eigen::Matrix<double, Nz, Nx> h = Eigen::Matrix<double, Nz, Nx>::Zero();
  Eigen::Matrix<double, Nz, Nz> r = Eigen::Matrix<double, Nz, Nz>::Identity();
  Eigen::Matrix<double, Nz, 1> z = Eigen::Matrix<double, Nz, 1>::Zero();
};

template <int Nx, int Nz>
struct KalmanOutput {
  Eigen::Matrix<double, Nx, 1> x = Eigen::Matrix<double, Nx, 1>::Zero();
  Eigen::Matrix<double, Nx, Nx> p = Eigen::Matrix<double, Nx, Nx>::Zero();
  Status status = Status::ok;
};

/// Relative normwise agreement tolerance of x and P of two `ok` results.
/// Derivation: each version is a fixed sequence of O(Nx + Nz) matrix products and one or two
/// backward-stable factorisations of P- (information form) or S (covariance forms); their
/// errors are bounded by gamma_{4(Nx+Nz)} times the condition number of the inverted matrix,
/// and the information form inverts twice (P- then Y). With both kappas <= 1e6:
/// eps = 2 versions * 2 inversions * gamma_{4(Nx+Nz)} * 1e6  (Nx=4, Nz=2: 1.1e-8).
template <int Nx, int Nz>
[[nodiscard]] constexpr Tolerance kalman_tolerance() noexcept {
  const double k = 4.0 * (Nx + Nz) * kUnitRoundoff;
  return Tolerance::relative(4.0 * kKalmanMaxCondition * k / (1.0 - k));
}

/// Same status, and for ok both x and P agree normwise within kalman_tolerance.
template <int Nx, int Nz>
[[nodiscard]] bool agrees(const KalmanOutput<Nx, Nz>& a, const KalmanOutput<Nx, Nz>& b) noexcept {
  if (a.status != b.status) return false;
  if (a.status != Status::ok) return true;
  return agree_normwise(a.x, b.x, kalman_tolerance<Nx, Nz>()) &&
         agree_normwise(a.p, b.p, kalman_tolerance<Nx, Nz>());
}

namespace detail {

template <typename M>
[[nodiscard]] double norm_1(const M& m) noexcept {
  return m.cwiseAbs().colwise().sum().maxCoeff();
}

template <int N>
[[nodiscard]] bool symmetric_psd(const Eigen::Matrix<double, N, N>& m, bool strict) noexcept {
  const double scale = std::max(norm_1(m), 1e-300);
  if (norm_1(m - m.transpose()) > 8.0 * N * kUnitRoundoff * scale) return false;
  if constexpr (N == 1) {  // (GCC 12 reports a false array-bounds error inside LDLT<1x1>)
    return strict ? m(0, 0) > 0.0 : m(0, 0) >= 0.0;
  } else {
    const Eigen::LDLT<Eigen::Matrix<double, N, N>> ldlt(m);
    if (ldlt.info() != Eigen::Success) return false;
    for (int i = 0; i < N; ++i) {
      const double d = ldlt.vectorD()(i);
      if (strict ? !(d > 0.0) : d < -16.0 * N * kUnitRoundoff * scale) return false;
    }
    return true;
  }
}

template <int Nx, int Nz>
[[nodiscard]] Status kalman_check(const KalmanInput<Nx, Nz>& in, KalmanOutput<Nx, Nz>& out) noexcept {
  out.x = in.x;
  out.p = in.p;
  if (!all_finite(in.x) || !all_finite(in.p) || !all_finite(in.f) || !all_finite(in.q) || !all_finite(in.h) ||
      !all_finite(in.r) || !all_finite(in.z)) {
    return Status::non_finite;
  }
  if (!symmetric_psd<Nx>(in.p, false) || !symmetric_psd<Nx>(in.q, false) || !symmetric_psd<Nz>(in.r, true)) {
    return Status::not_positive_definite;
  }
  return Status::ok;
}

/// kappa_1 classification shared by the versions (each passes its own inverses).
template <int Nx, int Nz>
[[nodiscard]] Status kalman_classify(const Eigen::Matrix<double, Nx, Nx>& pm,
                                     const Eigen::Matrix<double, Nx, Nx>& pm_inv,
                                     const Eigen::Matrix<double, Nz, Nz>& s,
                                     const Eigen::Matrix<double, Nz, Nz>& s_inv) noexcept {
  if (!all_finite(pm_inv) || !all_finite(s_inv)) return Status::singular;
  const double kp = norm_1(pm) * norm_1(pm_inv);
  const double ks = norm_1(s) * norm_1(s_inv);
  if (!(kp < 1.0 / (Nx * kUnitRoundoff)) || !(ks < 1.0 / (Nz * kUnitRoundoff))) return Status::singular;
  return kp > kKalmanMaxCondition || ks > kKalmanMaxCondition ? Status::ill_conditioned : Status::ok;
}

template <int N>
[[nodiscard]] Eigen::Matrix<double, N, N> sym(const Eigen::Matrix<double, N, N>& m) noexcept {
  return 0.5 * (m + m.transpose());
}

}  // namespace detail

/// Version 1: standard covariance form.
/// Usage: `auto out = kalman_standard<4, 2>(in); if (out.status == Status::ok) { x = out.x; P = out.p; }`
/// Thread safety: pure function. On failure: status per the header comment, never throws.
template <int Nx, int Nz>
[[nodiscard]] KalmanOutput<Nx, Nz> kalman_standard(const KalmanInput<Nx, Nz>& in) noexcept {
  using MatX = Eigen::Matrix<double, Nx, Nx>;
  using MatZ = Eigen::Matrix<double, Nz, Nz>;
  KalmanOutput<Nx, Nz> out;
  if (const Status s = detail::kalman_check(in, out); s != Status::ok) {
    out.status = s;
    return out;
  }
  const Eigen::Matrix<double, Nx, 1> xm = in.f * in.x;
  const MatX pm = detail::sym<Nx>(in.f * in.p * in.f.transpose() + in.q);
  const MatZ s = detail::sym<Nz>(in.h * pm * in.h.transpose() + in.r);
  const Eigen::LLT<MatZ> s_llt(s);
  const Eigen::LLT<MatX> pm_llt(pm);
  if (s_llt.info() != Eigen::Success || pm_llt.info() != Eigen::Success) {
    out.status = Status::singular;
    return out;
  }
  out.status =
      detail::kalman_classify<Nx, Nz>(pm, pm_llt.solve(MatX::Identity()), s, s_llt.solve(MatZ::Identity()));
  if (out.status == Status::singular) return out;
  const Eigen::Matrix<double, Nx, Nz> k = s_llt.solve(in.h * pm).transpose();  // S symmetric
  out.x = xm + k * (in.z - in.h * xm);
  out.p = detail::sym<Nx>((MatX::Identity() - k * in.h) * pm);
  return out;
}

/// Version 2: Joseph form.
/// Thread safety: pure function. On failure: status per the header comment, never throws.
template <int Nx, int Nz>
[[nodiscard]] KalmanOutput<Nx, Nz> kalman_joseph(const KalmanInput<Nx, Nz>& in) noexcept {
  using MatX = Eigen::Matrix<double, Nx, Nx>;
  using MatZ = Eigen::Matrix<double, Nz, Nz>;
  KalmanOutput<Nx, Nz> out;
  if (const Status s = detail::kalman_check(in, out); s != Status::ok) {
    out.status = s;
    return out;
  }
  const Eigen::Matrix<double, Nx, 1> xm = in.f * in.x;
  const MatX fp = in.f * in.p;
  const MatX pm = fp * in.f.transpose() + in.q;  // not symmetrised: the Joseph update is
  const Eigen::Matrix<double, Nx, Nz> pht = pm * in.h.transpose();
  const MatZ s = in.h * pht + in.r;
  const Eigen::PartialPivLU<MatZ> s_lu(s);
  const Eigen::PartialPivLU<MatX> pm_lu(pm);
  out.status = detail::kalman_classify<Nx, Nz>(pm, pm_lu.inverse(), s, s_lu.inverse());
  if (out.status == Status::singular) return out;
  // K = P- H' S^-1  <=>  K' = S'^-1 (P- H')' ; S symmetric up to rounding.
  const Eigen::Matrix<double, Nx, Nz> k = pht * s_lu.inverse();
  const MatX ikh = MatX::Identity() - k * in.h;
  out.x = xm + k * (in.z - in.h * xm);
  out.p = detail::sym<Nx>(ikh * pm * ikh.transpose() + k * in.r * k.transpose());
  return out;
}

/// Version 3: information form.
/// Thread safety: pure function. On failure: status per the header comment, never throws.
template <int Nx, int Nz>
[[nodiscard]] KalmanOutput<Nx, Nz> kalman_information(const KalmanInput<Nx, Nz>& in) noexcept {
  using MatX = Eigen::Matrix<double, Nx, Nx>;
  using MatZ = Eigen::Matrix<double, Nz, Nz>;
  KalmanOutput<Nx, Nz> out;
  if (const Status s = detail::kalman_check(in, out); s != Status::ok) {
    out.status = s;
    return out;
  }
  const Eigen::Matrix<double, Nx, 1> xm = in.f * in.x;
  const MatX pm = detail::sym<Nx>(in.f * in.p * in.f.transpose() + in.q);
  const Eigen::LDLT<MatX> pm_ldlt(pm);
  // Eigen's LDL^T solve pseudo-inverts zero pivots: refuse them explicitly.
  if (pm_ldlt.info() != Eigen::Success || !(pm_ldlt.vectorD().minCoeff() > 0.0)) {
    out.status = Status::singular;
    return out;
  }
  const MatX ym = pm_ldlt.solve(MatX::Identity());
  const Eigen::LLT<MatZ> r_llt(in.r);
  const Eigen::Matrix<double, Nz, Nx> rinv_h = r_llt.solve(in.h);
  const MatZ s = in.h * pm * in.h.transpose() + in.r;  // only for the shared classification
  out.status = detail::kalman_classify<Nx, Nz>(pm, ym, s, Eigen::LLT<MatZ>(s).solve(MatZ::Identity()));
  if (out.status == Status::singular) return out;
  const MatX y = detail::sym<Nx>(ym + in.h.transpose() * rinv_h);
  const Eigen::Matrix<double, Nx, 1> eta = ym * xm + in.h.transpose() * r_llt.solve(in.z);
  const Eigen::LDLT<MatX> y_ldlt(y);
  out.p = detail::sym<Nx>(y_ldlt.solve(MatX::Identity()));
  out.x = y_ldlt.solve(eta);
  return out;
}

template <int Nx, int Nz>
using KalmanFn = KalmanOutput<Nx, Nz> (*)(const KalmanInput<Nx, Nz>&) noexcept;

/// The three Kalman versions, for N-version execution.
template <int Nx, int Nz>
inline constexpr std::array<KalmanFn<Nx, Nz>, 3> kKalmanVersions{
    &kalman_standard<Nx, Nz>, &kalman_joseph<Nx, Nz>, &kalman_information<Nx, Nz>};

extern template KalmanOutput<4, 2> kalman_standard<4, 2>(const KalmanInput<4, 2>&) noexcept;
extern template KalmanOutput<4, 2> kalman_joseph<4, 2>(const KalmanInput<4, 2>&) noexcept;
extern template KalmanOutput<4, 2> kalman_information<4, 2>(const KalmanInput<4, 2>&) noexcept;
extern template KalmanOutput<2, 1> kalman_standard<2, 1>(const KalmanInput<2, 1>&) noexcept;
extern template KalmanOutput<2, 1> kalman_joseph<2, 1>(const KalmanInput<2, 1>&) noexcept;
extern template KalmanOutput<2, 1> kalman_information<2, 1>(const KalmanInput<2, 1>&) noexcept;

}  // namespace lockstep::kernels
