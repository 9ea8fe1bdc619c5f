#pragma once
// Thread placement and real-time set-up. Each call reports what the system permitted, so the
// runtime can run degraded (and say so) in containers or without privileges.

#include <cstdint>
#include <string_view>
#include <vector>

namespace lockstep::hw {

/// Outcome of a placement request.
enum class PlacementStatus : std::uint8_t {
  ok,             ///< done
  not_permitted,  ///< EPERM: needs CAP_SYS_NICE / CAP_IPC_LOCK / a larger RLIMIT, or a cpuset forbids it
  no_such_core,   ///< the core does not exist or is outside this process's affinity mask
  invalid,        ///< an argument out of range (e.g. a priority outside SCHED_FIFO's range)
  failed,         ///< any other error from the OS
};

[[nodiscard]] std::string_view to_string(PlacementStatus s) noexcept;

/// Pins the calling thread to one core. Any core of the process's cpuset may be chosen, also
/// outside the calling thread's current mask (no_such_core: offline or outside the cpuset).
/// Thread safety: affects only the calling thread.
[[nodiscard]] PlacementStatus pin_current_thread(std::uint32_t core) noexcept;

/// Gives the calling thread SCHED_FIFO at `priority` (1..99 on Linux).
[[nodiscard]] PlacementStatus set_fifo_priority(int priority) noexcept;

/// mlockall(MCL_CURRENT | MCL_FUTURE): no page faults on the control path later.
[[nodiscard]] PlacementStatus lock_all_memory() noexcept;

/// The cores this process may run on, ascending: the cgroup's effective cpuset intersected with
/// the online CPUs, independent of the calling thread's own mask (a control thread that pinned
/// itself still sees every core it may pin workers to); the calling thread's mask where the
/// cgroup files are unreadable. Set-up only: allocates.
[[nodiscard]] std::vector<std::uint32_t> allowed_cores();

}  // namespace lockstep::hw
