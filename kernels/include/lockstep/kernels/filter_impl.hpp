#pragma once
// Definitions of the filter templates. src/filter.cpp instantiates orders 1, 2 and 4; include
// this header in one translation unit of your own to use another order.

#include <lockstep/core/error.hpp>
#include <lockstep/kernels/filter.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <string>

namespace lockstep::kernels {

namespace detail {

template <int N>
[[nodiscard]] IirCoefficients<N> normalised(const IirCoefficients<N>& c) {
  if (!all_finite(c.b) || !all_finite(c.a)) raise("IIR filter: coefficients must be finite");
  if (c.a(0) == 0.0) raise("IIR filter: a_0 must not be zero");
  IirCoefficients<N> n;
  n.b = c.b / c.a(0);
  n.a = c.a / c.a(0);
  n.a(0) = 1.0;
  return n;
}

}  // namespace detail

template <int N>
IirAnalysis analyse(const IirCoefficients<N>& raw, double input_limit) {
  if (!std::isfinite(input_limit) || !(input_limit > 0.0) || input_limit > 1e150) {
    raise("IIR filter: input_limit must be in (0, 1e150]");
  }
  const IirCoefficients<N> c = detail::normalised(raw);
  IirAnalysis out;
  out.sum_abs_b = c.b.cwiseAbs().sum();
  out.sum_abs_a = c.a.cwiseAbs().sum() - 1.0;
  // g = impulse response of 1/A, h = impulse response of B/A, both by their recursions;
  // window(i) = g_{k-i}.
  Eigen::Matrix<double, N + 1, 1> window = Eigen::Matrix<double, N + 1, 1>::Zero();
  constexpr long kMaxSamples = 1000000;
  for (long k = 0; k < kMaxSamples; ++k) {
    for (int i = N; i > 0; --i) window(i) = window(i - 1);
    double g = k == 0 ? 1.0 : 0.0;
    for (int i = 1; i <= N; ++i) g -= c.a(i) * window(i);
    window(0) = g;
    const double h = c.b.dot(window);
    out.recursive_l1 += std::abs(g);
    out.gain_l1 += std::abs(h);
    if (!(out.recursive_l1 < 1e12)) break;
    if (k > N && window.cwiseAbs().sum() <= 1e-17 * out.recursive_l1) return out;
  }
  raise("IIR filter: poles on or outside the unit circle (impulse response of 1/A(z) does not decay)");
}

template <int N>
Tolerance iir_tolerance(const IirCoefficients<N>& c, double input_limit) {
  const IirAnalysis an = analyse<N>(c, input_limit);
  const double k = 4.0 * (N + 1) * kUnitRoundoff;
  const double gamma = k / (1.0 - k);
  const double nu = gamma * (an.sum_abs_b * input_limit + an.sum_abs_a * an.gain_l1 * input_limit);
  return Tolerance::absolute(2.0 * an.recursive_l1 * (1.0 + an.sum_abs_a) * nu);
}

// ---------------------------------------------------------------------------------------------

template <int N>
IirDirectForm1<N>::IirDirectForm1(const IirCoefficients<N>& c, double input_limit)
    : m_input_limit(input_limit) {
  (void)analyse<N>(c, input_limit);
  const IirCoefficients<N> n = detail::normalised(c);
  m_b = n.b;
  m_a = n.a;
  reset();
}

template <int N>
void IirDirectForm1<N>::reset() noexcept {
  m_x.setZero();
  m_y.setZero();
}

template <int N>
FilterOutput IirDirectForm1<N>::step(double x) noexcept {
  if (!std::isfinite(x)) return {m_y(0), Status::non_finite};
  if (std::abs(x) > m_input_limit) return {m_y(0), Status::out_of_range};
  for (int i = N; i > 0; --i) {
    m_x(i) = m_x(i - 1);
    m_y(i) = m_y(i - 1);
  }
  m_x(0) = x;
  double acc = 0.0;
  for (int i = 0; i <= N; ++i) acc += m_b(i) * m_x(i);
  for (int i = 1; i <= N; ++i) acc -= m_a(i) * m_y(i);
  m_y(0) = acc;
  return {acc, Status::ok};
}

template <int N>
IirTransposedDf2<N>::IirTransposedDf2(const IirCoefficients<N>& c, double input_limit)
    : m_input_limit(input_limit) {
  (void)analyse<N>(c, input_limit);
  const IirCoefficients<N> n = detail::normalised(c);
  m_b = n.b;
  m_a = n.a;
  reset();
}

template <int N>
void IirTransposedDf2<N>::reset() noexcept {
  m_s.setZero();
  m_last = 0.0;
}

template <int N>
FilterOutput IirTransposedDf2<N>::step(double x) noexcept {
  if (!std::isfinite(x)) return {m_last, Status::non_finite};
  if (std::abs(x) > m_input_limit) return {m_last, Status::out_of_range};
  const double y = m_b(0) * x + m_s(1);
  for (int i = 1; i < N; ++i) m_s(i) = m_s(i + 1) + m_b(i) * x - m_a(i) * y;
  m_s(N) = m_b(N) * x - m_a(N) * y;
  m_last = y;
  return {y, Status::ok};
}

template <int N>
IirStateSpace<N>::IirStateSpace(const IirCoefficients<N>& c, double input_limit)
    : m_input_limit(input_limit) {
  (void)analyse<N>(c, input_limit);
  const IirCoefficients<N> n = detail::normalised(c);
  m_a.setZero();
  for (int j = 0; j < N; ++j) m_a(0, j) = -n.a(j + 1);
  for (int i = 1; i < N; ++i) m_a(i, i - 1) = 1.0;
  m_b.setZero();
  m_b(0) = 1.0;
  for (int j = 0; j < N; ++j) m_c(0, j) = n.b(j + 1) - n.a(j + 1) * n.b(0);
  m_d = n.b(0);
  reset();
}

template <int N>
void IirStateSpace<N>::reset() noexcept {
  m_x.setZero();
  m_last = 0.0;
}

template <int N>
FilterOutput IirStateSpace<N>::step(double u) noexcept {
  if (!std::isfinite(u)) return {m_last, Status::non_finite};
  if (std::abs(u) > m_input_limit) return {m_last, Status::out_of_range};
  const double y = (m_c * m_x)(0, 0) + m_d * u;
  m_x = (m_a * m_x + m_b * u).eval();
  m_last = y;
  return {y, Status::ok};
}

}  // namespace lockstep::kernels
