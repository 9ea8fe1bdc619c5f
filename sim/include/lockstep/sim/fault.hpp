#pragma once
// Fault models for campaigns, and the per-trial fault plan drawn from a trial's seed. A plan
// says which replicas are hit and how; the trial runner applies it through the runtime's
// fault-injection hooks (user kernels are never changed).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <lockstep/core/replica_mask.hpp>
#include <lockstep/sim/seed.hpp>

namespace lockstep::sim {

/// The fault models `--fault` accepts. Numeric values are stored in results databases: append only.
enum class FaultModel : std::uint8_t {
  bitflip_output = 0,
  bitflip_input = 1,
  bitflip_state = 2,
  multibit_output = 3,
  burst_output = 4,
  stuck_at = 5,
  exception = 6,
  hang = 7,
  delay = 8,
  byzantine = 9,
  common_mode = 10,
};
inline constexpr std::uint32_t kFaultModelCount = 11;

/// Where a fault lands.
enum class FaultTarget : std::uint8_t { output, input, state, behaviour };

struct FaultModelInfo {
  FaultModel model;
  std::string_view name;
  FaultTarget target;
  std::string_view description;
};

inline constexpr std::array<FaultModelInfo, kFaultModelCount> kFaultModels{{
    {FaultModel::bitflip_output, "bitflip-output", FaultTarget::output,
     "one random bit flipped in each hit replica's output (SEU in a result register)"},
    {FaultModel::bitflip_input, "bitflip-input", FaultTarget::input,
     "one random bit flipped in each hit replica's private copy of the input"},
    {FaultModel::bitflip_state, "bitflip-state", FaultTarget::state,
     "one random bit flipped in each hit replica's state before the call (stateful kernels)"},
    {FaultModel::multibit_output, "multibit-output", FaultTarget::output,
     "2 to 8 distinct random bits flipped in each hit replica's output (MBU)"},
    {FaultModel::burst_output, "burst-output", FaultTarget::output,
     "a burst of 2 to 8 adjacent bits flipped in each hit replica's output"},
    {FaultModel::stuck_at, "stuck-at", FaultTarget::output,
     "one random output bit forced to 0 or 1 (benign when it already had that value)"},
    {FaultModel::exception, "exception", FaultTarget::behaviour,
     "the hit replica throws instead of returning"},
    {FaultModel::hang, "hang", FaultTarget::behaviour, "the hit replica never returns within the call"},
    {FaultModel::delay, "delay", FaultTarget::behaviour,
     "the hit replica returns a correct value, but after the deadline"},
    {FaultModel::byzantine, "byzantine", FaultTarget::output,
     "the hit replica's output replaced by arbitrary bytes, different in every hit replica"},
    {FaultModel::common_mode, "common-mode", FaultTarget::output,
     "the same bit flip in max(2, K) replicas at once (shared design or input fault)"},
}};

[[nodiscard]] constexpr const FaultModelInfo& info(FaultModel m) noexcept {
  return kFaultModels[static_cast<std::size_t>(m)];
}
[[nodiscard]] constexpr std::string_view to_string(FaultModel m) noexcept { return info(m).name; }
[[nodiscard]] constexpr std::optional<FaultModel> parse_fault_model(std::string_view name) noexcept {
  for (const FaultModelInfo& i : kFaultModels) {
    if (i.name == name) return i.model;
  }
  return std::nullopt;
}

/// What is done to one replica.
enum class CorruptionKind : std::uint8_t {
  none,
  flip,
  stuck_at_0,
  stuck_at_1,
  randomize,
  raise,
  hang,
  delay
};

/// One replica's corruption. Bit positions are taken modulo the size of the bytes they are
/// applied to, so one plan fits any output type.
/// Thread safety: a value. On failure: never fails; an empty span is left alone.
struct Corruption {
  static constexpr std::uint32_t kMaxBits = 8;
  CorruptionKind kind{CorruptionKind::none};
  FaultTarget target{FaultTarget::output};
  std::uint8_t bit_count{0};
  std::array<std::uint32_t, kMaxBits> bits{};
  std::uint64_t random_seed{0};  ///< byzantine bytes

  /// Applies a value corruption (flip/stuck/randomize) to `bytes`; behaviour kinds do nothing here.
  void apply(std::span<std::byte> bytes) const noexcept;
  /// True when applying would leave `bytes` unchanged (a stuck-at on a bit that already has the value).
  [[nodiscard]] bool is_noop_on(std::span<const std::byte> bytes) const noexcept;
};

/// Sizes of the fault space of one kernel under one executor.
struct FaultSpace {
  std::uint32_t replicas{1};
  std::uint32_t input_bits{0};
  std::uint32_t output_bits{0};
  std::uint32_t state_bits{0};
};

/// The faults of one trial: which replicas are hit and the corruption of each.
struct FaultPlan {
  FaultModel model{FaultModel::bitflip_output};
  ReplicaMask replicas{};
  std::array<Corruption, kMaxReplicas> per_replica{};

  /// The first corrupted bit of the lowest hit replica, or -1 (stored per trial).
  [[nodiscard]] std::int32_t first_bit() const noexcept;
};

/// Draws the plan of one trial: `faults_per_trial` distinct replicas (clamped to the
/// executor's replicas; common-mode hits max(2, K)), chosen uniformly, each with its own
/// corruption (common-mode: the same one). Deterministic in `rng`.
[[nodiscard]] FaultPlan plan_fault(FaultModel model, std::uint32_t faults_per_trial, const FaultSpace& space,
                                   TrialRng& rng) noexcept;

}  // namespace lockstep::sim
