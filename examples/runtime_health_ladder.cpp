// The degradation ladder driven by a permanent fault, on the inline deterministic backend.
//
//   nominal (3 + 1 spare)
//     replica 2 wrong on every call -> alpha 1, 2, 3 -> judged permanent
//   spare_active  (the spare takes replica 2's place, state resynced from the majority)
//     replica 1 wrong on every call -> excluded, no spare left
//   detect_only   (2 replicas: a disagreement is detected, no longer masked)
//     replica 0 throws on every call -> excluded
//   safe_state    (absorbing: the safe-state handler runs every call)
//
// Time comes from a hw::SimClock: the run is deterministic and needs no sleeping.
#include <chrono>
#include <cstdint>
#include <cstdio>

#include <lockstep/hw/clock.hpp>
#include <lockstep/runtime.hpp>
#include <lockstep/voters/majority.hpp>

int main() {
  lockstep::hw::SimClock clock;
  int safe_calls = 0;
  lockstep::ExecutorConfig cfg{};
  cfg.replicas = 3;
  cfg.spares = 1;
  cfg.backend = lockstep::Backend::inline_;
  cfg.clock = &clock;
  cfg.deadline = std::chrono::microseconds{500};
  cfg.on_safe_state = [&safe_calls](lockstep::SafeStateReason) { ++safe_calls; };
  lockstep::NModularExecutor<std::int64_t, std::int64_t> tmr{cfg, [](const std::int64_t& x) { return 2 * x; },
                                                             lockstep::voters::majority};
  using Inj = lockstep::FaultInjector<std::int64_t, std::int64_t, lockstep::NoState>;

  lockstep::Level last = tmr.level();
  std::printf("call 0: %s\n", lockstep::to_string(last));
  for (std::int64_t call = 1; call <= 12; ++call) {
    if (call == 1) tmr.faults().arm(2, lockstep::Fault::flip_output(0, 1), Inj::kEveryCall);
    if (call == 4) {
      tmr.faults().clear();
      tmr.faults().arm(1, lockstep::Fault::flip_output(0, 2), Inj::kEveryCall);
    }
    if (call == 7) tmr.faults().arm(0, lockstep::Fault::throws(), Inj::kEveryCall);
    const auto r = tmr.run(call);
    clock.advance(std::chrono::milliseconds{1});
    if (r.level != last) {
      std::printf("call %lld: %s -> %s (excluded %#x, status %s)\n", static_cast<long long>(call),
                  lockstep::to_string(last), lockstep::to_string(r.level), r.excluded.bits(),
                  lockstep::to_string(r.status));
      last = r.level;
    }
  }
  std::printf("safe-state handler ran %d times\n", safe_calls);
  return last == lockstep::Level::safe_state && safe_calls > 0 ? 0 : 1;
}
