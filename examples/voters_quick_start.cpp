// Example: voting on the outputs of three replicas (TMR).
//
//   replica 0 ──► 1.0 ─┐
//   replica 1 ──► 1.0 ─┼──► majority ──► 1.0   outcome: masked
//   replica 2 ──► 7.5 ─┘                       dissent: 0b100 (replica 2), agreeing: 2
//
// `majority` compares bitwise; `inexact_majority` lets replicas agree within a tolerance, which
// is what diverse implementations of the same floating-point law need. Every voter is a
// function object, so `lockstep::voters::majority` or `inexact_majority.with(tol)` can be handed
// to an executor as its voter. Returns non-zero if any expectation fails.
#include <lockstep/voters.hpp>

#include <array>
#include <cstdio>
#include <span>

int main() {
  std::array<double, 3> outs{1.0, 1.0, 7.5};
  const auto v = lockstep::voters::majority(std::span{outs});  // exact
  std::printf("decided=%d value=%g masked=%d dissent=0x%x agreeing=%u\n", v.decided() ? 1 : 0,
              v.value.value_or(0.0), v.outcome == lockstep::Outcome::masked ? 1 : 0, v.dissent.bits(),
              static_cast<unsigned>(v.agreeing));
  const bool exact_ok = v.decided() && *v.value == 1.0 && v.outcome == lockstep::Outcome::masked &&
                        v.dissent == 0b100U && v.agreeing == 2;

  // Diverse implementations differ in the last bits: agree within 1e-9.
  std::array<double, 3> diverse{1.0, 1.0 + 1e-12, 7.5};
  const auto m = lockstep::voters::inexact_majority(std::span{diverse}, lockstep::Tolerance::absolute(1e-9));
  std::printf("inexact: value=%.12f dissent=0x%x\n", m.value.value_or(0.0), m.dissent.bits());
  const bool inexact_ok = m.decided() && *m.value == 1.0 && m.dissent == 0b100U;

  // Mid-value select: the middle of three channels, whatever the outlier.
  std::array<double, 3> channels{100.0, 100.0, 100000.0};
  const auto mvs = lockstep::voters::mid_value(std::span{channels});
  const bool mvs_ok = mvs.decided() && *mvs.value == 100.0;

  return (exact_ok && inexact_ok && mvs_ok) ? 0 : 1;
}
