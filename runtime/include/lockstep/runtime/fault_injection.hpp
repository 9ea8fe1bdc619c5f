#pragma once
// Fault-injection hooks: the only way the simulator and the tests corrupt a replica.
// Arm a fault for replica k on call c (or on every call); the executor applies it inside that
// replica's execution. When nothing is armed the hot path pays one predictable branch.
//
//   executor.faults().arm(1, lockstep::Fault::flip_output(0, 0x10), executor.next_call());
//   auto r = executor.run(x);        // replica 1's output has bit 4 of byte 0 flipped
//   executor.faults().clear();
//
// Kinds and where they act (in the order a replica executes):
//   corrupt_input  - the replica's private input copy, before the kernel
//   corrupt_state  - the replica's private state, before the kernel
//   throw_         - the kernel "throws" (the replica is a failed replica)
//   hang           - the replica never returns before the deadline: on the pinned and TBB
//                    backends the job really blocks until the executor abandons and later
//                    releases it; on the inline backend it is simulated (it "takes" forever)
//   late           - the replica finishes `delay` later than it really did (simulated time,
//                    identical on every backend, so results stay deterministic)
//   corrupt_output - the replica's output, after the kernel

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <type_traits>

#include <lockstep/core/error.hpp>
#include <lockstep/core/replica_mask.hpp>

namespace lockstep {

enum class FaultKind : std::uint8_t { corrupt_output, corrupt_input, corrupt_state, throw_, hang, late };

/// One fault description. Bit flips XOR `xor_mask` (little-endian, up to 8 bytes) into the
/// object bytes starting at `byte_offset`, clipped to the object's size; they need a trivially
/// copyable type (checked when armed). Use the typed `arm_*` overloads for other types.
struct Fault {
  FaultKind kind{FaultKind::corrupt_output};
  std::uint32_t byte_offset{0};
  std::uint64_t xor_mask{0};
  std::chrono::nanoseconds delay{0};

  [[nodiscard]] static constexpr Fault flip_output(std::uint32_t byte, std::uint64_t mask) noexcept {
    return {FaultKind::corrupt_output, byte, mask, {}};
  }
  [[nodiscard]] static constexpr Fault flip_input(std::uint32_t byte, std::uint64_t mask) noexcept {
    return {FaultKind::corrupt_input, byte, mask, {}};
  }
  [[nodiscard]] static constexpr Fault flip_state(std::uint32_t byte, std::uint64_t mask) noexcept {
    return {FaultKind::corrupt_state, byte, mask, {}};
  }
  [[nodiscard]] static constexpr Fault throws() noexcept { return {FaultKind::throw_, 0, 0, {}}; }
  [[nodiscard]] static constexpr Fault hang() noexcept { return {FaultKind::hang, 0, 0, {}}; }
  [[nodiscard]] static constexpr Fault late(std::chrono::nanoseconds d) noexcept {
    return {FaultKind::late, 0, 0, d};
  }
};

namespace detail {
/// XORs `mask` into the bytes of `v` from `offset` on. No-op for non-trivially-copyable types.
template <class T>
void flip_bytes(T& v, std::uint32_t offset, std::uint64_t mask) noexcept {
  if constexpr (std::is_trivially_copyable_v<T>) {
    std::array<unsigned char, sizeof(T)> bytes{};
    std::memcpy(bytes.data(), &v, sizeof(T));
    for (std::size_t i = 0; i < 8U && offset + i < sizeof(T); ++i) {
      bytes[offset + i] ^= static_cast<unsigned char>((mask >> (8U * i)) & 0xFFU);
    }
    std::memcpy(&v, bytes.data(), sizeof(T));
  }
}

/// Thrown inside a replica by an armed `throw_` fault; always caught by the executor.
struct InjectedFault {};
}  // namespace detail

/// Per-replica armed faults, owned by an executor (`executor.faults()`).
/// Thread safety: arm/clear only between calls, from the thread that calls `run`.
/// On failure: arming beyond `kPerReplica` faults for one replica, a replica index out of
/// range, or a bit flip on a non-trivially-copyable type throws `lockstep::Error` (set-up).
template <class Input, class Output, class State>
class FaultInjector {
 public:
  static constexpr std::size_t kPerReplica = 4;
  static constexpr std::uint64_t kEveryCall = 0;  ///< trigger: every call until cleared

  struct Armed {
    Fault fault{};
    std::uint64_t call{kEveryCall};
    std::function<void(Output&)> on_output{};
    std::function<void(Input&)> on_input{};
    std::function<void(State&)> on_state{};
  };

  /// Faults acting on one replica in one call.
  struct Active {
    std::array<const Armed*, kPerReplica> items{};
    std::uint32_t count{0};
  };

  explicit FaultInjector(std::uint32_t replicas) : m_replicas(replicas) {}

  /// Arms `f` for `replica` on call `call` (1-based, see `next_call()` of the executor) or on
  /// every call (`kEveryCall`, a permanent fault). Replica index N (== replicas) addresses the
  /// DuplexRetry tie-break execution.
  void arm(std::uint32_t replica, Fault f, std::uint64_t call) {
    check_bytes(f);
    slot(replica) = Armed{f, call, {}, {}, {}};
  }
  void arm_output(std::uint32_t replica, std::function<void(Output&)> fn, std::uint64_t call) {
    slot(replica) = Armed{Fault{FaultKind::corrupt_output, 0, 0, {}}, call, std::move(fn), {}, {}};
  }
  void arm_input(std::uint32_t replica, std::function<void(Input&)> fn, std::uint64_t call) {
    slot(replica) = Armed{Fault{FaultKind::corrupt_input, 0, 0, {}}, call, {}, std::move(fn), {}};
  }
  void arm_state(std::uint32_t replica, std::function<void(State&)> fn, std::uint64_t call) {
    slot(replica) = Armed{Fault{FaultKind::corrupt_state, 0, 0, {}}, call, {}, {}, std::move(fn)};
  }
  /// Disarms everything.
  void clear() noexcept {
    for (auto& per : m_armed) {
      for (auto& a : per) { a.used = false; }
    }
    m_count = 0;
  }
  [[nodiscard]] bool armed() const noexcept { return m_count != 0; }

  /// The faults acting on `replica` in call `call`. Hot path: call only when `armed()`.
  [[nodiscard]] Active select(std::uint32_t replica, std::uint64_t call) const noexcept {
    Active out{};
    if (replica >= kMaxReplicas) return out;
    for (const auto& a : m_armed[replica]) {
      if (a.used && (a.armed.call == kEveryCall || a.armed.call == call)) {
        out.items[out.count] = &a.armed;
        ++out.count;
      }
    }
    return out;
  }

 private:
  struct Entry {
    Armed armed{};
    bool used{false};
  };

  void check_bytes(const Fault& f) const {
    const bool flips = f.kind == FaultKind::corrupt_output || f.kind == FaultKind::corrupt_input ||
                       f.kind == FaultKind::corrupt_state;
    if (!flips) return;
    if ((f.kind == FaultKind::corrupt_output && !std::is_trivially_copyable_v<Output>) ||
        (f.kind == FaultKind::corrupt_input && !std::is_trivially_copyable_v<Input>) ||
        (f.kind == FaultKind::corrupt_state && !std::is_trivially_copyable_v<State>)) {
      raise("FaultInjector: a bit flip needs a trivially copyable type; use arm_output/arm_input/arm_state");
    }
  }

  Armed& slot(std::uint32_t replica) {
    if (replica > m_replicas || replica >= kMaxReplicas) {
      raise("FaultInjector: replica index " + std::to_string(replica) + " out of range");
    }
    for (auto& e : m_armed[replica]) {
      if (!e.used) {
        e.used = true;
        ++m_count;
        return e.armed;
      }
    }
    raise("FaultInjector: more than 4 faults armed for replica " + std::to_string(replica) +
          "; call clear() between trials");
  }

  std::uint32_t m_replicas;
  std::uint32_t m_count{0};
  std::array<std::array<Entry, kPerReplica>, kMaxReplicas> m_armed{};
};

}  // namespace lockstep
