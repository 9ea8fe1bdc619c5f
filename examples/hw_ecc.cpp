// Example: protecting long-lived controller state against bit flips, and watching the
// memory controller's own ECC counters.
//
//   Protected<Gains>  --store-->  [ 64-bit words | 8 check bits each ]  --load--> corrected value
//   Triplicated<Mode> --store-->  [ copy A | copy B | copy C ]          --load--> majority value
//          ^                                   |
//          +---- Scrubber::scrub() every cycle (repairs single flips before they pair up)
//
//   EdacMonitor::poll()  <- /sys/devices/system/edac/mc/mc*/{ce,ue}_count   (real hardware ECC)
//   Topology::pick_replica_cores(3)  <- /sys/devices/system/cpu            (where to run replicas)
#include <lockstep/hw.hpp>

#include <cstdint>
#include <cstdio>

namespace hw = lockstep::hw;

struct Gains {
  double kp;
  double ki;
  double kd;
};

enum class Mode : std::uint32_t { standby = 1, track = 2, hold = 4 };

int main() {
  hw::Protected<Gains> gains{Gains{1.2, 0.05, 0.3}};
  hw::Triplicated<Mode> mode{Mode::track};
  hw::ProtectedArray<float, 64> history;

  std::uint64_t corrected = 0;
  std::uint64_t uncorrectable = 0;
  hw::Scrubber scrubber{[&](const hw::ScrubEvent& e) {
    corrected += e.report.corrected;
    uncorrectable += e.report.uncorrectable;
    std::printf("scrub: region '%s': %llu corrected, %llu uncorrectable\n", e.name,
                static_cast<unsigned long long>(e.report.corrected),
                static_cast<unsigned long long>(e.report.uncorrectable));
  }};
  scrubber.add(gains, "gains");
  scrubber.add(mode, "mode");
  scrubber.add(history, "history");

  // Simulated upsets: one bit in the gains, one whole copy of the mode, two bits in one word.
  gains.inject_bit_flip(1, 52);  // an exponent bit of ki: 0.05 would become huge
  mode.inject_bit_flip(2, 0);
  history.inject_bit_flip(7, 0, 3);
  history.inject_bit_flip(7, 0, 40);

  const hw::Read<Gains> g = gains.load();  // corrected on read
  std::printf("ki = %g (%s)\n", g.value.ki, hw::to_string(g.status));
  const hw::Read<Mode> m = mode.load();  // outvoted copy
  std::printf("mode = %u (%s)\n", static_cast<unsigned>(m.value), hw::to_string(m.status));
  static_cast<void>(scrubber.scrub());  // the control loop's own scrub step
  const hw::Read<float> h = history.load(7);
  std::printf("history[7]: %s -> resynchronise it from a healthy replica\n", hw::to_string(h.status));
  history.store(7, 0.0F);

  hw::EdacMonitor edac{hw::EdacConfig{}};
  edac.subscribe([](const hw::EdacEvent& e) {
    std::printf("EDAC %s: %s %s %llu new\n", e.severity == hw::EdacSeverity::uncorrected ? "UE" : "CE",
                e.controller.c_str(), e.label.c_str(), static_cast<unsigned long long>(e.count));
  });
  const hw::EdacPoll p = edac.poll();
  std::printf("EDAC: %s (%u controllers)\n", hw::to_string(p.status), p.controllers);

  const hw::Topology topo = hw::Topology::read();
  const auto cores = topo.pick_replica_cores(3);
  std::printf("replica cores:");
  for (const std::uint32_t c : cores) std::printf(" %u", c);
  std::printf("%s\n", cores.size() < 3 ? " (fewer than 3 physical cores: replicas will share)" : "");

  const bool ok = g.status == hw::EccStatus::corrected && g.value.ki == 0.05 && m.value == Mode::track &&
                  h.status == hw::EccStatus::uncorrectable && uncorrectable == 1 && !cores.empty();
  return ok ? 0 : 1;
}
