#pragma once
// Linear time-invariant filtering (FIR and IIR) of order N in three independently written forms:
//
//   IirDirectForm1      y_k = sum b_i x_{k-i} - sum a_i y_{k-i}; keeps the last N inputs and
//                       outputs (two delay lines, one accumulator)
//   IirTransposedDf2    y_k = b_0 x_k + s_1; s_i = s_{i+1} + b_i x_k - a_i y_k (N states)
//   IirStateSpace       controllable canonical realisation x+ = A x + B u, y = C x + D u,
//                       evaluated with fixed-size matrix products
//
// H(z) = (b_0 + b_1 z^-1 + ... + b_N z^-N) / (1 + a_1 z^-1 + ... + a_N z^-N). An FIR filter is
// the case a_1..a_N = 0 (then direct form I is plain convolution).
// Spec: finite coefficients, a_0 != 0 (coefficients are normalised by a_0), all poles strictly
// inside the unit circle (checked at construction: the impulse response of 1/A(z) must decay
// below 1e-17 of its l1 norm within 10^6 samples), |x| <= input_limit.
// Per sample: non-finite x -> non_finite, |x| > input_limit -> out_of_range; both hold the
// previous output and leave the state unchanged.

#include <lockstep/kernels/status.hpp>

#include <Eigen/Core>

#include <cmath>
#include <cstdint>

namespace lockstep::kernels {

template <int N>
struct IirCoefficients {
  Eigen::Matrix<double, N + 1, 1> b = Eigen::Matrix<double, N + 1, 1>::Zero();   ///< numerator b_0..b_N
  Eigen::Matrix<double, N + 1, 1> a = Eigen::Matrix<double, N + 1, 1>::Unit(0);  ///< denominator a_0..a_N
};

struct FilterOutput {
  double y = 0.0;
  Status status = Status::ok;
};

/// Set-up analysis of a filter: the normalised coefficients, ||h||_1 of the whole filter and
/// ||h_A||_1 of its recursive part 1/A(z). Throws lockstep::Error (non-finite coefficients,
/// a_0 = 0, unstable or too lightly damped poles, input_limit not in (0, 1e150]).
struct IirAnalysis {
  double gain_l1 = 0.0;       ///< sum |h_k| of H(z): |y| <= gain_l1 * input_limit
  double recursive_l1 = 0.0;  ///< sum |g_k| of 1/A(z): amplification of rounding noise
  double sum_abs_b = 0.0;
  double sum_abs_a = 0.0;  ///< sum_{i>=1} |a_i|
};

template <int N>
[[nodiscard]] IirAnalysis analyse(const IirCoefficients<N>& c, double input_limit);

/// Absolute agreement tolerance of two forms' outputs for inputs bounded by input_limit.
/// Derivation: every form evaluates y_k with at most 2N + 1 roundings of terms bounded by
/// |b_i| X and |a_i| Y (X = input_limit, Y = gain_l1 X), i.e. a local error
/// nu <= gamma_{4(N+1)} (sum|b| X + sum|a| Y). Local errors enter the recursion (in the output
/// for DF-I, in the states for DF-II-T and state space, weighted by at most 1 + sum|a|) and are
/// filtered by 1/A(z), whose l1 gain is recursive_l1. One form is off by at most
/// recursive_l1 (1 + sum|a|) nu; two forms by twice that. Throws as `analyse`.
template <int N>
[[nodiscard]] Tolerance iir_tolerance(const IirCoefficients<N>& c, double input_limit);

/// Same status and |y_a - y_b| <= tolerance.epsilon().
[[nodiscard]] bool agrees(const FilterOutput& a, const FilterOutput& b, const Tolerance& tolerance) noexcept;

/// Version 1: direct form I.
/// Usage:
///   IirCoefficients<2> c;  c.b << 0.2, 0.4, 0.2;  c.a << 1.0, -0.5, 0.3;
///   IirDirectForm1<2> f(c, 10.0);
///   const FilterOutput out = f.step(x);
/// Thread safety: one object per thread; `step` mutates the state.
/// On failure: the constructor throws lockstep::Error (see `analyse`); `step` never throws and
/// reports bad samples in the status (previous output held, state unchanged).
template <int N>
class IirDirectForm1 {
 public:
  IirDirectForm1(const IirCoefficients<N>& c, double input_limit);
  [[nodiscard]] FilterOutput step(double x) noexcept;
  void reset() noexcept;

 private:
  Eigen::Matrix<double, N + 1, 1> m_b;
  Eigen::Matrix<double, N + 1, 1> m_a;
  Eigen::Matrix<double, N + 1, 1> m_x;  // x_k .. x_{k-N}
  Eigen::Matrix<double, N + 1, 1> m_y;  // y_k .. y_{k-N}
  double m_input_limit;
};

/// Version 2: direct form II transposed. Thread safety / On failure: as IirDirectForm1.
template <int N>
class IirTransposedDf2 {
 public:
  IirTransposedDf2(const IirCoefficients<N>& c, double input_limit);
  [[nodiscard]] FilterOutput step(double x) noexcept;
  void reset() noexcept;

 private:
  Eigen::Matrix<double, N + 1, 1> m_b;
  Eigen::Matrix<double, N + 1, 1> m_a;
  Eigen::Matrix<double, N + 1, 1> m_s;  // s_1..s_N in m_s(1..N); m_s(0) unused, m_s(N) stays 0 past end
  double m_last = 0.0;
  double m_input_limit;
};

/// Version 3: state space (controllable canonical form). Thread safety / On failure: as IirDirectForm1.
template <int N>
class IirStateSpace {
 public:
  IirStateSpace(const IirCoefficients<N>& c, double input_limit);
  [[nodiscard]] FilterOutput step(double x) noexcept;
  void reset() noexcept;

 private:
  Eigen::Matrix<double, N, N> m_a;
  Eigen::Matrix<double, N, 1> m_b;
  Eigen::Matrix<double, 1, N> m_c;
  double m_d;
  Eigen::Matrix<double, N, 1> m_x;
  double m_last = 0.0;
  double m_input_limit;
};

extern template IirAnalysis analyse<1>(const IirCoefficients<1>&, double);
extern template IirAnalysis analyse<2>(const IirCoefficients<2>&, double);
extern template IirAnalysis analyse<4>(const IirCoefficients<4>&, double);
extern template Tolerance iir_tolerance<1>(const IirCoefficients<1>&, double);
extern template Tolerance iir_tolerance<2>(const IirCoefficients<2>&, double);
extern template Tolerance iir_tolerance<4>(const IirCoefficients<4>&, double);
extern template class IirDirectForm1<1>;
extern template class IirDirectForm1<2>;
extern template class IirDirectForm1<4>;
extern template class IirTransposedDf2<1>;
extern template class IirTransposedDf2<2>;
extern template class IirTransposedDf2<4>;
extern template class IirStateSpace<1>;
extern template class IirStateSpace<2>;
extern template class IirStateSpace<4>;

}  // namespace lockstep::kernels
