#pragma once
// Attitude propagation from body rates over one step, in three independently written versions:
//
//   propagate_rk4     classic 4th-order Runge-Kutta on q' = 1/2 q (x) (0, w), then normalised
//   propagate_expmap  closed form q+ = q (x) exp(w dt / 2) (unit quaternion exponential)
//   propagate_dcm     rotation matrix: R+ = R exp([w dt]x) by Rodrigues' formula, one
//                     re-orthonormalisation step R <- R (3I - R'R) / 2, back to a quaternion by
//                     Shepperd's method
//
// Quaternions are (w, x, y, z), Hamilton convention, body-to-world; w is the body angular rate
// in rad/s, held constant over the step. The output lies in the same hemisphere as the input
// (q+ . q >= 0), so versions that pass through a rotation matrix return the same sign.
// Spec: |q| within 1e-6 of 1, dt >= 0, |w| dt <= kAttitudeMaxStepAngle (0.1 rad).
//   non_finite    q, w or dt holds NaN/inf          output q = identity
//   out_of_range  |q| - 1, dt or |w| dt out of spec  output q = input q (not propagated)

#include <lockstep/kernels/status.hpp>

#include <Eigen/Core>

#include <array>
#include <cmath>

namespace lockstep::kernels {

inline constexpr double kAttitudeMaxStepAngle = 0.1;  ///< rad, largest |w| dt accepted
inline constexpr double kAttitudeNormSlack = 1e-6;    ///< accepted | |q| - 1 |

struct AttitudeInput {
  Eigen::Vector4d q = Eigen::Vector4d(1.0, 0.0, 0.0, 0.0);  ///< (w, x, y, z), unit
  Eigen::Vector3d omega = Eigen::Vector3d::Zero();          ///< body rates, rad/s
  double dt = 0.0;                                          ///< step, s
};

struct AttitudeOutput {
  Eigen::Vector4d q = Eigen::Vector4d(1.0, 0.0, 0.0, 0.0);
  Status status = Status::ok;
};

/// RK4 truncation bound for one step of rotation angle `angle` = |w| dt:
/// RK4 on the linear ODE q' = M q with ||M dt|| = angle / 2 reproduces exp(M dt) up to its
/// degree-4 Taylor polynomial, so the error is at most the tail sum_{k>=5} (angle/2)^k / k!
/// <= (angle/2)^5 / 120 * exp(angle/2).
[[nodiscard]] inline double attitude_truncation_bound(double angle) noexcept {
  const double h = 0.5 * angle;
  return h * h * h * h * h / 120.0 * std::exp(h);
}

/// Absolute agreement tolerance on quaternion components (max-norm) of two `ok` results for
/// steps of at most `angle` rad: only RK4 truncates (the other two are exact for constant w), so
/// two versions differ by at most the truncation bound, doubled by the renormalisation
/// (|q/|q| - q*| <= 2 |q - q*| for unit q*), plus 64 u of rounding (about 30 flops per version,
/// each with |values| <= 1). At the maximum step of 0.1 rad: eps = 5.5e-9.
[[nodiscard]] inline double attitude_tolerance_for(double angle) noexcept {
  return 2.0 * attitude_truncation_bound(angle) + 64.0 * kUnitRoundoff;
}
[[nodiscard]] inline Tolerance attitude_tolerance() noexcept {
  return Tolerance::absolute(attitude_tolerance_for(kAttitudeMaxStepAngle));
}

/// Same status, and for ok the quaternions agree componentwise within attitude_tolerance().
[[nodiscard]] bool agrees(const AttitudeOutput& a, const AttitudeOutput& b) noexcept;

/// Hamilton product p (x) q of (w, x, y, z) quaternions.
[[nodiscard]] Eigen::Vector4d quaternion_multiply(const Eigen::Vector4d& p,
                                                  const Eigen::Vector4d& q) noexcept;

/// Version 1: RK4. Usage: `auto out = propagate_rk4({q, omega, 0.001});`
/// Thread safety: pure function. On failure: status per the header comment, never throws.
[[nodiscard]] AttitudeOutput propagate_rk4(const AttitudeInput& in) noexcept;
/// Version 2: quaternion exponential map. Thread safety / On failure: as propagate_rk4.
[[nodiscard]] AttitudeOutput propagate_expmap(const AttitudeInput& in) noexcept;
/// Version 3: rotation matrix (Rodrigues, re-orthonormalised, Shepperd). As propagate_rk4.
[[nodiscard]] AttitudeOutput propagate_dcm(const AttitudeInput& in) noexcept;

using AttitudeFn = AttitudeOutput (*)(const AttitudeInput&) noexcept;
/// The three versions, for N-version execution.
inline constexpr std::array<AttitudeFn, 3> kAttitudeVersions{&propagate_rk4, &propagate_expmap,
                                                             &propagate_dcm};

}  // namespace lockstep::kernels
