#pragma once
// CPU topology from sysfs: which cores this process may use, how they group into packages and
// clusters (big.LITTLE), which are SMT siblings (sharing a physical core, so sharing its
// faults), and which are isolated from the scheduler (isolcpus / nohz). The runtime uses it to
// place replicas on distinct physical cores, isolated ones first.
//
//   <root>/online, <root>/isolated                       cpu lists ("0-3,6")
//   <root>/cpuN/online                                    absent for the boot CPU
//   <root>/cpuN/topology/physical_package_id, cluster_id, core_id, thread_siblings_list
//   <root>/cpuN/cpu_capacity                              big.LITTLE: 1024 = biggest core
//   /proc/cmdline: isolcpus=[flags,]list                  also read for isolated cores

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace lockstep::hw {

/// Parses a kernel cpu list ("0-3,8,10-11"; empty or "\n" = none). nullopt on malformed text.
[[nodiscard]] std::optional<std::vector<std::uint32_t>> parse_cpu_list(std::string_view text);

struct CpuInfo {
  std::uint32_t cpu{0};
  bool online{true};
  bool allowed{false};   ///< in this process's affinity mask
  bool isolated{false};  ///< in /sys/.../isolated or the isolcpus= boot parameter
  std::int32_t package{-1};
  std::int32_t cluster{-1};             ///< cluster_id; -1 when the kernel does not report one
  std::int32_t core{-1};                ///< core_id within the package
  std::uint32_t capacity{0};            ///< cpu_capacity (0 when not reported: uniform cores)
  std::vector<std::uint32_t> siblings;  ///< SMT siblings including this cpu, ascending
};

/// A group of CPUs that share package and cluster (a big.LITTLE cluster, or a package).
struct CpuCluster {
  std::int32_t package{-1};
  std::int32_t cluster{-1};
  std::uint32_t capacity{0};  ///< the largest capacity in the group
  std::vector<std::uint32_t> cpus;
};

struct TopologyConfig {
  std::filesystem::path sysfs_root{"/sys/devices/system/cpu"};
  std::filesystem::path cmdline{"/proc/cmdline"};  ///< empty: do not read isolcpus=
  /// The usable cores; nullopt = this process's affinity mask (allowed_cores()).
  std::optional<std::vector<std::uint32_t>> allowed;
};

/// A snapshot of the CPU topology.
/// Usage:
///   const hw::Topology topo = hw::Topology::read();
///   const auto cores = topo.pick_replica_cores(3);   // distinct physical cores, isolated first
///   if (cores.size() < 3) log("degraded: replicas share physical cores");
/// Thread safety: immutable after read(); share freely. On failure: read() raises
///   lockstep::Error only when the root has no cpuN directory; missing per-CPU files give the
///   defaults above (-1 / 0), since many kernels omit some of them.
class Topology {
 public:
  [[nodiscard]] static Topology read(const TopologyConfig& config = {});

  [[nodiscard]] const std::vector<CpuInfo>& cpus() const noexcept { return m_cpus; }
  [[nodiscard]] const CpuInfo* find(std::uint32_t cpu) const noexcept;
  [[nodiscard]] std::vector<std::uint32_t> allowed_cores() const;   ///< allowed and online
  [[nodiscard]] std::vector<std::uint32_t> isolated_cores() const;  ///< isolated (any)
  [[nodiscard]] std::vector<std::int32_t> packages() const;
  [[nodiscard]] std::vector<CpuCluster> clusters() const;
  /// SMT siblings of `cpu` including itself; empty for an unknown cpu.
  [[nodiscard]] std::vector<std::uint32_t> smt_siblings(std::uint32_t cpu) const;
  /// Up to `n` allowed, online cores on distinct physical cores (no two SMT siblings),
  /// preferring isolated cores, then higher capacity, then lower ids. Fewer than n means the
  /// machine cannot give each replica its own physical core.
  [[nodiscard]] std::vector<std::uint32_t> pick_replica_cores(std::uint32_t n) const;

 private:
  std::vector<CpuInfo> m_cpus;
};

}  // namespace lockstep::hw
