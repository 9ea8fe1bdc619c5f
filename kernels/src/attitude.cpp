// The three attitude-propagation versions. They share only the input checks (the spec) and
// the hemisphere rule for the output sign.
#include <lockstep/kernels/attitude.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>

namespace lockstep::kernels {

namespace {

using Vec4 = Eigen::Vector4d;
using Mat3 = Eigen::Matrix3d;

bool check(const AttitudeInput& in, AttitudeOutput& out) noexcept {
  if (!all_finite(in.q) || !all_finite(in.omega) || !std::isfinite(in.dt)) {
    out.q = Vec4(1.0, 0.0, 0.0, 0.0);
    out.status = Status::non_finite;
    return false;
  }
  out.q = in.q;
  if (std::abs(in.q.norm() - 1.0) > kAttitudeNormSlack || in.dt < 0.0 ||
      in.omega.norm() * in.dt > kAttitudeMaxStepAngle) {
    out.status = Status::out_of_range;
    return false;
  }
  out.status = Status::ok;
  return true;
}

AttitudeOutput finish(const AttitudeInput& in, const Vec4& q) noexcept {
  AttitudeOutput out;
  out.q = q.dot(in.q) < 0.0 ? Vec4(-q / q.norm()) : Vec4(q / q.norm());
  out.status = Status::ok;
  return out;
}

}  // namespace

Vec4 quaternion_multiply(const Vec4& p, const Vec4& q) noexcept {
  return Vec4(p(0) * q(0) - p(1) * q(1) - p(2) * q(2) - p(3) * q(3),
              p(0) * q(1) + p(1) * q(0) + p(2) * q(3) - p(3) * q(2),
              p(0) * q(2) - p(1) * q(3) + p(2) * q(0) + p(3) * q(1),
              p(0) * q(3) + p(1) * q(2) - p(2) * q(1) + p(3) * q(0));
}

bool agrees(const AttitudeOutput& a, const AttitudeOutput& b) noexcept {
  if (a.status != b.status) return false;
  if (a.status != Status::ok) return true;
  return agree_normwise(a.q, b.q, attitude_tolerance());
}

AttitudeOutput propagate_rk4(const AttitudeInput& in) noexcept {
  AttitudeOutput out;
  if (!check(in, out)) return out;
  // q' = 1/2 Omega(w) q with Omega the 4x4 right-multiplication matrix of (0, w).
  const double wx = in.omega(0);
  const double wy = in.omega(1);
  const double wz = in.omega(2);
  Eigen::Matrix4d m;
  m << 0.0, -wx, -wy, -wz,  //
      wx, 0.0, wz, -wy,     //
      wy, -wz, 0.0, wx,     //
      wz, wy, -wx, 0.0;
  m *= 0.5;
  const double h = in.dt;
  const Vec4 k1 = m * in.q;
  const Vec4 k2 = m * (in.q + 0.5 * h * k1);
  const Vec4 k3 = m * (in.q + 0.5 * h * k2);
  const Vec4 k4 = m * (in.q + h * k3);
  return finish(in, in.q + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4));
}

AttitudeOutput propagate_expmap(const AttitudeInput& in) noexcept {
  AttitudeOutput out;
  if (!check(in, out)) return out;
  const Eigen::Vector3d phi = in.omega * in.dt;  // rotation vector of the step
  const double angle = phi.norm();
  const double half = 0.5 * angle;
  // sin(half)/angle without cancellation for tiny angles (series to the half^4 term).
  const double s = angle < 1e-4 ? 0.5 * (1.0 - half * half / 6.0 + half * half * half * half / 120.0)
                                : std::sin(half) / angle;
  const Vec4 dq(std::cos(half), s * phi(0), s * phi(1), s * phi(2));
  return finish(in, quaternion_multiply(in.q, dq));
}

AttitudeOutput propagate_dcm(const AttitudeInput& in) noexcept {
  AttitudeOutput out;
  if (!check(in, out)) return out;
  const double w = in.q(0);
  const double x = in.q(1);
  const double y = in.q(2);
  const double z = in.q(3);
  Mat3 r;
  r << 1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),  //
      2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),   //
      2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y);
  // Rodrigues: exp([phi]x) = I + a [phi]x + b [phi]x^2, a = sin t / t, b = (1 - cos t) / t^2.
  const Eigen::Vector3d phi = in.omega * in.dt;
  const double t2 = phi.squaredNorm();
  const double t = std::sqrt(t2);
  const double a = t < 1e-4 ? 1.0 - t2 / 6.0 + t2 * t2 / 120.0 : std::sin(t) / t;
  const double b = t < 1e-4 ? 0.5 - t2 / 24.0 + t2 * t2 / 720.0 : (1.0 - std::cos(t)) / t2;
  Mat3 k;
  k << 0.0, -phi(2), phi(1), phi(2), 0.0, -phi(0), -phi(1), phi(0), 0.0;
  Mat3 rn = r * (Mat3::Identity() + a * k + b * (k * k));
  rn = (0.5 * rn * (3.0 * Mat3::Identity() - rn.transpose() * rn)).eval();  // re-orthonormalise
  // Shepperd: pick the largest of 4w^2, 4x^2, 4y^2, 4z^2 to divide by.
  const double tr = rn.trace();
  const std::array<double, 4> d{tr, rn(0, 0), rn(1, 1), rn(2, 2)};
  const auto i = static_cast<int>(std::max_element(d.begin(), d.end()) - d.begin());
  Vec4 q;
  if (i == 0) {
    const double s4 = 2.0 * std::sqrt(1.0 + tr);
    q << 0.25 * s4, (rn(2, 1) - rn(1, 2)) / s4, (rn(0, 2) - rn(2, 0)) / s4, (rn(1, 0) - rn(0, 1)) / s4;
  } else if (i == 1) {
    const double s4 = 2.0 * std::sqrt(1.0 + rn(0, 0) - rn(1, 1) - rn(2, 2));
    q << (rn(2, 1) - rn(1, 2)) / s4, 0.25 * s4, (rn(0, 1) + rn(1, 0)) / s4, (rn(0, 2) + rn(2, 0)) / s4;
  } else if (i == 2) {
    const double s4 = 2.0 * std::sqrt(1.0 - rn(0, 0) + rn(1, 1) - rn(2, 2));
    q << (rn(0, 2) - rn(2, 0)) / s4, (rn(0, 1) + rn(1, 0)) / s4, 0.25 * s4, (rn(1, 2) + rn(2, 1)) / s4;
  } else {
    const double s4 = 2.0 * std::sqrt(1.0 - rn(0, 0) - rn(1, 1) + rn(2, 2));
    q << (rn(1, 0) - rn(0, 1)) / s4, (rn(0, 2) + rn(2, 0)) / s4, (rn(1, 2) + rn(2, 1)) / s4, 0.25 * s4;
  }
  return finish(in, q);
}

}  // namespace lockstep::kernels
