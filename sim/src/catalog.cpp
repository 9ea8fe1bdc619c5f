#include <lockstep/sim/catalog.hpp>

#include <array>

namespace lockstep::sim {
namespace {

constexpr std::array<KernelInfo, 2> kKernels{{
    {"crc32", true, 3, 256, 32, 32,
     "CRC-32 update of a running checksum over a 32-byte block (bitwise, table, nibble-table versions)"},
    {"solve6", false, 3, (36 + 6) * 64, 6 * 64, 0,
     "6x6 dense linear solve A x = b from kernels/ (LU, Householder QR, Gauss-Jordan versions), "
     "correct within the documented normwise tolerance"},
}};

constexpr std::array<ExecutorInfo, 7> kExecutors{{
    {"simplex", 1, false, "one replica, no redundancy (the baseline)"},
    {"dmr", 2, false, "two replicas, detect only: a disagreement runs the safe-state path"},
    {"dmr-retry", 2, false, "two replicas; on a mismatch a third execution breaks the tie (DuplexRetry)"},
    {"tmr", 3, false, "three replicas, majority vote (masks one faulty replica)"},
    {"nmr5", 5, false, "five replicas, majority vote (masks two faulty replicas)"},
    {"temporal3", 3, false, "three sequential executions on one core, majority vote (TemporalExecutor)"},
    {"nversion", 3, true, "three different versions of the kernel, voted with the kernel's tolerance"},
}};

}  // namespace

std::span<const KernelInfo> kernels() noexcept { return kKernels; }
std::span<const ExecutorInfo> executors() noexcept { return kExecutors; }

const KernelInfo* find_kernel(std::string_view name) noexcept {
  for (const KernelInfo& k : kKernels) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

const ExecutorInfo* find_executor(std::string_view name) noexcept {
  for (const ExecutorInfo& e : kExecutors) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

}  // namespace lockstep::sim
