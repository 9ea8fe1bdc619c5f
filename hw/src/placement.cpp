#include <lockstep/hw/placement.hpp>
#include <lockstep/hw/topology.hpp>

#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

namespace lockstep::hw {

namespace {
PlacementStatus from_errno(int err) noexcept {
  switch (err) {
    case 0:
      return PlacementStatus::ok;
    case EPERM:
    case EACCES:
      return PlacementStatus::not_permitted;
    case EINVAL:
      return PlacementStatus::invalid;
    case ENOMEM:
    case EAGAIN:
      return PlacementStatus::not_permitted;
    default:
      return PlacementStatus::failed;
  }
}

/// The calling thread's affinity mask, ascending.
std::vector<std::uint32_t> thread_mask() {
  std::vector<std::uint32_t> cores;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return cores;
  for (std::uint32_t c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &allowed)) cores.push_back(c);
  }
  return cores;
}

std::optional<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string text;
  std::getline(in, text);
  if (in.bad()) return std::nullopt;
  return text;
}

/// This process's cgroup's effective cpuset: walks from the process's cgroup up to the root
/// (the cpuset file exists only where the controller is enabled); nullopt when unreadable.
std::optional<std::vector<std::uint32_t>> cgroup_effective_cpus() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (in && std::getline(in, line)) {
    // v2: "0::/path"; v1: "N:cpuset[,...]:/path".
    const std::size_t a = line.find(':');
    const std::size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1);
    std::filesystem::path base;
    std::string file;
    if (controllers.empty() && line.compare(0, a, "0") == 0) {
      base = "/sys/fs/cgroup";
      file = "cpuset.cpus.effective";
    } else if (("," + controllers + ",").find(",cpuset,") != std::string::npos) {
      base = "/sys/fs/cgroup/cpuset";
      file = "cpuset.effective_cpus";
    } else {
      continue;
    }
    std::filesystem::path dir = base / std::filesystem::path(line.substr(b + 1)).relative_path();
    for (int depth = 0; depth < 64; ++depth) {
      if (const auto text = read_small_file((dir / file).string())) return parse_cpu_list(*text);
      if (dir == base || !dir.has_parent_path()) break;
      dir = dir.parent_path();
    }
  }
  return std::nullopt;
}
}  // namespace

std::string_view to_string(PlacementStatus s) noexcept {
  switch (s) {
    case PlacementStatus::ok:
      return "ok";
    case PlacementStatus::not_permitted:
      return "not permitted";
    case PlacementStatus::no_such_core:
      return "no such core (offline, or outside the process's cpuset)";
    case PlacementStatus::invalid:
      return "invalid argument";
    case PlacementStatus::failed:
      return "failed";
  }
  return "unknown";
}

PlacementStatus pin_current_thread(std::uint32_t core) noexcept {
  if (core >= CPU_SETSIZE) return PlacementStatus::no_such_core;
  // No check against the calling thread's own mask: a control thread that pinned itself first
  // (common real-time practice) must still be able to pin a worker elsewhere. The kernel checks
  // the core against the process's cpuset and answers EINVAL when it is outside or offline.
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  const int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  return rc == EINVAL ? PlacementStatus::no_such_core : from_errno(rc);
}

PlacementStatus set_fifo_priority(int priority) noexcept {
  const int lo = sched_get_priority_min(SCHED_FIFO);
  const int hi = sched_get_priority_max(SCHED_FIFO);
  if (priority < lo || priority > hi) return PlacementStatus::invalid;
  sched_param param{};
  param.sched_priority = priority;
  return from_errno(pthread_setschedparam(pthread_self(), SCHED_FIFO, &param));
}

PlacementStatus lock_all_memory() noexcept {
  if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) return from_errno(errno);
  return PlacementStatus::ok;
}

std::vector<std::uint32_t> allowed_cores() {
  // The calling thread's mask is not the answer: it is narrowed when the caller pinned itself,
  // and new threads inherit it. The kernel's limit is the cgroup's effective cpuset (v2, or the
  // v1 cpuset hierarchy), intersected with the online CPUs; the thread's mask is the fallback
  // where neither is readable.
  std::optional<std::vector<std::uint32_t>> limit = cgroup_effective_cpus();
  if (limit) {
    if (const auto online = read_small_file("/sys/devices/system/cpu/online")) {
      if (const auto on = parse_cpu_list(*online)) {
        std::vector<std::uint32_t> both;
        std::set_intersection(limit->begin(), limit->end(), on->begin(), on->end(), std::back_inserter(both));
        limit = std::move(both);
      }
    }
    if (!limit->empty()) return std::move(*limit);
  }
  return thread_mask();
}

}  // namespace lockstep::hw
