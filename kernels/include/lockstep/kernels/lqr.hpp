#pragma once
// Discrete-time infinite-horizon LQR gain in three independently written versions:
//
//   lqr_riccati      fixed-point (value) iteration of the Riccati difference equation from P = Q;
//                    linear convergence at rate rho(A - BK)^2; gain via Cholesky (LLT) of R + B'PB
//   lqr_doubling     structure-preserving doubling algorithm (SDA); quadratic convergence;
//                    gain via partial-pivot LU
//   lqr_eigenvector  stable invariant subspace of the 2n x 2n symplectic matrix (complex
//                    eigenvectors, P = U2 U1^-1); needs A invertible; gain via Householder QR
//
// Problem: minimise sum x'Qx + u'Ru subject to x+ = Ax + Bu; u = -K x with
// K = (R + B'PB)^-1 B'PA and P the stabilising solution of the DARE
//   P = Q + A'PA - A'PB (R + B'PB)^-1 B'PA.
// Spec: Q symmetric positive semidefinite, R symmetric positive definite, (A, B) stabilisable,
// (A, Q^1/2) detectable. Every version checks its own P the same way before reporting ok:
// DARE residual <= 1e-9 max(||P||, ||Q||, ||A||^2 ||P||, ||A'PB|| ||K||), kappa_1(R + B'PB) <= 1e4, and a
// proof that the closed loop decays: ||(A - BK)^1024||_inf <= 0.999^1024 (so rho(A - BK) <= 0.999).

#include <lockstep/kernels/status.hpp>

#include <Eigen/Dense>

#include <array>
#include <cmath>
#include <complex>
#include <cstdint>

namespace lockstep::kernels {

inline constexpr std::uint32_t kLqrMaxIterations = 20000;  ///< Riccati iteration limit
inline constexpr std::uint32_t kLqrMaxDoublings = 64;      ///< doubling steps limit
inline constexpr double kLqrStopTolerance = 1e-13;         ///< relative step size that stops iterating
inline constexpr double kLqrMaxSpectralRadius = 0.999;     ///< closed-loop decay required for ok
inline constexpr double kLqrMaxGainCondition = 1e4;        ///< kappa_1(R + B'PB) allowed for ok
inline constexpr double kLqrMaxResidual = 1e-9;            ///< relative DARE residual allowed

template <int Nx, int Nu>
struct LqrInput {
  Eigen::Matrix<double, Nx, Nx> a = Eigen::Matrix<double, Nx, Nx>::Identity();
  Eigen::Matrix<double, Nx, Nu> b = Eigen::Matrix<double, Nx, Nu>::Zero();
  Eigen::Matrix<double, Nx, Nx> q = Eigen::Matrix<double, Nx, Nx>::Identity();
  Eigen::Matrix<double, Nu, Nu> r = Eigen::Matrix<double, Nu, Nu>::Identity();
};

template <int Nx, int Nu>
struct LqrOutput {
  Eigen::Matrix<double, Nu, Nx> k = Eigen::Matrix<double, Nu, Nx>::Zero();  ///< u = -k x
  Eigen::Matrix<double, Nx, Nx> p = Eigen::Matrix<double, Nx, Nx>::Zero();  ///< DARE solution
  std::uint32_t iterations = 0;
  Status status = Status::ok;
};

/// Agreement tolerance of the gains K of two `ok` results, relative, normwise.
/// Derivation: with rho = rho(A - BK) <= 0.999, the Riccati iteration stopped at relative step
/// delta = 1e-13 is within delta rho^2/(1 - rho^2) <= 5.0e-11 of P; rounding perturbs the fixed
/// point by at most c n u / (1 - rho^2) (c = 16: one A'PA product and one Schur complement per
/// step); K = S^-1 B'PA amplifies a relative error of P by at most kappa(S) <= 1e4; two versions
/// differ by twice the bound: eps = 2e4 (5.0e-11 + 16 n u 500.25)  (n = 4: 1.07e-6).
template <int Nx>
[[nodiscard]] constexpr Tolerance lqr_tolerance() noexcept {
  const double rho2 = kLqrMaxSpectralRadius * kLqrMaxSpectralRadius;
  const double amplification = 1.0 / (1.0 - rho2);
  const double truncation = kLqrStopTolerance * rho2 * amplification;
  const double rounding = 16.0 * Nx * kUnitRoundoff * amplification;
  return Tolerance::relative(2.0 * kLqrMaxGainCondition * (truncation + rounding));
}

/// Same status, and for ok the gains agree normwise within lqr_tolerance<Nx>().
template <int Nx, int Nu>
[[nodiscard]] bool agrees(const LqrOutput<Nx, Nu>& a, const LqrOutput<Nx, Nu>& b) noexcept {
  if (a.status != b.status) return false;
  if (a.status != Status::ok) return true;
  return agree_normwise(a.k, b.k, lqr_tolerance<Nx>());
}

namespace detail {

template <int Nx, int Nu>
[[nodiscard]] LqrOutput<Nx, Nu> lqr_failed(Status s, std::uint32_t iterations = 0) noexcept {
  LqrOutput<Nx, Nu> out;
  out.status = s;
  out.iterations = iterations;
  return out;
}

template <typename M>
[[nodiscard]] double norm_inf(const M& m) noexcept {
  return m.cwiseAbs().rowwise().sum().maxCoeff();
}

/// Input checks shared by every version (the spec, not the algorithm): finite values,
/// R symmetric positive definite, Q symmetric positive semidefinite.
template <int Nx, int Nu>
[[nodiscard]] Status lqr_check_input(const LqrInput<Nx, Nu>& in) noexcept {
  if (!all_finite(in.a) || !all_finite(in.b) || !all_finite(in.q) || !all_finite(in.r)) {
    return Status::non_finite;
  }
  const double sym_tol = 8.0 * Nx * kUnitRoundoff;
  if (!in.q.isApprox(in.q.transpose(), sym_tol) && norm_inf(in.q - in.q.transpose()) > sym_tol) {
    return Status::not_positive_definite;
  }
  if (norm_inf(in.r - in.r.transpose()) > sym_tol * norm_inf(in.r)) return Status::not_positive_definite;
  const Eigen::LLT<Eigen::Matrix<double, Nu, Nu>> r_llt(in.r);
  if (r_llt.info() != Eigen::Success) return Status::not_positive_definite;
  const Eigen::LDLT<Eigen::Matrix<double, Nx, Nx>> q_ldlt(in.q);
  if (q_ldlt.info() != Eigen::Success) return Status::not_positive_definite;
  const double q_scale = std::max(norm_inf(in.q), 1e-300);
  for (int i = 0; i < Nx; ++i) {
    if (q_ldlt.vectorD()(i) < -16.0 * Nx * kUnitRoundoff * q_scale) return Status::not_positive_definite;
  }
  return Status::ok;
}

/// A posteriori verification every version applies to its own P and K.
template <int Nx, int Nu>
[[nodiscard]] Status lqr_verify(const LqrInput<Nx, Nu>& in, const Eigen::Matrix<double, Nx, Nx>& p,
                                const Eigen::Matrix<double, Nu, Nx>& k) noexcept {
  if (!all_finite(p) || !all_finite(k)) return Status::not_converged;
  const Eigen::Matrix<double, Nu, Nu> s = in.r + in.b.transpose() * p * in.b;
  const Eigen::Matrix<double, Nu, Nx> bpa = in.b.transpose() * p * in.a;
  const Eigen::Matrix<double, Nx, Nx> residual = in.q + in.a.transpose() * p * in.a - bpa.transpose() * k - p;
  // Normwise backward-error scale: the sizes of the terms that cancel in the residual (for a
  // nearly uncontrollable mode A'PA and A'PB K dwarf P itself).
  const double scale = std::max({norm_inf(p), norm_inf(in.q), norm_inf(in.a) * norm_inf(in.a) * norm_inf(p),
                                 norm_inf(bpa.transpose()) * norm_inf(k), 1e-300});
  if (!(norm_inf(residual) <= kLqrMaxResidual * scale)) return Status::not_converged;
  const Eigen::Matrix<double, Nu, Nu> s_inv = s.inverse();
  const double kappa = s.cwiseAbs().colwise().sum().maxCoeff() * s_inv.cwiseAbs().colwise().sum().maxCoeff();
  if (!(kappa <= kLqrMaxGainCondition)) return Status::ill_conditioned;
  // rho(M) <= ||M^1024||^(1/1024): ten squarings, rescaled to avoid overflow. With
  // M_0 = A - BK, n_i = ||M_i||, M_{i+1} = (M_i / n_i)^2:
  // ||M_0^1024||^(1/1024) <= prod n_i^(2^-i) * ||M_10||^(2^-10).
  Eigen::Matrix<double, Nx, Nx> m = in.a - in.b * k;
  double log_bound = 0.0;
  double weight = 1.0;
  for (int i = 0; i < 10; ++i) {
    const double nm = norm_inf(m);
    if (nm == 0.0) return Status::ok;
    if (!std::isfinite(nm)) return Status::ill_conditioned;
    m /= nm;
    log_bound += weight * std::log(nm);
    weight *= 0.5;
    m = (m * m).eval();
  }
  const double nm = norm_inf(m);
  if (nm == 0.0) return Status::ok;
  log_bound += weight * std::log(nm);
  return log_bound <= std::log(kLqrMaxSpectralRadius) ? Status::ok : Status::ill_conditioned;
}

template <int N>
[[nodiscard]] Eigen::Matrix<double, N, N> symmetrised(const Eigen::Matrix<double, N, N>& p) noexcept {
  return 0.5 * (p + p.transpose());
}

}  // namespace detail

/// Version 1: Riccati difference iteration P <- Q + A'PA - A'PB (R + B'PB)^-1 B'PA from P = Q,
/// until max|dP| <= 1e-13 max(max|P|, 1) or kLqrMaxIterations.
/// Usage: `auto out = lqr_riccati<4, 1>({a, b, q, r}); if (out.status == Status::ok) k = out.k;`
/// Thread safety: pure function. On failure: status (see the header comment), never throws.
template <int Nx, int Nu>
[[nodiscard]] LqrOutput<Nx, Nu> lqr_riccati(const LqrInput<Nx, Nu>& in) noexcept {
  if (const Status s = detail::lqr_check_input(in); s != Status::ok) return detail::lqr_failed<Nx, Nu>(s);
  Eigen::Matrix<double, Nx, Nx> p = in.q;
  std::uint32_t it = 0;
  bool converged = false;
  while (it < kLqrMaxIterations && !converged) {
    ++it;
    const Eigen::Matrix<double, Nx, Nu> pb = p * in.b;
    const Eigen::LLT<Eigen::Matrix<double, Nu, Nu>> s(in.r + in.b.transpose() * pb);
    const Eigen::Matrix<double, Nu, Nx> bpa = pb.transpose() * in.a;
    const Eigen::Matrix<double, Nx, Nx> next =
        detail::symmetrised<Nx>(in.q + in.a.transpose() * p * in.a - bpa.transpose() * s.solve(bpa));
    if (!all_finite(next)) return detail::lqr_failed<Nx, Nu>(Status::not_converged, it);
    const double step = (next - p).cwiseAbs().maxCoeff();
    converged = step <= kLqrStopTolerance * std::max(next.cwiseAbs().maxCoeff(), 1.0);
    p = next;
  }
  if (!converged) return detail::lqr_failed<Nx, Nu>(Status::not_converged, it);
  LqrOutput<Nx, Nu> out;
  out.p = p;
  const Eigen::LLT<Eigen::Matrix<double, Nu, Nu>> s(in.r + in.b.transpose() * p * in.b);
  out.k = s.solve(in.b.transpose() * p * in.a);
  out.iterations = it;
  out.status = detail::lqr_verify(in, out.p, out.k);
  return out;
}

/// Version 2: structure-preserving doubling (Chu, Fan, Lin 2005):
///   A+ = A (I + G H)^-1 A,  G+ = G + A (I + G H)^-1 G A',  H+ = H + A' H (I + G H)^-1 A
/// from A, G = B R^-1 B', H = Q; H converges quadratically to P.
/// Thread safety: pure function. On failure: status (see the header comment), never throws.
template <int Nx, int Nu>
[[nodiscard]] LqrOutput<Nx, Nu> lqr_doubling(const LqrInput<Nx, Nu>& in) noexcept {
  using MatX = Eigen::Matrix<double, Nx, Nx>;
  if (const Status s = detail::lqr_check_input(in); s != Status::ok) return detail::lqr_failed<Nx, Nu>(s);
  MatX a = in.a;
  MatX g = in.b * in.r.ldlt().solve(in.b.transpose());
  MatX h = in.q;
  std::uint32_t it = 0;
  bool converged = false;
  while (it < kLqrMaxDoublings && !converged) {
    ++it;
    const Eigen::PartialPivLU<MatX> w(MatX::Identity() + g * h);
    const MatX w_a = w.solve(a);  // (I + GH)^-1 A
    const MatX w_g = w.solve(g);  // (I + GH)^-1 G
    const MatX h_next = detail::symmetrised<Nx>(h + a.transpose() * h * w_a);
    const MatX g_next = detail::symmetrised<Nx>(g + a * w_g * a.transpose());
    a = (a * w_a).eval();
    if (!all_finite(h_next) || !all_finite(g_next) || !all_finite(a)) {
      return detail::lqr_failed<Nx, Nu>(Status::not_converged, it);
    }
    // Stop when H no longer moves, or when A_k has decayed so far that no later step can move
    // it (the increment A_k' H W A_k is quadratic in A_k).
    const double a_max = a.cwiseAbs().maxCoeff();
    converged = (h_next - h).cwiseAbs().maxCoeff() <=
                    kLqrStopTolerance * std::max(h_next.cwiseAbs().maxCoeff(), 1.0) ||
                a_max * a_max <= kLqrStopTolerance * kUnitRoundoff;
    h = h_next;
    g = g_next;
  }
  // Not converged within the doubling limit: the a-posteriori residual check below decides
  // (rounding noise in H can keep the step above 1e-13 while the result is already exact).
  LqrOutput<Nx, Nu> out;
  out.p = h;
  const Eigen::PartialPivLU<Eigen::Matrix<double, Nu, Nu>> s(in.r + in.b.transpose() * h * in.b);
  out.k = s.solve(in.b.transpose() * h * in.a);
  out.iterations = it;
  out.status = detail::lqr_verify(in, out.p, out.k);
  return out;
}

/// Version 3: eigenvectors of the symplectic matrix
///   Z = [A + G A^-T Q, -G A^-T; -A^-T Q, A^-T],  G = B R^-1 B',
/// whose n eigenvalues inside the unit circle span [U1; U2] with P = U2 U1^-1 (Laub's method,
/// with a complex eigen-decomposition instead of an ordered Schur form). Requires A invertible
/// (always so for A = exp(A_c dt)); otherwise `singular`. No exactly n stable eigenvalues:
/// not_converged (no stabilising solution).
/// Thread safety: pure function. On failure: status (see the header comment), never throws.
template <int Nx, int Nu>
[[nodiscard]] LqrOutput<Nx, Nu> lqr_eigenvector(const LqrInput<Nx, Nu>& in) noexcept {
  using MatX = Eigen::Matrix<double, Nx, Nx>;
  using MatZ = Eigen::Matrix<double, 2 * Nx, 2 * Nx>;
  using MatXc = Eigen::Matrix<std::complex<double>, Nx, Nx>;
  if (const Status s = detail::lqr_check_input(in); s != Status::ok) return detail::lqr_failed<Nx, Nu>(s);
  const Eigen::PartialPivLU<MatX> a_lu(in.a);
  const double a_scale = detail::norm_inf(in.a);
  if (!(a_lu.matrixLU().diagonal().cwiseAbs().minCoeff() > Nx * kUnitRoundoff * a_scale)) {
    return detail::lqr_failed<Nx, Nu>(Status::singular);
  }
  const MatX a_inv_t = a_lu.inverse().transpose();
  const MatX g = in.b * in.r.llt().solve(in.b.transpose());
  MatZ z;
  z.template topLeftCorner<Nx, Nx>() = in.a + g * a_inv_t * in.q;
  z.template topRightCorner<Nx, Nx>() = -g * a_inv_t;
  z.template bottomLeftCorner<Nx, Nx>() = -a_inv_t * in.q;
  z.template bottomRightCorner<Nx, Nx>() = a_inv_t;
  const Eigen::ComplexEigenSolver<MatZ> eig(z, true);
  if (eig.info() != Eigen::Success) return detail::lqr_failed<Nx, Nu>(Status::not_converged);
  MatXc u1;
  MatXc u2;
  int found = 0;
  for (int i = 0; i < 2 * Nx; ++i) {
    if (std::abs(eig.eigenvalues()(i)) < 1.0) {
      if (found == Nx) return detail::lqr_failed<Nx, Nu>(Status::not_converged);
      u1.col(found) = eig.eigenvectors().col(i).template head<Nx>();
      u2.col(found) = eig.eigenvectors().col(i).template tail<Nx>();
      ++found;
    }
  }
  if (found != Nx) return detail::lqr_failed<Nx, Nu>(Status::not_converged);
  const Eigen::PartialPivLU<MatXc> u1_lu(u1);
  const MatXc p_c = u2 * u1_lu.inverse();
  LqrOutput<Nx, Nu> out;
  out.p = detail::symmetrised<Nx>(p_c.real());
  const Eigen::HouseholderQR<Eigen::Matrix<double, Nu, Nu>> s(in.r + in.b.transpose() * out.p * in.b);
  out.k = s.solve(in.b.transpose() * out.p * in.a);
  out.iterations = 1;
  out.status = detail::lqr_verify(in, out.p, out.k);
  return out;
}

template <int Nx, int Nu>
using LqrFn = LqrOutput<Nx, Nu> (*)(const LqrInput<Nx, Nu>&) noexcept;

/// The three LQR versions, for N-version execution.
template <int Nx, int Nu>
inline constexpr std::array<LqrFn<Nx, Nu>, 3> kLqrVersions{&lqr_riccati<Nx, Nu>, &lqr_doubling<Nx, Nu>,
                                                           &lqr_eigenvector<Nx, Nu>};

extern template LqrOutput<4, 1> lqr_riccati<4, 1>(const LqrInput<4, 1>&) noexcept;
extern template LqrOutput<4, 1> lqr_doubling<4, 1>(const LqrInput<4, 1>&) noexcept;
extern template LqrOutput<4, 1> lqr_eigenvector<4, 1>(const LqrInput<4, 1>&) noexcept;
extern template LqrOutput<2, 1> lqr_riccati<2, 1>(const LqrInput<2, 1>&) noexcept;
extern template LqrOutput<2, 1> lqr_doubling<2, 1>(const LqrInput<2, 1>&) noexcept;
extern template LqrOutput<2, 1> lqr_eigenvector<2, 1>(const LqrInput<2, 1>&) noexcept;

}  // namespace lockstep::kernels
