// Four more redundancy patterns on one page, each with a fault it handles.
//
//   NVersionExecutor  3 different implementations, tolerance vote  -> a design fault masked
//   TemporalExecutor  3 runs one after another on the caller       -> a transient masked
//   DuplexRetry       2 replicas, tie-break run on mismatch        -> detected *and* recovered
//   RecoveryBlock     primary + acceptance test + alternate,        -> rejected result rolled
//                     state checkpointed and rolled back               back, alternate delivers
#include <chrono>
#include <cmath>
#include <cstdio>

#include <lockstep/runtime.hpp>
#include <lockstep/voters/inexact.hpp>
#include <lockstep/voters/majority.hpp>

namespace {
double newton_sqrt(const double& x) {
  double y = x > 1.0 ? x : 1.0;
  for (int i = 0; i < 60; ++i) y = 0.5 * (y + x / y);
  return y;
}
double buggy_sqrt(const double& x) { return x > 100.0 ? x / 2.0 : std::sqrt(x); }
double log_sqrt(const double& x) { return std::exp(0.5 * std::log(x)); }
struct Filter {
  double y{0.0};
};
}  // namespace

int main() {
  lockstep::ExecutorConfig cfg{.replicas = 3, .cores = {}, .deadline = std::chrono::milliseconds{100}};
  cfg.backend = lockstep::Backend::inline_;
  int bad = 0;

  using NV = lockstep::NVersionExecutor<double, double>;
  NV nv{cfg, NV::versions(newton_sqrt, buggy_sqrt, log_sqrt),
        lockstep::voters::inexact_majority.with(lockstep::Tolerance::relative(1e-12))};
  const auto a = nv.run(400.0);
  std::printf("N-version: %.6f dissent %#x\n", a.decided() ? *a.vote.value : -1.0, a.vote.dissent.bits());
  bad += a.decided() && a.vote.dissent.bits() == 0b010U ? 0 : 1;

  lockstep::TemporalExecutor<double, double> t3{cfg, [](const double& x) { return 3.0 * x; },
                                                lockstep::voters::majority};
  t3.faults().arm(0, lockstep::Fault::flip_output(7, 0x40), t3.next_call());
  const auto b = t3.run(2.0);
  std::printf("temporal: %.1f status %s\n", b.decided() ? *b.vote.value : -1.0,
              lockstep::to_string(b.status));
  bad += b.decided() && *b.vote.value == 6.0 ? 0 : 1;

  lockstep::DuplexRetry<double, double> dr{cfg, [](const double& x) { return x + 1.0; },
                                           lockstep::voters::majority};
  dr.faults().arm(1, lockstep::Fault::throws(), dr.next_call());
  const auto c = dr.run(2.0);
  std::printf("duplex-retry: %.1f recovered %d executions %u\n", c.decided() ? *c.vote.value : -1.0,
              c.recovered ? 1 : 0, static_cast<unsigned>(c.executions));
  bad += c.recovered ? 0 : 1;

  using RB = lockstep::RecoveryBlock<double, double, Filter>;
  RB rb{cfg,
        RB::alternates(
            [](const double& x, Filter& f) {
              f.y = 0.5 * f.y + 0.5 * x;
              return x < 0.0 ? 1e6 : f.y;  // primary: wrong for negative input
            },
            [](const double& x, Filter& f) {
              f.y = x;
              return x;
            }),
        [](const double& /*in*/, const double& out) { return std::fabs(out) < 100.0; }};
  const auto d = rb.run(-3.0);
  std::printf("recovery block: %.1f recovered %d rolled back %#x\n", d.decided() ? *d.vote.value : -1.0,
              d.recovered ? 1 : 0, d.resynced.bits());
  bad += d.recovered ? 0 : 1;
  return bad == 0 ? 0 : 1;
}
