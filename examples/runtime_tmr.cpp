// Triple modular redundancy on pinned workers, with a corrupted replica masked and reported.
//
//   control loop (caller)           replica workers (pinned, private input/state copies)
//   ---------------------           -----------------------------------------------
//   tmr.run(x) ------- post ------> [r0: law(x)] [r1: law(x) + bit flip] [r2: law(x)]
//        <------------ done -------
//   majority vote: r1 dissents -> value of r0/r2 delivered, status "masked"
//   telemetry: dissent event (replica 1, how far off) drained by a monitor, JSON snapshot
//
// Build against the installed package: find_package(Lockstep) + lockstep::runtime.
#include <chrono>
#include <cstdio>

#include <lockstep/runtime.hpp>
#include <lockstep/voters/majority.hpp>

namespace {
struct Integrator {
  double sum{0.0};
};
// A stateful control law: output = integral of the error.
double control_law(const double& error, Integrator& s) {
  s.sum += 0.01 * error;
  return s.sum;
}
}  // namespace

int main() {
  // Deadline generous enough for a loaded CI machine; a real loop uses its period budget.
  lockstep::ExecutorConfig cfg{.replicas = 3, .cores = {}, .deadline = std::chrono::milliseconds{100}};
  cfg.spares = 1;
  cfg.on_safe_state = [](lockstep::SafeStateReason) { std::puts("safe state!"); };
  lockstep::NModularExecutor<double, double, Integrator> tmr{cfg, control_law, lockstep::voters::majority};

  for (const auto& p : tmr.placement()) {
    std::printf("worker core %d: %s%s\n", p.core, lockstep::hw::to_string(p.status).data(),
                p.shared ? " (shared core)" : "");
  }

  int failures = 0;
  for (int step = 0; step < 10; ++step) {
    if (step == 4) {
      // Flip a bit in replica 1's output on the next call only.
      tmr.faults().arm(1, lockstep::Fault::flip_output(6, 0x08), tmr.next_call());
    }
    const lockstep::CallResult<double> r = tmr.run(1.0);
    if (!r.vote.decided()) {
      ++failures;
      continue;
    }
    std::printf("step %d: u = %.4f  status %s  dissent %#x  late %#x  failed %#x  resynced %#x\n", step,
                *r.vote.value, lockstep::to_string(r.status), r.vote.dissent.bits(), r.late.bits(),
                r.failed.bits(), r.resynced.bits());
  }

  lockstep::Event e{};
  int dissents = 0;
  while (tmr.telemetry().events().try_pop(e)) {
    if (e.kind == lockstep::EventKind::dissent) ++dissents;
    std::printf("event %s\n", lockstep::to_json(e).c_str());
  }
  std::printf("telemetry %s\n", tmr.telemetry().to_json().c_str());
  return failures == 0 && dissents == 1 ? 0 : 1;
}
