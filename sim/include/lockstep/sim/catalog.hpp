#pragma once
// What a campaign can be run on: the kernels, executors and fault models `lockstep-sim list`
// prints, with the facts the CLI validates against (versions, fault-space sizes).

#include <cstdint>
#include <span>
#include <string_view>

namespace lockstep::sim {

struct KernelInfo {
  std::string_view name;
  bool exact;                 ///< bit-exact: correct means equal to golden; otherwise within tolerance
  std::uint32_t versions;     ///< independently written versions (1 = no N-version execution)
  std::uint32_t input_bits;   ///< bits a bitflip-input may hit
  std::uint32_t output_bits;  ///< bits a bitflip-output may hit
  std::uint32_t state_bits;   ///< bits a bitflip-state may hit (0 = stateless)
  std::string_view description;
};

struct ExecutorInfo {
  std::string_view name;
  std::uint32_t replicas;  ///< replica executions a fault may hit
  bool needs_versions;     ///< runs a kernel's different versions (nversion)
  std::string_view description;
};

[[nodiscard]] std::span<const KernelInfo> kernels() noexcept;
[[nodiscard]] std::span<const ExecutorInfo> executors() noexcept;
/// nullptr when unknown.
[[nodiscard]] const KernelInfo* find_kernel(std::string_view name) noexcept;
[[nodiscard]] const ExecutorInfo* find_executor(std::string_view name) noexcept;

}  // namespace lockstep::sim
