#include <lockstep/hw/placement.hpp>

#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include <cerrno>

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
}  // namespace

std::string_view to_string(PlacementStatus s) noexcept {
  switch (s) {
    case PlacementStatus::ok:
      return "ok";
    case PlacementStatus::not_permitted:
      return "not permitted";
    case PlacementStatus::no_such_core:
      return "no such core (or outside the affinity mask)";
    case PlacementStatus::invalid:
      return "invalid argument";
    case PlacementStatus::failed:
      return "failed";
  }
  return "unknown";
}

PlacementStatus pin_current_thread(std::uint32_t core) noexcept {
  if (core >= CPU_SETSIZE) return PlacementStatus::no_such_core;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return from_errno(errno);
  if (!CPU_ISSET(core, &allowed)) return PlacementStatus::no_such_core;
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
  std::vector<std::uint32_t> cores;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return cores;
  for (std::uint32_t c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &allowed)) cores.push_back(c);
  }
  return cores;
}

}  // namespace lockstep::hw
