#pragma once
// The narrow interface through which executors (and user code) report supervision
// checkpoints, so runtime/ does not depend on how supervision is implemented.

#include <cstdint>

namespace lockstep::hw {

/// Identifies a checkpoint within one supervised entity.
struct CheckpointId {
  std::uint16_t value{0};
  friend constexpr bool operator==(CheckpointId, CheckpointId) noexcept = default;
};

/// Receives checkpoints. Implementations must be noexcept, lock-free and allocation-free:
/// this is called from hot paths.
/// Thread safety: implementation-defined; the watchdog's supervised entities accept calls from
/// any thread. On failure: a checkpoint that cannot be recorded is itself reported as a
/// supervision failure by the implementation, never thrown.
class CheckpointSink {
 public:
  CheckpointSink() = default;
  CheckpointSink(const CheckpointSink&) = delete;
  CheckpointSink& operator=(const CheckpointSink&) = delete;
  virtual ~CheckpointSink() = default;
  virtual void checkpoint(CheckpointId id) noexcept = 0;
};

}  // namespace lockstep::hw
